"""Workbooks of assessment results: zero-complaint table, ratings (also the import template), tickets."""

from decimal import Decimal

from django.utils import timezone

from assessments.models import AssessmentPeriod, Rating, TicketStatus
from assessments.selectors.hotline import zero_complaint_rows
from assessments.selectors.ratings import rated_grids
from core.xlsx_write import (
    DATETIME_FORMAT,
    MONEY_FORMAT,
    add_list_validation,
    add_table_sheet,
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
    add_table_sheet(
        workbook,
        f"{period.year.year}年第{period.quarter}季度零投诉",
        headers,
        rows,
        formats={8: MONEY_FORMAT},
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
    sheet = add_table_sheet(workbook, "网格考核", headers, rows, widths={4: 20, 5: 20})
    # Filled in and imported back: 考核等次 offers the words the importer reads.
    add_list_validation(sheet, "G", list(RATING_LABELS.values()), first_row=2, last_row=max(len(rows) + 1, 2))
    return to_bytes(workbook)


def tickets_workbook(queryset) -> bytes:
    local = timezone.localtime
    rows = (
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
    )
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
    add_table_sheet(workbook, "雷锋哨哨单", headers, rows, widths={1: 16, 2: 20, 8: 30}, formats=formats)
    return to_bytes(workbook)
