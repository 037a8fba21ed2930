"""Import of the 12345 hotline system's export: one row per ticket (工单)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import AssessmentPeriod, HotlineComplaint, PeriodStatus
from core.import_plan import Cells, Plan, read_first_sheet
from core.xlsx import Column, clean_text, compact_text
from grids import matching
from grids.models import Grid, GridLevel

COLUMNS = [
    Column("ticket_no", "工单编号", ("工单号", "编号", "受理编号", "工单编码"), required=True),
    Column("received_at", "受理时间", ("来电时间", "登记时间", "受理日期", "创建时间"), required=True),
    Column("street", "街镇", ("街道（镇）", "街道", "所属街道", "镇街", "承办街镇")),
    Column("community", "村（社区）", ("社区", "村社区", "所属社区", "村/社区", "所属村（社区）")),
    Column("community_code", "村（社区）编码", ("社区编码", "村社区编码", "网格编码")),
    Column("category", "诉求类别", ("类别", "问题类别", "诉求类型", "工单类别")),
    Column("content", "诉求内容", ("内容", "问题描述", "来电内容")),
    Column("valid", "是否有效", ("有效", "有效投诉", "是否有效投诉")),
]


@dataclass
class ComplaintRow:
    row: int
    ticket_no: str
    received_at: object
    street_id: int | None
    community_id: int | None
    street_text: str
    community_text: str
    category: str
    content: str
    is_valid: bool


class CommunityMatcher:
    """Finds a village/community by code, or by name within its street, tolerating common suffixes."""

    def __init__(self):
        rows = list(
            Grid.objects.filter(level=GridLevel.COMMUNITY).values_list("pk", "code", "name", "street_id")
        )
        self.by_code = {code: (pk, street) for pk, code, _name, street in rows}
        self.by_name: dict[tuple[int, str], list] = {}
        self.by_bare_name: dict[str, list] = {}
        for pk, _code, name, street in rows:
            key = matching.community_key(name)
            self.by_name.setdefault((street, key), []).append((pk, street))
            self.by_bare_name.setdefault(key, []).append((pk, street))
        self.streets = {
            matching.street_key(name): pk
            for pk, name in Grid.objects.filter(level=GridLevel.STREET).values_list("pk", "name")
        }

    def street(self, text: str) -> int | None:
        return self.streets.get(matching.street_key(text)) if text else None

    def match(self, *, code: str, street_text: str, community_text: str) -> tuple[int | None, int | None]:
        """Return (street_id, community_id); community_id is None when nothing matches unambiguously."""
        if code and code in self.by_code:
            pk, street = self.by_code[code]
            return street, pk
        street = self.street(street_text)
        key = matching.community_key(community_text)
        if key:
            candidates = self.by_name.get((street, key), []) if street else self.by_bare_name.get(key, [])
            if len(candidates) == 1:
                return candidates[0][1], candidates[0][0]
        return street, None


UNMATCHED_LISTED = 50


def build_complaint_plan(data: bytes, *, period: AssessmentPeriod | None = None) -> Plan:
    """Read a hotline export: new tickets to create, known ones skipped, unmatched ones listed, errors.

    With a period, every ticket must have been received in that quarter.
    """
    plan = Plan()
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    cells = Cells(sheet, plan.errors)
    matcher = CommunityMatcher()
    known = set(HotlineComplaint.objects.values_list("ticket_no", flat=True))
    locked = list(AssessmentPeriod.objects.filter(status=PeriodStatus.LOCKED).select_related("year"))
    seen: dict[str, int] = {}
    for number, record in sheet.rows:
        before = cells.count
        ticket_no = cells.required(number, record, "ticket_no", _("工单编号"))
        cells.length(number, "ticket_no", ticket_no, 40)
        if ticket_no and ticket_no in seen:
            cells.error(
                number,
                "ticket_no",
                _("工单编号“%(no)s”与第%(row)d行重复。") % {"no": ticket_no, "row": seen[ticket_no]},
            )
            continue
        seen[ticket_no] = number
        received_at = cells.datetime(number, record, "received_at", _("受理时间"))
        valid_text = compact_text(record.get("valid"))
        is_valid = rules.parse_validity(valid_text) if valid_text else True
        if is_valid is None:
            cells.error(
                number, "valid", _("“%(value)s”无法识别，请填写 是/有效 或 否/无效。") % {"value": valid_text}
            )
        if received_at is not None:
            day = timezone.localtime(received_at).date()
            if received_at > timezone.now():
                cells.error(
                    number, "received_at", _("受理时间 %(day)s 晚于今天。") % {"day": day.isoformat()}
                )
            elif period is not None and not period.contains(day):
                cells.error(
                    number,
                    "received_at",
                    _("受理时间 %(day)s 不在%(period)s内。") % {"day": day.isoformat(), "period": period},
                )
            for locked_period in locked:
                if locked_period.contains(day) and ticket_no not in known:
                    cells.error(
                        number,
                        "received_at",
                        _("受理时间属于已锁定的%(period)s，不能再导入新工单。") % {"period": locked_period},
                    )
        if cells.count > before:
            continue
        if ticket_no in known:
            plan.unchanged += 1
            continue
        street_text = clean_text(record.get("street"))
        community_text = clean_text(record.get("community"))
        street_id, community_id = matcher.match(
            code=compact_text(record.get("community_code")),
            street_text=street_text,
            community_text=community_text,
        )
        plan.creates.append(
            ComplaintRow(
                row=number,
                ticket_no=ticket_no,
                received_at=received_at,
                street_id=street_id,
                community_id=community_id,
                street_text=street_text[:100],
                community_text=community_text[:100],
                category=clean_text(record.get("category"))[:50],
                content=clean_text(record.get("content")),
                is_valid=is_valid,
            )
        )
    unmatched = [r for r in plan.creates if r.community_id is None]
    if unmatched:
        plan.notes.append(
            _("%(n)d 条工单未能匹配到村（社区），导入后请在“未匹配工单”中人工指定。") % {"n": len(unmatched)}
        )
        for row in unmatched[:UNMATCHED_LISTED]:
            plan.notes.append(
                _("第%(row)d行 工单 %(no)s：街镇“%(street)s”、村（社区）“%(community)s”未匹配。")
                % {
                    "row": row.row,
                    "no": row.ticket_no,
                    "street": row.street_text or "—",
                    "community": row.community_text or "—",
                }
            )
    return plan
