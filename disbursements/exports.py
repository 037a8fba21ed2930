"""Outputs of a batch: the 拨付明细 workbook (by street, with subtotals), a street's 拨付通知 (PDF) and its
part as a workbook; of a street's year: its 下发台账 workbook."""

from collections import defaultdict

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from core.formats import date_text
from core.http import pdf_response
from core.money import ZERO, capital_amount
from core.pdf import render_pdf
from core.xlsx_write import (
    COUNT_FORMAT,
    DATE_FORMAT,
    MONEY_FORMAT,
    add_table_sheet,
    heading_lines,
    new_workbook,
    to_bytes,
)
from disbursements import selectors, selectors_receipts
from disbursements.models import (
    BatchKind,
    BatchLine,
    DisbursementBatch,
    LineAdjustment,
    LineCategory,
    PassOnKind,
)

CATEGORY_LABELS = {value: str(label) for value, label in LineCategory.choices}
ADJUSTMENT_LABELS = {value: str(label) for value, label in LineAdjustment.choices}
PASS_ON_LABELS = {value: str(label) for value, label in PassOnKind.choices}


def batch_workbook(user, batch: DisbursementBatch) -> bytes:
    """拨付明细: a summary by street with its total in capital numerals, the amounts per village/community,
    and every line, each street followed by its subtotal.

    A correction batch's lines say whether they are 补发 or 追回 (a negative amount) in a column of their own.
    """
    streets = selectors.street_totals(user, batch)
    summary = [[s["street__name"], s["communities"], s["lines"], s["amount"]] for s in streets]
    total = sum((s["amount"] for s in streets), ZERO)
    summary.append(["合计", sum(s["communities"] for s in streets), sum(s["lines"] for s in streets), total])
    communities = [
        [c["street__name"], c["community__code"], c["community__name"], c["lines"], c["amount"]]
        for c in selectors.community_totals(user, batch)
    ]
    communities.append(
        ["合计", "", "", sum(c[3] for c in communities), sum((c[4] for c in communities), ZERO)]
    )
    workbook = new_workbook(write_only=True)
    add_table_sheet(
        workbook,
        "拨付到各街镇",
        ["街镇", "村（社区）数", "明细条数", "金额（元）"],
        summary,
        widths={1: 18, 4: 18},
        formats={2: COUNT_FORMAT, 3: COUNT_FORMAT, 4: MONEY_FORMAT},
        heading=_heading(batch, "拨付到各街镇"),
        footing=[_capital_line(total)],
        orientation="portrait",
    )
    add_table_sheet(
        workbook,
        "下发至各村（社区）",
        ["街镇", "村（社区）编码", "村（社区）", "明细条数", "金额（元）"],
        communities,
        widths={5: 16},
        formats={4: COUNT_FORMAT, 5: MONEY_FORMAT},
        heading=_heading(batch, "下发至各村（社区）"),
        orientation="portrait",
    )
    _add_lines_sheet(workbook, batch, selectors.lines_for_table(user, batch), subtotals=True)
    return to_bytes(workbook)


def street_workbook(batch: DisbursementBatch, street) -> bytes:
    """A street's own part of a batch, as its 拨付通知 gives it: per village/community and category with the
    total in capital numerals, then the street's lines. The caller has checked the street is the user's."""
    notice = notice_context(batch, street)
    columns = (
        [("zero", "零投诉奖励（元）"), ("rating", "网格考核奖励（元）")] if notice["has_quarterly"] else []
    )
    if notice["has_special"]:
        columns.append(("special", "专项经费（元）"))
    rows = [
        [number, c["name"], *(c[key] for key, _label in columns), c["total"]]
        for number, c in enumerate(notice["communities"], start=1)
    ]
    rows.append(
        [
            "",
            "合计",
            *(sum((c[key] for c in notice["communities"]), ZERO) for key, _label in columns),
            notice["total"],
        ]
    )
    workbook = new_workbook(write_only=True)
    money = range(3, len(columns) + 4)
    add_table_sheet(
        workbook,
        "拨付汇总",
        ["序号", "村（社区）", *(label for _key, label in columns), "小计（元）"],
        rows,
        widths={1: 6, 2: 24},
        formats=dict.fromkeys(money, MONEY_FORMAT),
        heading=_heading(batch, "拨付汇总", street.name),
        footing=[_capital_line(notice["total"])],
        orientation="portrait",
    )
    lines = BatchLine.objects.filter(batch=batch, street=street).select_related("street", "community", "grid")
    _add_lines_sheet(workbook, batch, lines, subtotals=False, street_name=street.name)
    return to_bytes(workbook)


def _add_lines_sheet(workbook, batch: DisbursementBatch, lines, *, subtotals: bool, street_name: str = ""):
    """The 拨付明细 sheet: every line, with a subtotal after each street's (when asked) and the 合计."""
    lines = lines.order_by("street__code", "community__code", "grid__code", "pk").values_list(
        "street__name",
        "community__name",
        "grid__code",
        "grid__name",
        "category",
        "reason",
        "rule",
        "adjustment",
        "amount",
    )
    correction = batch.kind == BatchKind.CORRECTION
    blank = [""] * (7 if correction else 6)

    def row(street, community, code, grid, category, reason, rule, adjustment, amount):
        cells = [street, community or "", code or "", grid or "", CATEGORY_LABELS[category]]
        if correction:
            cells.append(ADJUSTMENT_LABELS.get(adjustment, ""))
        return [*cells, reason, rule, amount]

    detail, current, subtotal, total = [], None, ZERO, ZERO
    for values in lines.iterator(chunk_size=2000):
        street, amount = values[0], values[-1]
        if subtotals and current is not None and street != current:
            detail.append([f"{current} 小计", *blank, subtotal])
            subtotal = ZERO
        current = street
        subtotal += amount
        total += amount
        detail.append(row(*values))
    if subtotals and current is not None:
        detail.append([f"{current} 小计", *blank, subtotal])
    detail.append(["合计", *blank, total])
    headers = [
        "街镇",
        "村（社区）",
        "网格编码",
        "网格",
        "类别",
        *(["更正"] if correction else []),
        "事由",
        "标准",
    ]
    shift = 1 if correction else 0
    add_table_sheet(
        workbook,
        "拨付明细",
        [*headers, "金额（元）"],
        detail,
        widths={8 + shift: 14},
        formats={8 + shift: MONEY_FORMAT},
        heading=_heading(batch, "拨付明细", street_name),
        orientation="landscape",
    )


def _heading(batch: DisbursementBatch, part: str, street_name: str = "") -> list[str]:
    """A sheet's title lines: what it is (and for which street), then the batch's state, payment and 文号
    as the notice has them, and the day the workbook was made."""
    facts = [f"状态：{batch.get_status_display()}"]
    if batch.paid_on:
        facts.append(f"拨付日期：{date_text(batch.paid_on)}")
    if batch.notice_no:
        facts.append(f"拨付通知文号：{batch.notice_no}")
    facts.append("单位：元")
    title = (
        f"{batch.title}{street_name}{part}" if not street_name else f"{batch.title}{part}（{street_name}）"
    )
    return heading_lines(title, *facts)


def _capital_line(total) -> str:
    """The total in capital numerals under a summary, as a payment document states it."""
    return f"合计金额（大写）：{capital_amount(total)}"


def notice_context(batch: DisbursementBatch, street) -> dict:
    """The figures of a street's 拨付通知: its total, per village/community and category."""
    rows = (
        BatchLine.objects.filter(batch=batch, street=street)
        .values("community_id", "community__name", "community__code", "category")
        .annotate(amount=Coalesce(Sum("amount"), ZERO))
        .order_by("community__code")
    )
    table: dict = defaultdict(lambda: {"name": "", "amounts": defaultdict(lambda: ZERO)})
    for row in rows:
        entry = table[row["community__code"] or ""]
        entry["name"] = row["community__name"] or "街镇本级"
        entry["amounts"][row["category"]] += row["amount"]
    communities = []
    for key in sorted(table, key=lambda k: (k == "", k)):
        amounts = table[key]["amounts"]
        communities.append(
            {
                "name": table[key]["name"],
                "zero": amounts[LineCategory.ZERO_COMPLAINT],
                "rating": amounts[LineCategory.GRID_RATING],
                "special": amounts[LineCategory.SPECIAL],
                "total": sum(amounts.values(), ZERO),
            }
        )
    total = sum((c["total"] for c in communities), ZERO)
    return {
        "batch": batch,
        "street": street,
        "communities": communities,
        "total": total,
        "capital": capital_amount(total),
        "has_special": any(c["special"] for c in communities),
        "has_quarterly": any(c["zero"] or c["rating"] for c in communities),
        "issued_on": batch.paid_on or timezone.localdate(),
    }


def notice_response(batch: DisbursementBatch, street) -> HttpResponse:
    html = render_to_string("disbursements/pdf/notice.html", notice_context(batch, street))
    return pdf_response(render_pdf(html), f"拨付通知-{batch.title}-{street.name}.pdf", inline=True)


def pass_on_ledger(user, *, street, year: int) -> bytes:
    """下发台账 of a street's year: each paid batch's part (paid, received, passed on, held), what each
    village/community was due and given, and every 下发 and correction as recorded, each with its totals."""
    parts = [p for p in selectors_receipts.street_parts(user, year=year) if p.street_id == street.pk]
    summary = [
        [
            part.batch.title,
            part.batch.paid_on,
            part.amount,
            part.receipt.received_on if part.receipt else None,
            part.receipt.voucher_no if part.receipt else "",
            part.received,
            part.passed,
            part.held,
            part.owed,
            part.status_label,
        ]
        for part in parts
    ]
    total = [sum((row[i] for row in summary), ZERO) for i in (2, 5, 6, 7, 8)]
    summary.append(["合计", None, total[0], None, "", *total[1:], ""])
    shares = [
        [part.batch.title, share.code, share.name, share.due, share.passed, share.outstanding]
        for part in parts
        for share in part.communities
    ]
    shares.append(["合计", "", "", *(sum((row[i] for row in shares), ZERO) for i in (3, 4, 5))])
    entries = [
        [
            entry.receipt.batch.title,
            entry.community.code,
            entry.community.name,
            PASS_ON_LABELS[entry.kind],
            entry.passed_on,
            entry.voucher_no,
            entry.amount,
            entry.reason,
            str(entry.created_by),
        ]
        for entry in selectors_receipts.street_year_entries(user, street_id=street.pk, year=year)
    ]
    entries.append(["合计", "", "", "", None, "", sum((row[6] for row in entries), ZERO), "", ""])
    workbook = new_workbook(write_only=True)
    money = dict.fromkeys((3, 6, 7, 8, 9), MONEY_FORMAT)
    add_table_sheet(
        workbook,
        "到账与下发",
        [
            "批次",
            "拨付日期",
            "拨付（元）",
            "到账日期",
            "到账凭证号",
            "到账（元）",
            "已下发（元）",
            "街镇留存（元）",
            "未下发到村（社区）（元）",
            "状态",
        ],
        summary,
        formats={2: DATE_FORMAT, 4: DATE_FORMAT, **money},
        heading=heading_lines(f"{street.name}{year}年下发台账：到账与下发", "单位：元"),
        orientation="landscape",
    )
    add_table_sheet(
        workbook,
        "各村（社区）应发与已发",
        ["批次", "村（社区）编码", "村（社区）", "应下发（元）", "已下发（元）", "差额（元）"],
        shares,
        formats=dict.fromkeys((4, 5, 6), MONEY_FORMAT),
        heading=heading_lines(f"{street.name}{year}年下发台账：各村（社区）应发与已发", "单位：元"),
        orientation="portrait",
    )
    add_table_sheet(
        workbook,
        "下发记录",
        [
            "批次",
            "村（社区）编码",
            "村（社区）",
            "类型",
            "下发日期",
            "凭证号",
            "金额（元）",
            "说明",
            "登记人",
        ],
        entries,
        formats={5: DATE_FORMAT, 7: MONEY_FORMAT},
        heading=heading_lines(f"{street.name}{year}年下发台账：下发记录", "单位：元"),
        orientation="landscape",
    )
    return to_bytes(workbook)
