"""Import of the 12345 hotline platform's export: one row per ticket (工单).

A city platform exports every district of 长沙 and every kind of call. Rows of another district are
skipped (a 开福区 community may share its name with a 望城 one); every type is kept, but only the year's
complaint types count towards 零投诉; rows of a locked quarter are skipped, never written.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import complaint_types, rules
from assessments.models import AssessmentPeriod, AssessmentYear, HotlineComplaint
from core.formats import counted, date_text
from core.import_plan import Cells, Plan, read_first_sheet
from core.xlsx import Column, SheetRows, clean_text, compact_text
from grids import matching

COLUMNS = [
    Column(
        "ticket_no",
        "工单编号",
        ("工单号", "编号", "受理编号", "工单编码", "工单流水号", "受理单号", "单号"),
        required=True,
    ),
    Column(
        "received_at",
        "受理时间",
        ("来电时间", "登记时间", "受理日期", "创建时间", "工单创建时间", "派单时间"),
        required=True,
    ),
    Column(
        "district",
        "所属区县",
        ("区县", "所属区", "行政区", "区县名称", "所属区县名称", "区(县)", "区/县", "所属行政区", "区县(市)"),
    ),
    Column(
        "street",
        "街镇",
        (
            "街道（镇）",
            "街道",
            "所属街道",
            "镇街",
            "承办街镇",
            "所属街镇",
            "街道/镇",
            "乡镇街道",
            "乡镇",
            "乡镇（街道）",
            "街乡镇",
        ),
    ),
    Column(
        "community",
        "村（社区）",
        (
            "社区",
            "村",
            "村居",
            "村社区",
            "所属社区",
            "村/社区",
            "所属村（社区）",
            "所属村社区",
            "村（社区）名称",
            "诉求地址（村社区）",
        ),
    ),
    Column("community_code", "村（社区）编码", ("社区编码", "村社区编码", "网格编码")),
    Column(
        "complaint_type", "诉求类型", ("工单类型", "来电类型", "诉求分类", "来电类别", "诉求性质", "工单性质")
    ),
    Column("category", "问题类别", ("诉求类别", "类别", "工单类别", "问题分类", "问题类型")),
    Column("content", "诉求内容", ("内容", "问题描述", "来电内容", "诉求描述", "反映内容", "诉求详情")),
    Column("valid", "是否有效", ("有效", "有效投诉", "是否有效投诉")),
]

UNCHANGED, REFUSED = "unchanged", "refused"
UNMATCHED_LISTED = 50
DUPLICATES_LISTED = 10


@dataclass
class ComplaintRow:
    row: int
    ticket_no: str
    received_at: dt.datetime
    received_on: dt.date  # the local (Asia/Shanghai) date: quarters are local calendar quarters
    street_id: int | None
    community_id: int | None
    street_text: str
    community_text: str
    complaint_type: str
    counts: bool
    category: str
    content: str
    is_valid: bool


@dataclass
class ComplaintPlan(Plan):
    """A hotline plan, with the rows left out and why: another district, a locked or missing quarter."""

    other_districts: Counter = field(default_factory=Counter)  # district as written -> rows
    skipped: Counter = field(default_factory=Counter)  # reason -> rows
    other_quarters: Counter = field(default_factory=Counter)  # open quarter the rows go to -> rows
    # The rows left out, each with what became of it: row -> (UNCHANGED or REFUSED, why), for the API's
    # per-item answer (the workbook's preview counts them above instead).
    left_out: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def counted(self) -> int:
        """New tickets that will count against their community: a complaint type, and valid."""
        return sum(1 for row in self.creates if row.counts and row.is_valid)

    def skipped_summary(self) -> str:
        """其他区县 12 条（开福区 8 条、岳麓区 4 条）；属于已锁定的2022年第1季度 3 条."""
        parts = []
        if self.other_districts:
            parts.append(
                _("其他区县 %(n)s 条（%(each)s）")
                % counted({"n": sum(self.other_districts.values()), "each": each_count(self.other_districts)})
            )
        parts.extend(
            _("%(reason)s %(n)s 条") % counted({"reason": r, "n": n}) for r, n in self.skipped.items()
        )
        return "；".join(parts)

    def summary(self) -> str:
        """What a confirmed import did, said after it."""
        not_counted = sum(1 for row in self.creates if not row.counts)
        text = _(
            "导入完成：新增工单 %(c)s 条，其中计入投诉 %(k)s 条、诉求类型不计入 %(o)s 条、标记无效 %(i)s 条；"
            "已存在跳过 %(u)s 条。"
        ) % counted(
            {
                "c": len(self.creates),
                "k": self.counted,
                "o": not_counted,
                "i": len(self.creates) - self.counted - not_counted,
                "u": self.unchanged,
            }
        )
        skipped = self.skipped_summary()
        return text + (_("未导入：%(what)s。") % {"what": skipped} if skipped else "")


def each_count(counter: Counter) -> str:
    """开福区 8 条、岳麓区 4 条: the most frequent first."""
    return "、".join(
        _("%(name)s %(n)s 条") % counted({"name": name, "n": n}) for name, n in counter.most_common()
    )


class _Lookups:
    """What every row is checked against, loaded once; answers remembered, as an export repeats itself
    (the same districts, types and communities on thousands of rows)."""

    def __init__(self):
        self.index = matching.UnitIndex.load()
        self.periods = list(AssessmentPeriod.objects.select_related("year"))
        self.types = {y.year: y.complaint_types for y in AssessmentYear.objects.all()}
        self.known = set(HotlineComplaint.objects.values_list("ticket_no", flat=True))
        self.tz = timezone.get_default_timezone()
        self._own: dict[str, bool | None] = {}
        self._where: dict[tuple[str, str, str], tuple[int | None, int | None, str]] = {}
        self._counts: dict[tuple[int, str], bool] = {}

    def other_district(self, district: str) -> bool:
        if district not in self._own:
            self._own[district] = matching.is_own_district(district)
        return self._own[district] is False

    def quarter(self, day: dt.date) -> AssessmentPeriod | None:
        return next((p for p in self.periods if p.contains(day)), None)

    def counts(self, day: dt.date, complaint_type: str) -> bool:
        key = (day.year, complaint_type)
        if key not in self._counts:
            configured = self.types.get(day.year, complaint_types.DEFAULT_COMPLAINT_TYPES)
            self._counts[key] = complaint_types.counts_as_complaint(complaint_type, configured)
        return self._counts[key]

    def where(self, code: str, street_text: str, community_text: str) -> tuple[int | None, int | None, str]:
        """(street_id, community_id, problem): the community only when exactly one unit fits."""
        key = (code, street_text, community_text)
        if key not in self._where:
            street = self.index.street(street_text).unit if street_text else None
            found = self.index.community(community_text, street=street_text, code=code)
            if found.unit is not None:
                self._where[key] = (found.unit.street_id, found.unit.pk, "")
            else:
                problem = found.problem(community_text) if found.ambiguous else ""
                self._where[key] = (street.pk if street is not None else None, None, problem)
        return self._where[key]


def build_complaint_plan(data: bytes, *, period: AssessmentPeriod | None = None) -> ComplaintPlan:
    """Read a hotline export: tickets to create, known ones, rows skipped and why, unmatched ones, errors.

    With a period (the quarter's own import page), rows of other open quarters go to their quarter and
    rows of quarters not set up are skipped; rows of a locked quarter are always skipped.
    """
    plan = ComplaintPlan()
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    return plan_complaints(sheet, plan, period=period)


def plan_complaints(sheet: SheetRows, plan: ComplaintPlan, *, period=None) -> ComplaintPlan:
    """The rows of a sheet (or of an API push, core.api) checked against the rules: see build_complaint_plan."""
    cells = Cells(sheet, plan.errors)
    lookups = _Lookups()
    now = timezone.now()
    ticket_label, time_label = _("工单编号"), _("受理时间")
    seen: dict[str, int] = {}  # ticket number -> the row it was first seen on
    duplicates: list[tuple[int, int, str]] = []
    untyped = undistricted = 0
    problems: dict[int, str] = {}
    for number, record in sheet.rows:
        district = clean_text(record.get("district"))
        if lookups.other_district(district):
            plan.other_districts[district] += 1
            plan.left_out[number] = (REFUSED, _("其他区县（%(d)s）的工单，不属于本区。") % {"d": district})
            continue
        undistricted += not district
        before = cells.count
        ticket_no = cells.required(number, record, "ticket_no", ticket_label)
        cells.length(number, "ticket_no", ticket_no, 40)
        if ticket_no in seen:
            # Every cell, read or not: rows that differ only in a column this importer skips are
            # still two different reports, never one to be merged silently.
            first_row = seen[ticket_no]
            differ = sheet.differing_columns(first_row, number)
            if differ:
                cells.error(
                    number,
                    "ticket_no",
                    _(
                        "工单编号“%(no)s”在第%(first)d行和第%(row)d行重复，且%(cols)s不同，请核对后只保留一行。"
                    )
                    % {"no": ticket_no, "first": first_row, "row": number, "cols": "、".join(differ)},
                )
            else:
                duplicates.append((first_row, number, ticket_no))
                plan.left_out[number] = (UNCHANGED, _("与第%(row)d条相同，只导入一次。") % {"row": first_row})
            continue
        if ticket_no:
            seen[ticket_no] = number
        received_at = cells.datetime(number, record, "received_at", time_label)
        day = received_at.astimezone(lookups.tz).date() if received_at is not None else None
        if received_at is not None and received_at > now:
            cells.error(number, "received_at", _("受理时间 %(day)s 晚于今天。") % {"day": date_text(day)})
        if cells.count > before:
            continue
        if ticket_no in lookups.known:
            plan.unchanged += 1
            plan.left_out[number] = (UNCHANGED, _("工单已导入，不再重复写入。"))
            continue
        quarter = lookups.quarter(day)
        if quarter is not None and quarter.is_locked:
            reason = _("属于已锁定的%(period)s") % {"period": quarter}
            plan.skipped[reason] += 1
            plan.left_out[number] = (REFUSED, reason + _("，不能写入。"))
            continue
        if period is not None and quarter is None:
            reason = _("受理时间所在季度尚未设置")
            plan.skipped[reason] += 1
            plan.left_out[number] = (REFUSED, reason + "。")
            continue
        if period is not None and quarter.pk != period.pk:
            plan.other_quarters[str(quarter)] += 1
        valid_text = compact_text(record.get("valid"))
        is_valid = rules.parse_validity(valid_text) if valid_text else True
        if is_valid is None:
            cells.error(
                number, "valid", _("“%(value)s”无法识别，请填写 是/有效 或 否/无效。") % {"value": valid_text}
            )
            continue
        complaint_type = complaint_types.type_key(record.get("complaint_type"))
        if cells.has("complaint_type") and not complaint_type:
            untyped += 1
        street_text = clean_text(record.get("street"))
        community_text = clean_text(record.get("community"))
        street_id, community_id, problem = lookups.where(
            compact_text(record.get("community_code")), street_text, community_text
        )
        if problem:
            problems[number] = problem
        plan.creates.append(
            ComplaintRow(
                row=number,
                ticket_no=ticket_no,
                received_at=received_at,
                received_on=day,
                street_id=street_id,
                community_id=community_id,
                street_text=street_text[:100],
                community_text=community_text[:100],
                complaint_type=complaint_type[:20],
                counts=lookups.counts(day, complaint_type),
                category=clean_text(record.get("category"))[:50],
                content=clean_text(record.get("content")),
                is_valid=is_valid,
            )
        )
    # Counted rows first: the preview shows the 不计入 ones apart, after them.
    plan.creates.sort(key=lambda row: not row.counts)
    plan.notes.extend(_notes(plan, cells, duplicates, untyped, problems))
    if undistricted and cells.has("district"):
        # Told, not hidden: such a row is matched only where its street and village are this district's.
        plan.notes.append(
            _("%(n)s 条工单的“%(col)s”为空，按本区（%(district)s）工单处理，请核对。")
            % counted({"n": undistricted, "col": cells.label("district"), "district": settings.DISTRICT_NAME})
        )
    return plan


def _notes(
    plan: ComplaintPlan, cells: Cells, duplicates, untyped: int, problems: dict[int, str]
) -> list[str]:
    notes = []
    if plan.other_districts:
        notes.append(
            _("跳过其他区县的工单 %(n)s 条：%(each)s。")
            % counted({"n": sum(plan.other_districts.values()), "each": each_count(plan.other_districts)})
        )
    for reason, n in plan.skipped.items():
        notes.append(_("跳过 %(n)s 条工单：%(reason)s，不能导入。") % counted({"n": n, "reason": reason}))
    for quarter, n in plan.other_quarters.items():
        notes.append(_("%(n)d 条工单的受理时间在%(period)s，将导入到该季度。") % {"n": n, "period": quarter})
    if duplicates:
        listed = "、".join(
            _("%(no)s（第%(a)d行与第%(b)d行）") % {"no": no, "a": a, "b": b}
            for a, b, no in duplicates[:DUPLICATES_LISTED]
        )
        more = (
            _(" 等 %(n)s 条") % counted({"n": len(duplicates)}) if len(duplicates) > DUPLICATES_LISTED else ""
        )
        notes.append(
            _("文件中重复列出的工单 %(list)s%(more)s内容一致，只导入一次。") % {"list": listed, "more": more}
        )
    if not cells.has("complaint_type"):
        notes.append(_("文件中没有“诉求类型”列：所有工单都按投诉计入零投诉统计。"))
    elif untyped:
        notes.append(_("%(n)s 条工单的诉求类型为空，按投诉计入。") % counted({"n": untyped}))
    not_counted = Counter(row.complaint_type for row in plan.creates if not row.counts)
    if not_counted:
        notes.append(
            _(
                "不计入 %(n)d 条（%(each)s）：不是本年度计入投诉的诉求类型，导入后保留并标记为“不计入”，不影响零投诉。"
            )
            % {"n": sum(not_counted.values()), "each": each_count(not_counted)}
        )
    unmatched = [r for r in plan.creates if r.community_id is None]
    if unmatched:
        notes.append(
            _("%(n)s 条工单未能匹配到村（社区），导入后请在“未匹配工单”中人工指定。")
            % counted({"n": len(unmatched)})
        )
        # In the file's order, counted or not: the user goes down the sheet fixing them.
        for row in sorted(unmatched, key=lambda r: r.row)[:UNMATCHED_LISTED]:
            notes.append(
                _("第%(row)d行 工单 %(no)s：%(problem)s")
                % {
                    "row": row.row,
                    "no": row.ticket_no,
                    "problem": problems.get(row.row) or _unmatched_why(row),
                }
            )
    return notes


def _unmatched_why(row: ComplaintRow) -> str:
    """Why a row found no community, naming the part that is missing or unknown (not the street that was found)."""
    names = {"street": row.street_text, "community": row.community_text}
    if not row.community_text:
        if row.street_text:
            return _("未填写村（社区）（街镇“%(street)s”）。") % names
        return _("未填写街镇和村（社区）。")
    if row.street_id is not None:
        return _("街镇“%(street)s”下找不到村（社区）“%(community)s”。") % names
    if row.street_text:
        return _("街镇“%(street)s”未能识别，也找不到村（社区）“%(community)s”。") % names
    return _("找不到村（社区）“%(community)s”，且未填写街镇。") % names
