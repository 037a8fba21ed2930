"""Outputs of a batch: the 拨付明细 workbook (by street, with subtotals) and a street's 拨付通知 (PDF)."""

from collections import defaultdict
from decimal import Decimal
from urllib.parse import quote

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from core.money import capital_amount
from core.pdf import render_pdf
from core.xlsx_write import MONEY_FORMAT, add_table_sheet, new_workbook, to_bytes
from disbursements import selectors
from disbursements.models import BatchKind, BatchLine, DisbursementBatch, LineAdjustment, LineCategory

ZERO = Decimal("0.00")
CATEGORY_LABELS = {value: str(label) for value, label in LineCategory.choices}
ADJUSTMENT_LABELS = {value: str(label) for value, label in LineAdjustment.choices}


def batch_workbook(user, batch: DisbursementBatch) -> bytes:
    """拨付明细: a summary by street and every line, each street followed by its subtotal.

    A correction batch's lines say whether they are 补发 or 追回 (a negative amount) in a column of their own.
    """
    streets = selectors.street_totals(user, batch)
    summary = [[s["street__name"], s["communities"], s["lines"], s["amount"]] for s in streets]
    summary.append(
        [
            "合计",
            sum(s["communities"] for s in streets),
            sum(s["lines"] for s in streets),
            sum((s["amount"] for s in streets), ZERO),
        ]
    )
    lines = (
        selectors.lines_for_table(user, batch)
        .order_by("street__code", "community__code", "grid__code", "pk")
        .values_list(
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
    )
    correction = batch.kind == BatchKind.CORRECTION
    blank = [""] * (7 if correction else 6)

    def row(street, community, code, grid, category, reason, rule, adjustment, amount):
        cells = [street, community or "", code or "", grid or "", CATEGORY_LABELS[category]]
        if correction:
            cells.append(ADJUSTMENT_LABELS.get(adjustment, ""))
        return [*cells, reason, rule, amount]

    detail, current, subtotal = [], None, ZERO
    for values in lines.iterator(chunk_size=2000):
        street, amount = values[0], values[-1]
        if current is not None and street != current:
            detail.append([f"{current} 小计", *blank, subtotal])
            subtotal = ZERO
        current = street
        subtotal += amount
        detail.append(row(*values))
    if current is not None:
        detail.append([f"{current} 小计", *blank, subtotal])
    detail.append(["合计", *blank, summary[-1][3]])
    communities = [
        [c["street__name"], c["community__code"], c["community__name"], c["lines"], c["amount"]]
        for c in selectors.community_totals(user, batch)
    ]
    workbook = new_workbook(write_only=True)
    add_table_sheet(
        workbook,
        "拨付到各街镇",
        ["街镇", "村（社区）数", "明细条数", "金额（元）"],
        summary,
        formats={4: MONEY_FORMAT},
    )
    add_table_sheet(
        workbook,
        "下发至各村（社区）",
        ["街镇", "村（社区）编码", "村（社区）", "明细条数", "金额（元）"],
        communities,
        formats={5: MONEY_FORMAT},
    )
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
        widths={1: 16, 2: 14, 3: 20, 6 + shift: 18, 7 + shift: 30},
        formats={8 + shift: MONEY_FORMAT},
    )
    return to_bytes(workbook)


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
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    filename = quote(f"拨付通知-{batch.title}-{street.name}.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response
