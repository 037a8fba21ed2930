"""Workbooks of assessment results: zero-complaint table, ratings (also the import template), tickets."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AssessmentPeriod, Rating, TicketStatus
from assessments.selectors.hotline import zero_complaint_rows
from assessments.selectors.ratings import rated_grids
from core.access import scope_name
from core.xlsx_write import (
    COUNT_FORMAT,
    DATETIME_FORMAT,
    MONEY_FORMAT,
    add_list_validation,
    add_table_sheet,
    heading_lines,
    new_workbook,
    to_bytes,
)
from grids.models import GridLevel

RATING_LABELS = {value: str(label) for value, label in Rating.choices}
STATUS_LABELS = {value: str(label) for value, label in TicketStatus.choices}


def zero_complaint_workbook(user, period: AssessmentPeriod, *, street_id=None) -> bytes:
    """The zero-complaint page as a sheet: counted complaints, tickets 不计入 by their type, result, reward."""
    results = zero_complaint_rows(user, period, street_id=street_id)
    rows = [
        [
            r.street_name,
            r.code,
            r.name,
            r.kind_label,
            r.complaints,
            r.not_counted,
            "是" if r.is_zero else "否",
            r.reward,
        ]
        for r in results
    ]
    rows.append(
        [
            "合计",
            "",
            "",
            "",
            sum(r.complaints for r in results),
            sum(r.not_counted for r in results),
            sum(1 for r in results if r.is_zero),
            sum((r.reward for r in results), Decimal("0.00")),
        ]
    )
    workbook = new_workbook(write_only=True)
    headers = [
        "街镇",
        "村（社区）编码",
        "村（社区）",
        "类型",
        "有效投诉数",
        "不计入工单数",
        "零投诉",
        "奖励金额（元）",
    ]
    unit = results[0].street_name if street_id and results else scope_name(user)
    add_table_sheet(
        workbook,
        f"{period.year.year}年第{period.quarter}季度零投诉",
        headers,
        rows,
        formats={5: COUNT_FORMAT, 6: COUNT_FORMAT, 8: MONEY_FORMAT},
        heading=heading_lines(
            _("%(period)s12345热线“零投诉”村（社区）评比结果") % {"period": period}, unit, _("单位：元")
        ),
        orientation="portrait",
        centred=frozenset({7}),  # 是/否
    )
    return to_bytes(workbook)


def ratings_workbook(user, period: AssessmentPeriod) -> bytes:
    """Every level-3/4 grid of the quarter in scope with its rating (blank when not yet rated)."""
    rows = [
        [
            grid["street__name"],
            grid["community__name"],
            grid["parent__name"] if grid["level"] == GridLevel.LEVEL4 else "",
            grid["code"],
            grid["name"],
            "三级网格" if grid["level"] == GridLevel.LEVEL3 else "四级网格",
            RATING_LABELS.get(grid["rated__rating"], ""),
            grid["rated__score"],
            grid["rated__remark"] or "",
        ]
        for grid in rated_grids(user, period)
    ]
    workbook = new_workbook(write_only=True)
    headers = [
        "街镇",
        "村（社区）",
        "所属三级网格",
        "网格编码",
        "网格名称",
        "层级",
        "考核等次",
        "得分",
        "备注",
    ]
    heading = heading_lines(_("%(period)s三级、四级网格考核评定表") % {"period": period}, scope_name(user))
    sheet = add_table_sheet(workbook, "网格考核", headers, rows, heading=heading, orientation="landscape")
    # Filled in and imported back (the importer finds the header under the title): 考核等次 offers the words
    # the importer reads.
    first = len(heading) + 2
    add_list_validation(
        sheet, "G", list(RATING_LABELS.values()), first_row=first, last_row=first + max(len(rows), 1) - 1
    )
    return to_bytes(workbook)


def tickets_workbook(queryset, *, unit: str | None = None) -> bytes:
    """The 哨单 of a list (its filters applied) as a sheet titled for the unit it covers; without a unit, a
    bare table (the blank form an import fills in is its header alone)."""
    local = timezone.localtime
    rows = [
        [
            t.number,
            t.grid.code,
            t.grid.name,
            t.street.name,
            t.reporter,
            local(t.collected_at).replace(tzinfo=None),
            t.category,
            t.description,
            t.department,
            STATUS_LABELS[t.status],
            local(t.whistled_at).replace(tzinfo=None) if t.whistled_at else None,
            local(t.reported_at).replace(tzinfo=None) if t.reported_at else None,
            local(t.closed_at).replace(tzinfo=None) if t.closed_at else None,
        ]
        for t in queryset.iterator(chunk_size=2000)
    ]
    headers = [
        "哨单编号",
        "网格编码",
        "网格名称",
        "街镇",
        "采集人",
        "采集时间",
        "问题类别",
        "问题描述",
        "责任单位",
        "状态",
        "吹哨时间",
        "报到时间",
        "办结时间",
    ]
    workbook = new_workbook(write_only=True)
    formats = {6: DATETIME_FORMAT, 11: DATETIME_FORMAT, 12: DATETIME_FORMAT, 13: DATETIME_FORMAT}
    add_table_sheet(
        workbook,
        "雷锋哨哨单",
        headers,
        rows,
        formats=formats,
        heading=None if unit is None else heading_lines(_("雷锋哨哨单"), unit),
        orientation=None if unit is None else "landscape",
    )
    return to_bytes(workbook)
