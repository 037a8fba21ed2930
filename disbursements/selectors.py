"""Named reads of budgets and batches for pages, exports and reports."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from core import access
from core.charts import chart_value
from core.numbers import percent
from disbursements.models import (
    COMMITTED,
    BatchKind,
    BatchLine,
    BatchStatus,
    Budget,
    DisbursementBatch,
    LineCategory,
)

ZERO = Decimal("0.00")


def _sum(queryset, field: str = "total") -> Decimal:
    return queryset.aggregate(s=Coalesce(Sum(field), ZERO))["s"]


def committed_total(budget: Budget, *, exclude: DisbursementBatch | None = None) -> Decimal:
    """Approved and paid batches of a budget: the money no longer available."""
    batches = budget.batches.filter(status__in=COMMITTED)
    if exclude is not None:
        batches = batches.exclude(pk=exclude.pk)
    return _sum(batches)


def budget_summary(budget: Budget) -> dict:
    """Allocated, approved, paid, remaining and the execution rate, by quarter and by category."""
    batches = list(budget.batches.live().select_related("period").order_by("kind", "period__quarter", "pk"))
    by_status = {
        status: sum((b.total for b in batches if b.status == status), ZERO) for status in BatchStatus.values
    }
    allocated = sum((b.total for b in batches), ZERO)
    approved, paid = by_status[BatchStatus.APPROVED], by_status[BatchStatus.PAID]
    quarters = []
    for quarter in range(1, 5):
        rows = [b for b in batches if b.kind == BatchKind.QUARTERLY and b.period.quarter == quarter]
        quarters.append(_row(f"第{quarter}季度", rows))
    quarters.append(_row("专项拨付", [b for b in batches if b.kind == BatchKind.SPECIAL]))
    categories = {
        row["category"]: row["amount"]
        for row in BatchLine.objects.filter(batch__budget=budget, batch__status__in=COMMITTED)
        .values("category")
        .annotate(amount=Coalesce(Sum("amount"), ZERO))
        .order_by()
    }
    return {
        "budget": budget,
        "allocated": allocated,
        "approved": approved,
        "paid": paid,
        "committed": approved + paid,
        "remaining": budget.amount - approved - paid,
        "execution_rate": percent(paid, budget.amount),
        "quarters": quarters,
        "categories": [(label, categories.get(value, ZERO)) for value, label in LineCategory.choices],
    }


def _row(label: str, batches: list[DisbursementBatch]) -> dict:
    def total(*statuses):
        return sum((b.total for b in batches if b.status in statuses), ZERO)

    return {
        "label": label,
        "batches": batches,
        "allocated": total(*BatchStatus.values),
        "approved": total(BatchStatus.APPROVED),
        "paid": total(BatchStatus.PAID),
    }


def disbursement_chart(summary: dict) -> dict:
    """Paid and approved money per quarter and for special batches, as a stacked bar chart."""
    return {
        "type": "bar",
        "labels": [row["label"] for row in summary["quarters"]],
        "datasets": [
            {"label": "已拨付（元）", "data": [chart_value(row["paid"]) for row in summary["quarters"]]},
            {
                "label": "已审核待拨付（元）",
                "data": [chart_value(row["approved"]) for row in summary["quarters"]],
            },
        ],
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }


def batches_for_table(user):
    """Batches with the total the user may see: a street admin sees its own street's share."""
    batches = DisbursementBatch.objects.select_related("budget", "period", "created_by").order_by(
        "-budget__year", "kind", "period__quarter", "pk"
    )
    street = access.street_scope(user)
    if street is True:
        return batches.annotate(visible_total=F("total"))
    return batches.annotate(
        visible_total=Coalesce(Sum("lines__amount", filter=Q(lines__street_id=street or 0)), ZERO)
    )


def batch_detail(pk: int) -> DisbursementBatch:
    return DisbursementBatch.objects.select_related(
        "budget", "period", "period__year", "created_by", "submitted_by", "approved_by"
    ).get(pk=pk)


def lines_for_table(user, batch: DisbursementBatch):
    return BatchLine.objects.for_user(user).filter(batch=batch).select_related("street", "community", "grid")


def street_totals(user, batch: DisbursementBatch) -> list[dict]:
    """拨付到各街镇: the batch's amount per street, with how many lines and communities."""
    return list(
        BatchLine.objects.for_user(user)
        .filter(batch=batch)
        .values("street_id", "street__name", "street__code")
        .annotate(
            amount=Coalesce(Sum("amount"), ZERO),
            lines=Count("id"),
            communities=Count("community", distinct=True),
        )
        .order_by("street__code")
    )


def community_totals(user, batch: DisbursementBatch, street_id: int | None = None) -> list[dict]:
    """下发至各村（社区）: the batch's amount per village/community."""
    lines = BatchLine.objects.for_user(user).filter(batch=batch, community__isnull=False)
    if street_id:
        lines = lines.filter(street_id=street_id)
    return list(
        lines.values("street__name", "street__code", "community_id", "community__name", "community__code")
        .annotate(amount=Coalesce(Sum("amount"), ZERO), lines=Count("id"))
        .order_by("community__code")
    )


def queue_for(user):
    """Batches waiting for this finance officer: to approve (submitted) or to pay (approved), not their own."""
    mine = Q(created_by=user) | Q(submitted_by=user)
    return (
        DisbursementBatch.objects.filter(status__in=(BatchStatus.SUBMITTED, BatchStatus.APPROVED))
        .exclude(mine)
        .select_related("budget", "period", "created_by", "submitted_by")
        .order_by("status", "pk")
    )


def scoped_total(user, batch: DisbursementBatch) -> Decimal:
    return _sum(BatchLine.objects.for_user(user).filter(batch=batch), "amount")
