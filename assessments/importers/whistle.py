"""Import of 雷锋哨 whistle tickets (哨单): new numbers are created, known ones updated."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import TicketStatus, WhistleTicket
from assessments.models.whistle import STATUS_ORDER, STATUS_TIMESTAMP
from core.import_plan import Cells, Plan, read_first_sheet
from core.xlsx import Column, clean_text, compact_text
from grids.models import Grid

COLUMNS = [
    Column("number", "哨单编号", ("编号", "哨单号"), required=True),
    Column("grid_code", "网格编码", ("所在网格编码", "网格代码"), required=True),
    Column("reporter", "采集人", ("采集人员", "网格员", "上报人"), required=True),
    Column("collected_at", "采集时间", ("上报时间", "发现时间"), required=True),
    Column("category", "问题类别", ("类别", "事件类别"), required=True),
    Column("description", "问题描述", ("描述", "事件描述", "内容")),
    Column("department", "责任单位", ("报到单位", "处置单位", "责任部门")),
    Column("status", "状态", ("办理状态", "哨单状态")),
    Column("whistled_at", "吹哨时间", ()),
    Column("reported_at", "报到时间", ("处置时间",)),
    Column("closed_at", "办结时间", ("结案时间",)),
]
FIELDS = (
    "grid_id",
    "street_id",
    "reporter",
    "category",
    "description",
    "department",
    "status",
    *STATUS_TIMESTAMP.values(),
)


@dataclass
class TicketRow:
    row: int
    values: dict
    existing_id: int | None = None
    changes: dict | None = None

    @property
    def number(self) -> str:
        return self.values["number"]


def parse_status(text: str) -> str | None:
    text = compact_text(text)
    for status in TicketStatus:
        if text in (status.value, str(status.label)) or (
            status == TicketStatus.PROCESSING and text in ("已报到", "处置中")
        ):
            return status
    return None


FIXED_AFTER_CREATION = ("grid_id", "reporter", "collected_at", "category")


def _update_problem(old: dict, new: dict) -> str | None:
    """Why an import may not apply to a known ticket: its facts are fixed and its lifecycle only moves on."""
    if any(old[k] != new[k] for k in FIXED_AFTER_CREATION):
        return _("哨单“%(no)s”已登记：网格、采集人、采集时间、问题类别不能通过导入修改。") % {
            "no": new["number"]
        }
    if STATUS_ORDER.index(new["status"]) < STATUS_ORDER.index(old["status"]):
        return _("哨单“%(no)s”已是“%(old)s”，不能改回“%(new)s”。") % {
            "no": new["number"],
            "old": TicketStatus(old["status"]).label,
            "new": TicketStatus(new["status"]).label,
        }
    for field in STATUS_TIMESTAMP.values():
        if old[field] is not None and old[field] != new[field]:
            return _("哨单“%(no)s”已记录的各步时间不能修改。") % {"no": new["number"]}
    return None


def build_ticket_plan(data: bytes, *, street_id: int | None = None, locked=()) -> Plan:
    """Read a whistle-ticket workbook; street_id limits it to one street's grids (street admins).

    locked: the locked quarters, in which no new ticket may be dated.
    """
    plan = Plan()
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    cells = Cells(sheet, plan.errors)
    grids = {
        code: (pk, street, level)
        for pk, code, street, level in Grid.objects.filter(level__gte=2).values_list(
            "pk", "code", "street_id", "level"
        )
    }
    existing = {t["number"]: t for t in WhistleTicket.objects.values("pk", "number", *FIELDS)}
    seen: dict[str, int] = {}
    for number, record in sheet.rows:
        before = cells.count
        ticket_no = cells.required(number, record, "number", _("哨单编号"))
        cells.length(number, "number", ticket_no, 40)
        if ticket_no and ticket_no in seen:
            cells.error(
                number,
                "number",
                _("哨单编号“%(no)s”与第%(row)d行重复。") % {"no": ticket_no, "row": seen[ticket_no]},
            )
            continue
        seen[ticket_no] = number
        grid_code = cells.required(number, record, "grid_code", _("网格编码"))
        grid = grids.get(grid_code)
        if grid_code and grid is None:
            cells.error(number, "grid_code", _("网格编码“%(code)s”不存在。") % {"code": grid_code})
        elif grid and street_id is not None and grid[1] != street_id:
            cells.error(number, "grid_code", _("网格“%(code)s”不在您的街镇。") % {"code": grid_code})
        reporter = cells.required(number, record, "reporter", _("采集人"))
        cells.length(number, "reporter", reporter, 50)
        category = cells.required(number, record, "category", _("问题类别"))
        cells.length(number, "category", category, 50)
        department = clean_text(record.get("department"))
        cells.length(number, "department", department, 100)
        status_text = compact_text(record.get("status"))
        status = parse_status(status_text) if status_text else TicketStatus.COLLECTED
        if status is None:
            cells.error(
                number,
                "status",
                _("未知状态“%(value)s”，应为 已采集、已吹哨、已报到/处置中 或 已办结。")
                % {"value": status_text},
            )
        stamps = {}
        for step, field in STATUS_TIMESTAMP.items():
            required = status is not None and STATUS_ORDER.index(step) <= STATUS_ORDER.index(status)
            stamps[field] = cells.datetime(number, record, field, cells.label(field), required=required)
            if status is not None and not required and stamps[field] is not None:
                cells.error(
                    number,
                    field,
                    _("状态为“%(status)s”时不应填写此时间。") % {"status": TicketStatus(status).label},
                )
        ordered = [stamps[f] for f in STATUS_TIMESTAMP.values() if stamps[f] is not None]
        if ordered and ordered[-1] > timezone.now():
            cells.error(number, "collected_at", _("时间不能晚于现在。"))
        if ordered != sorted(ordered):
            cells.error(number, "collected_at", _("采集、吹哨、报到、办结时间必须依次不早于前一步。"))
        if cells.count > before:
            continue
        values = {
            "number": ticket_no,
            "grid_id": grid[0],
            "street_id": grid[1],
            "reporter": reporter,
            "category": category,
            "description": clean_text(record.get("description")),
            "department": department,
            "status": str(status),
            **stamps,
        }
        old = existing.get(ticket_no)
        if old is None:
            collected_day = timezone.localtime(values["collected_at"]).date()
            locked_in = next((p for p in locked if p.contains(collected_day)), None)
            if locked_in is not None:
                cells.error(
                    number,
                    "collected_at",
                    _("采集时间属于已锁定的%(period)s，不能再登记新哨单。") % {"period": locked_in},
                )
                continue
            plan.creates.append(TicketRow(number, values))
            continue
        if street_id is not None and old["street_id"] != street_id:
            cells.error(number, "number", _("哨单“%(no)s”属于其他街镇。") % {"no": ticket_no})
            continue
        problem = _update_problem(old, values)
        if problem:
            cells.error(number, "status", problem)
            continue
        changes = {k: (old[k], values[k]) for k in FIELDS if old[k] != values[k]}
        if changes:
            plan.updates.append(TicketRow(number, values, old["pk"], changes))
        else:
            plan.unchanged += 1
    return plan
