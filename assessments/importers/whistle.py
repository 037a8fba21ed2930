"""Import of 雷锋哨 whistle tickets (哨单): new numbers are created, known ones updated.

A ledger names its grid by code or by its name path (街镇 / 村（社区） / 三级网格 / 四级网格), writes its
statuses in everyday words (办结, 处理中, 待报到: assessments.rules.parse_ticket_status) and its times in
whatever form its platform exports (core.import_plan.parse_datetime).
"""

import dataclasses
import itertools
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import TicketStatus, WhistleTicket
from assessments.models.whistle import STATUS_ORDER, STATUS_TIMESTAMP
from core.import_plan import Cells, Plan, read_first_sheet
from core.xlsx import Column, RowError, SheetRows, clean_text, compact_text
from grids.matching import (
    GRID_COLUMNS,
    GridIndex,
    GridNode,
    MergedNames,
    locate_grid,
    missing_grid_columns,
)
from grids.models import Grid, GridLevel

COLUMNS = [
    Column("number", "哨单编号", ("编号", "哨单号", "工单编号", "工单号", "事件编号"), required=True),
    *GRID_COLUMNS,
    # The grid's own name, as the export writes it beside its code: checked against the grid found.
    Column("grid_name", "网格名称"),
    Column("reporter", "采集人", ("采集人员", "网格员", "上报人", "吹哨人", "发起人"), required=True),
    Column(
        "collected_at",
        "采集时间",
        ("上报时间", "发现时间", "吹哨发起时间", "发起时间", "登记时间"),
        required=True,
    ),
    Column("category", "问题类别", ("类别", "事件类别", "问题类型", "事件类型")),
    Column("description", "问题描述", ("描述", "事件描述", "内容", "问题内容", "事件内容")),
    Column(
        "department",
        "责任单位",
        ("报到部门", "报到单位", "承办单位", "处置单位", "处置部门", "责任部门", "承办部门"),
    ),
    Column("status", "状态", ("办理状态", "哨单状态", "处置状态", "当前状态")),
    Column("whistled_at", "吹哨时间", ("派发时间",)),
    Column("reported_at", "报到时间", ("处置时间", "签收时间")),
    Column("closed_at", "办结时间", ("结案时间", "完成时间")),
]
UNCHANGED = "unchanged"
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


@dataclass
class TicketPlan(Plan):
    """A whistle-ticket plan, with the rows left alone and why, for the API's per-item answer (the
    workbook's preview counts them in `unchanged` instead)."""

    left_out: dict[int, tuple[str, str]] = dataclasses.field(default_factory=dict)  # row -> (UNCHANGED, why)


def build_ticket_plan(
    data: bytes, *, street_id: int | None = None, frozen: dict[int, str] | None = None
) -> TicketPlan:
    """Read a whistle-ticket workbook; street_id limits it to one street's grids (street admins).

    frozen: the years whose tickets may no longer change, with the refusal
    (assessments.services.whistle.frozen_ticket_years); a locked quarter freezes nothing.
    """
    plan = TicketPlan()
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    missing = missing_grid_columns(sheet.columns, street_known=street_id is not None)
    if missing:
        plan.errors.append(RowError(sheet.sheet, sheet.header_row, "", missing))
        return plan
    return plan_tickets([sheet], plan, street_id=street_id, frozen=frozen)


@dataclass
class _Known:
    """What every row is checked against, loaded once, and the numbers already seen on earlier rows."""

    index: GridIndex
    own_street: GridNode | None
    existing: dict[str, dict]
    seen: dict[str, int] = dataclasses.field(default_factory=dict)  # number -> the row it was first seen on


def plan_tickets(
    sheets: list[SheetRows],
    plan: TicketPlan,
    *,
    street_id: int | None = None,
    frozen: dict[int, str] | None = None,
) -> TicketPlan:
    """The rows of sheets checked against the rules (see build_ticket_plan). A workbook is one sheet; an
    API push (assessments.services.whistle_push) makes each item a one-row sheet of the fields it gives,
    so that a field left out is what a workbook's absent column is, whatever the other items give."""
    index = GridIndex.load(Grid.objects.all())
    known = _Known(
        index=index,
        own_street=index.nodes.get(street_id) if street_id is not None else None,
        existing={t["number"]: t for t in WhistleTicket.objects.values("pk", "number", *FIELDS)},
    )
    for sheet in sheets:
        _plan_sheet(sheet, plan, known, street_id=street_id, frozen=frozen or {})
    return plan


def _plan_sheet(
    sheet: SheetRows, plan: TicketPlan, known: _Known, *, street_id: int | None, frozen: dict[int, str]
) -> None:
    cells = Cells(sheet, plan.errors)
    index, own_street, existing, seen = known.index, known.own_street, known.existing, known.seen
    merged = MergedNames()
    stepped_over = 0
    for number, record in sheet.rows:
        before = cells.count
        record = merged.fill(number, record)
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
        grid, column, why = locate_grid(index, record, street=own_street)
        named_at = "grid_code" if compact_text(record.get("grid_code")) else "street_name"
        if grid is None:
            cells.error(number, column, why)
        elif grid.level == GridLevel.STREET:
            cells.error(
                number,
                named_at,
                _("“%(grid)s”是街镇：哨单应登记到村（社区）或三、四级网格。") % {"grid": grid.name},
            )
            grid = None
        elif street_id is not None and grid.street_id != street_id:
            cells.error(number, named_at, _("网格“%(grid)s”不在您的街镇。") % {"grid": index.label(grid)})
            grid = None
        elif (grid_name := clean_text(record.get("grid_name"))) and not index.fits(grid, grid_name):
            cells.error(
                number,
                "grid_name",
                _("网格名称“%(name)s”与所填网格“%(grid)s”不符，请核对。")
                % {"name": grid_name, "grid": index.label(grid)},
            )
            grid = None
        reporter = cells.required(number, record, "reporter", _("采集人"))
        cells.length(number, "reporter", reporter, 50)
        category = clean_text(record.get("category"))  # many ledgers have no 问题类别
        cells.length(number, "category", category, 50)
        department = clean_text(record.get("department"))
        cells.length(number, "department", department, 100)
        status_text = compact_text(record.get("status"))
        status = rules.parse_ticket_status(status_text) if status_text else TicketStatus.COLLECTED
        if status is None:
            cells.error(
                number,
                "status",
                _(
                    "未知状态“%(value)s”，应为 已采集（待吹哨）、已吹哨（待报到、已派发）、"
                    "已报到/处置中（处理中、办理中）或 已办结（办结、已完成、已结案）。"
                )
                % {"value": status_text},
            )
        old = existing.get(ticket_no)
        stamps, filled = _stamps(cells, number, record, status, old)
        ordered = [stamps[f] for f in STATUS_TIMESTAMP.values() if stamps[f] is not None]
        if ordered and max(ordered) > timezone.now():
            cells.error(number, "collected_at", _("时间不能晚于现在。"))
        _check_order(cells, number, stamps)
        if cells.count > before:
            continue
        values = {
            "number": ticket_no,
            "grid_id": grid.pk,
            "street_id": grid.street_id,
            "reporter": reporter,
            "category": category,
            "description": clean_text(record.get("description")),
            "department": department,
            "status": str(status),
            **stamps,
        }
        if old is not None:  # a column the ledger does not have leaves the ticket's value alone
            values.update({k: old[k] for k in ("category", "description", "department") if not cells.has(k)})
        plan.labels[grid.pk] = index.label(grid)
        frozen_by = frozen.get(timezone.localtime(values["collected_at"]).year)
        if old is None:
            if frozen_by:
                cells.error(number, "collected_at", frozen_by)
                continue
            plan.creates.append(TicketRow(number, values))
            stepped_over += filled
            continue
        if street_id is not None and old["street_id"] != street_id:
            cells.error(number, "number", _("哨单“%(no)s”属于其他街镇。") % {"no": ticket_no})
            continue
        problem = _update_problem(old, values)
        if problem:
            cells.error(number, "status", problem)
            continue
        changes = {k: (old[k], values[k]) for k in FIELDS if old[k] != values[k]}
        if changes and frozen_by:
            cells.error(number, "status", frozen_by)
        elif changes:
            plan.updates.append(TicketRow(number, values, old["pk"], changes))
            stepped_over += filled
        else:
            plan.unchanged += 1
            plan.left_out[number] = (UNCHANGED, _("哨单“%(no)s”已是最新，未改动。") % {"no": ticket_no})
    if merged.note():
        plan.notes.append(merged.note())
    if stepped_over:
        plan.notes.append(_stepped_over_note(cells, stepped_over))


# The steps a ledger may leave out as columns: many keep only 发现时间 and 办结时间.
INTERMEDIATE_STEPS = ("whistled_at", "reported_at")


def _stamps(cells: Cells, number: int, record: dict, status, old: dict | None) -> tuple[dict, bool]:
    """Each step's time for a row, and whether a step without a column took the step before's time.

    The model requires every step up to the status to be stamped. A ledger without a 吹哨时间 or 报到时间
    column says nothing about when that step happened but that it did, between the steps around it: the
    step before's time is the one time known not to be invented (a later one would shorten 办结 times).
    A known ticket keeps the time it has. A blank cell in a column the ledger has stays an error.
    """
    stamps, filled, known = {}, False, None
    for step, field in STATUS_TIMESTAMP.items():
        required = status is not None and STATUS_ORDER.index(step) <= STATUS_ORDER.index(status)
        if field in INTERMEDIATE_STEPS and not cells.has(field):
            if required:
                kept = old[field] if old is not None else None
                filled = filled or (kept is None and known is not None)
                stamps[field] = kept or known
            else:
                stamps[field] = None
        elif required and not cells.has(field):
            stamps[field] = None
            cells.error(
                number,
                field,
                _("文件中没有“%(col)s”列，状态为“%(status)s”的哨单须填写%(col)s。")
                % {"col": cells.label(field), "status": TicketStatus(status).label},
            )
        else:
            stamps[field] = cells.datetime(number, record, field, cells.label(field), required=required)
            if status is not None and not required and stamps[field] is not None:
                cells.error(
                    number,
                    field,
                    _("状态为“%(status)s”时不应填写此时间。") % {"status": TicketStatus(status).label},
                )
        known = stamps[field] or known
    return stamps, filled


def _check_order(cells: Cells, number: int, stamps: dict) -> None:
    """Name the first step dated before the one it follows, at that step's column."""
    known = [(field, at) for field, at in stamps.items() if at is not None]
    for (step_before, before), (later, after) in itertools.pairwise(known):
        if after < before:
            # A step without a column took its time from the one before: name the column that has it.
            earlier = next((f for f, at in known if at == before and cells.has(f)), step_before)
            cells.error(
                number,
                later,
                _("%(later)s早于%(earlier)s：采集、吹哨、报到、办结时间必须依次不早于前一步。")
                % {"later": cells.label(later), "earlier": cells.label(earlier)},
            )
            return


def _stepped_over_note(cells: Cells, n: int) -> str:
    absent = [f for f in INTERMEDIATE_STEPS if not cells.has(f)]
    columns = "".join(_("“%(col)s”") % {"col": cells.label(f)} for f in absent)
    return _("文件中没有%(cols)s列：%(n)d 条哨单的%(steps)s按上一步时间记录。") % {
        "cols": columns,
        "n": n,
        "steps": _("这两步") if len(absent) > 1 else _("这一步"),
    }
