"""Named reads of budgets and batches for pages, exports and reports."""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from assessments.models import AssessmentPeriod, PeriodStatus
from core import access
from core.charts import chart_value
from core.money import ZERO
from core.numbers import percent, round2
from disbursements.models import (
    COMMITTED,
    QUARTER_KINDS,
    BatchAction,
    BatchKind,
    BatchLine,
    BatchStatus,
    BatchTransition,
    Budget,
    DisbursementBatch,
    LineCategory,
)
from grids.models import Grid
from grids.selectors import upper_labels


def _sum(queryset, field: str = "total") -> Decimal:
    return round2(queryset.aggregate(s=Coalesce(Sum(field), ZERO))["s"])  # SQLite drops the 2 places


def appropriation(budget: Budget) -> Decimal:
    """当年财政拨款's 全年预算数: the 年初预算数 with the year's adjustments."""
    return budget.amount + _sum(budget.adjustments.all(), "amount")


def full_year_budget(budget: Budget) -> Decimal:
    """年度资金总额's 全年预算数: what the year's batches may commit (the budget check and execution rate)."""
    return appropriation(budget) + budget.carryover + budget.other_funds


def paid_total(budget: Budget) -> Decimal:
    """全年执行数: the net of the year's paid batches (a correction's 追回 lowers it)."""
    return _sum(budget.batches.filter(status=BatchStatus.PAID))


def budget_sources(budget: Budget | None) -> list[dict]:
    """The 项目资金 rows of the MOF self-evaluation form, in 元: 年度资金总额 and its three sources.

    Each row has 年初预算数 (initial), 全年预算数 (full_year) and 全年执行数 (executed). The batches do not
    say which source paid them, so the paid money is told against the sources in the order money is
    spent: 上年结转资金 first (结转资金优先使用, 国发〔2014〕45号), then 当年财政拨款, then 其他资金,
    each up to its 全年预算数. Adjustments change only 当年财政拨款.
    """
    if budget is None:
        carryover = other = initial = adjusted = executed = ZERO
    else:
        carryover, other, initial = budget.carryover, budget.other_funds, budget.amount
        adjusted, executed = appropriation(budget), paid_total(budget)
    left = executed
    spent = {}
    for key, ceiling in (("carryover", carryover), ("appropriation", adjusted), ("other", other)):
        spent[key] = min(max(left, ZERO), ceiling)
        left -= spent[key]
    spent["appropriation"] += left  # beyond every ceiling (or a net recovery): shown, never hidden
    sources = [
        {"key": "appropriation", "label": "其中：本年财政拨款", "initial": initial, "full_year": adjusted},
        {"key": "carryover", "label": "上年结转资金", "initial": carryover, "full_year": carryover},
        {"key": "other", "label": "其他资金", "initial": other, "full_year": other},
    ]
    for row in sources:
        row["executed"] = spent[row["key"]]
    total = {
        "key": "total",
        "label": "年度资金总额",
        "initial": sum((r["initial"] for r in sources), ZERO),
        "full_year": sum((r["full_year"] for r in sources), ZERO),
        "executed": executed,
    }
    return [total, *sources]


def committed_total(budget: Budget, *, exclude: DisbursementBatch | None = None) -> Decimal:
    """Approved and paid batches of a budget: the money no longer available."""
    batches = budget.batches.filter(status__in=COMMITTED)
    if exclude is not None:
        batches = batches.exclude(pk=exclude.pk)
    return _sum(batches)


def budget_summary(budget: Budget) -> dict:
    """Allocated, approved, paid, remaining and the execution rate, by quarter and by category.

    A quarter's row holds its quarterly batch and its corrections, so its figures are net.
    """
    batches = list(budget.batches.live().select_related("period").order_by("kind", "period__quarter", "pk"))
    full_year = full_year_budget(budget)
    by_status = {
        status: sum((b.total for b in batches if b.status == status), ZERO) for status in BatchStatus.values
    }
    allocated = sum((b.total for b in batches), ZERO)
    approved, paid = by_status[BatchStatus.APPROVED], by_status[BatchStatus.PAID]
    quarters = []
    for quarter in range(1, 5):
        rows = sorted(
            (b for b in batches if b.kind in QUARTER_KINDS and b.period.quarter == quarter),
            key=lambda b: b.pk,
        )
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
        "full_year": full_year,
        "allocated": allocated,
        "approved": approved,
        "paid": paid,
        "committed": approved + paid,
        "remaining": full_year - approved - paid,
        "execution_rate": percent(paid, full_year),
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
    # A street admin sees only the batches paying its street, and only its street's share of them.
    own = BatchLine.objects.filter(batch=OuterRef("pk"), street_id=street or 0)
    return batches.filter(Exists(own)).annotate(
        visible_total=Coalesce(Sum("lines__amount", filter=Q(lines__street_id=street or 0)), ZERO)
    )


# Steps a street admin reads on a batch's timeline besides its own street's: the status changes and how the
# batch was made, without their comments (a reason or a line may name another street's payee or amount).
SHARED_STEPS = ("generate", "regenerate", "create", "submit", "approve", "reject", "pay", "cancel")


def batch_visible(user, batch: DisbursementBatch) -> bool:
    """Whether the user may open the batch: the district any batch, a street admin those paying its street
    (batches_for_table's rule, without its query for the district)."""
    if access.street_scope(user) is True:
        return True
    return batches_for_table(user).filter(pk=batch.pk).exists()


def timeline_for(user, batch: DisbursementBatch) -> list[BatchTransition]:
    """The batch's timeline as the user may read it: whole for the district, else the street's share."""
    steps = batch.transitions.select_related("user")
    street = access.street_scope(user)
    if street is True:
        return list(steps)
    visible = []
    for step in steps.filter(Q(street_id=street or 0) | Q(street__isnull=True, action__in=SHARED_STEPS)):
        if step.street_id is None:
            step.comment = ""
        visible.append(step)
    return visible


def batch_detail(pk: int) -> DisbursementBatch:
    return DisbursementBatch.objects.select_related(
        "budget", "period", "period__year", "created_by", "submitted_by", "approved_by"
    ).get(pk=pk)


def lines_for_table(user, batch: DisbursementBatch):
    # Only what the lines table shows (LineTable): of the three grids a line names, their names.
    return (
        BatchLine.objects.for_user(user)
        .filter(batch=batch)
        .select_related("street", "community", "grid")
        .only(
            "category",
            "reason",
            "rule",
            "adjustment",
            "amount",
            "street__name",
            "community__name",
            "grid__name",
        )
    )


def line_sums(user, batch: DisbursementBatch) -> list[dict]:
    """The batch's lines the user may see, summed per street and village/community (community_id None: the
    street's own lines), with the names and codes of both, by street and village code.

    One aggregate without joins (the 5,805 lines of a quarter joined to the roster for their names took
    twice as long), the names from the roster's upper levels kept (grids.selectors.upper_labels); the batch
    page's street totals and its 到账/下发 parts are both worked out from it."""
    rows = list(
        BatchLine.objects.for_user(user)
        .filter(batch=batch)
        .values("street_id", "community_id")
        .annotate(amount=Coalesce(Sum("amount"), ZERO), lines=Count("id"))
        .order_by()
    )
    labels = upper_labels()
    unknown = {r["street_id"] for r in rows} | {r["community_id"] for r in rows if r["community_id"]}
    unknown -= labels.keys()
    if unknown:  # a street or village set up since the kept names were read (within this request)
        labels = {
            **labels,
            **{
                pk: (name, code)
                for pk, name, code in Grid.objects.filter(pk__in=unknown).values_list("pk", "name", "code")
            },
        }
    for row in rows:
        row["batch_id"] = batch.pk
        row["street__name"], row["street__code"] = labels[row["street_id"]]
        row["community__name"], row["community__code"] = labels.get(row["community_id"], (None, None))
    rows.sort(key=lambda r: (r["street__code"], r["community__code"] or ""))
    return rows


def street_totals(user, batch: DisbursementBatch, sums: list[dict] | None = None) -> list[dict]:
    """拨付到各街镇: the batch's amount per street, with how many lines and communities (sums: line_sums'
    rows, when the caller has them)."""
    streets: dict[int, dict] = {}
    for row in line_sums(user, batch) if sums is None else sums:
        street = streets.setdefault(
            row["street_id"],
            {
                "street_id": row["street_id"],
                "street__name": row["street__name"],
                "street__code": row["street__code"],
                "amount": ZERO,
                "lines": 0,
                "communities": 0,
            },
        )
        street["amount"] += row["amount"]
        street["lines"] += row["lines"]
        street["communities"] += row["community_id"] is not None
    return sorted(streets.values(), key=lambda s: s["street__code"])


def summed(rows: list[dict], *keys: str) -> dict:
    """A table's 合计 row: each of `keys` summed over the rows (street_totals' communities, lines, amount)."""
    return {key: sum((row[key] for row in rows), start=ZERO if key == "amount" else 0) for key in keys}


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


def quarter_batches(user, batch: DisbursementBatch) -> list[DisbursementBatch]:
    """The other batches of the batch's quarter (its own batch and corrections), oldest first, each with
    the total the user may see (visible_total)."""
    if batch.period_id is None:
        return []
    return list(batches_for_table(user).filter(period_id=batch.period_id).exclude(pk=batch.pk).order_by("pk"))


def adjustment_totals(user, batch: DisbursementBatch) -> dict:
    """A correction's 补发 and 追回 (a negative amount) as the user may see them."""
    lines = BatchLine.objects.for_user(user).filter(batch=batch)
    return {
        "supplement": _sum(lines.filter(amount__gt=0), "amount"),
        "recovery": _sum(lines.filter(amount__lt=0), "amount"),
    }


def periods_awaiting_batch(frozen_years=()):
    """Locked quarters with no live batch yet, newest first (outside the signed-off years given)."""
    return (
        AssessmentPeriod.objects.filter(status=PeriodStatus.LOCKED)
        .exclude(batches__in=DisbursementBatch.objects.live())
        .exclude(year__year__in=frozen_years)
        .select_related("year")
        .order_by("-year__year", "-quarter")
    )


# Steps that edit a special batch's lines one by one (a batch of 146 payees has 146): folded on the page.
LINE_STEPS = (BatchAction.ADD_LINE, BatchAction.REMOVE_LINE, BatchAction.IMPORT_LINES)


def batch_page(user, batch: DisbursementBatch, *, street_id: int | None = None) -> dict:
    """What a batch's page shows the user: its street and village totals, the steps the user may take,
    its timeline as the user may read it, its corrections and each street's 到账/下发 (street_id: the
    street whose villages are listed)."""
    from disbursements.selectors_receipts import street_parts
    from disbursements.services.workflow import allowed_transitions, year_frozen

    frozen = year_frozen(batch.budget.year) if batch.status != BatchStatus.CANCELLED else None
    district = access.street_scope(user) is True
    can_prepare = district and access.can(user, "disbursements.prepare_batch")
    timeline = timeline_for(user, batch)
    sums = line_sums(user, batch)
    streets = street_totals(user, batch, sums)
    editable = batch.is_editable and can_prepare and not frozen
    return {
        "batch": batch,
        "streets": streets,
        "streets_sum": summed(streets, "communities", "lines", "amount"),
        "communities": community_totals(user, batch, street_id) if street_id is not None else [],
        "notice_ready": batch.status in COMMITTED,
        "scoped_total": batch.total if district else scoped_total(user, batch),
        "is_scoped": not district,
        # the workflow's steps, then the line edits and each street's 到账/下发 steps folded below them
        "timeline": [s for s in timeline if s.street_id is None and s.action not in LINE_STEPS],
        "line_steps": [s for s in timeline if s.action in LINE_STEPS],
        "street_steps": [s for s in timeline if s.street_id is not None],
        "actions": allowed_transitions(user, batch, frozen=frozen),
        "frozen": frozen,
        "can_edit_lines": batch.kind == BatchKind.SPECIAL and editable,
        "special_lines": batch.lines.select_related("street", "community")
        if batch.kind == BatchKind.SPECIAL
        else [],
        "regenerate": batch.kind == BatchKind.QUARTERLY and editable,
        "correct": batch.kind == BatchKind.QUARTERLY and batch.status == BatchStatus.PAID,
        "adjustments": adjustment_totals(user, batch) if batch.kind == BatchKind.CORRECTION else None,
        "can_prepare": can_prepare,
        "related": quarter_batches(user, batch),
        "street_parts": street_parts(user, batch=batch, sums=sums)
        if batch.status == BatchStatus.PAID
        else [],
    }
