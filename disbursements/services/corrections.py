"""The 更正批次 of a paid quarter: what its corrected results pay (补发) or take back (追回).

A paid batch is never changed. When a paid quarter is reopened (assessments.services.periods.unlock_period,
with a reason), corrected and locked again, the correction batch holds, per result (a community's
zero-complaint result or a grid's rating), the difference between what the locked results are now
worth, under the rules frozen in the quarter's own batch, and what the quarter's paid batches already
paid for it. It then goes through the same workflow and budget check as any batch.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from assessments.models import AssessmentPeriod, GridRating, PeriodStatus, ZeroComplaintResult
from core.formats import counted, yuan_text
from core.money import ZERO
from disbursements import rewards
from disbursements.exceptions import DisbursementError
from disbursements.models import (
    BatchKind,
    BatchLine,
    BatchStatus,
    DisbursementBatch,
    LineAdjustment,
)
from disbursements.services.batches import quarterly_lines, refuse_unchanged_regeneration, require_preparer
from disbursements.services.workflow import record_step, require_year_open


def _key(line) -> tuple[str, int]:
    if line.zero_result_id:
        return ("zero", line.zero_result_id)
    return ("rating", line.rating_id)


def _paid_lines(batches) -> tuple[dict, dict]:
    """What the paid batches paid per result, and one of their lines per result (where it went)."""
    rows = (
        BatchLine.objects.filter(batch__in=batches)
        .values("zero_result_id", "rating_id", "category", "street_id", "community_id", "grid_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    paid, where = {}, {}
    for row in rows:
        line = BatchLine(**{k: v for k, v in row.items() if k != "amount"})
        key = _key(line)
        paid[key] = paid.get(key, ZERO) + row["amount"]
        where[key] = line
    return paid, where


def _ratings_before(period: AssessmentPeriod, settled: list[DisbursementBatch], ids) -> dict[int, str]:
    """Each rating as it stood when the quarter was last paid for: just before the reopening that followed."""
    last = max(b.created_at for b in settled)
    reopened = (
        AssessmentPeriod.history.filter(id=period.pk, status=PeriodStatus.OPEN, history_date__gt=last)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    if reopened is None:
        return {}
    before = {}
    records = GridRating.history.filter(period_id=period.pk, id__in=ids, history_date__lte=reopened)
    for pk, rating in records.order_by("history_date", "history_id").values_list("id", "rating"):
        before[pk] = rating
    return before


def _describe(key, due: Decimal, paid: Decimal, results: dict, ratings: dict, before: dict) -> str:
    """The change of result behind a difference: 零投诉→有投诉（2 件）, 三级网格合格→优秀."""
    kind, pk = key
    if kind == "zero":
        result = results[pk]
        old = _("零投诉") if paid > 0 else _("有投诉")
        new = _("零投诉") if result.is_zero else _("有投诉（%(n)d 件）") % {"n": result.complaints}
        if old == new:  # still complaint-free, now counted as another kind of community
            new = rewards.KIND_LABELS.get(result.kind, new)
        return f"{old}→{new}"
    rating = ratings[pk]
    old = before.get(pk)
    old_label = rewards.RATING_LABELS.get(old, "") if old else (_("未评定") if not paid else "")
    old_label = old_label or _("原发 %(amount)s 元") % {"amount": yuan_text(paid)}
    return f"{rewards.LEVEL_LABELS[rating.level]}{old_label}→{rewards.RATING_LABELS[rating.rating]}"


def correction_lines(period: AssessmentPeriod, original: DisbursementBatch, settled: list) -> list[BatchLine]:
    """The 补发 and 追回 lines that bring what `settled` paid for the quarter to what is due now."""
    rules = rewards.RewardRules.from_dict(original.rules)
    due_lines = {_key(line): line for line in quarterly_lines(period, rules)}
    due = {key: line.amount for key, line in due_lines.items()}
    paid, where = _paid_lines(settled)
    differences = rewards.differences(due, paid)
    if not differences:
        return []
    zero_ids = [pk for kind, pk in differences if kind == "zero"]
    rating_ids = [pk for kind, pk in differences if kind == "rating"]
    results = ZeroComplaintResult.objects.in_bulk(zero_ids)
    ratings = GridRating.objects.in_bulk(rating_ids)
    before = _ratings_before(period, settled, rating_ids) if rating_ids else {}
    prefix = _("%(year)s年第%(q)d季度更正：") % {"year": period.year.year, "q": period.quarter}
    lines = []
    for key in sorted(differences, key=lambda k: (k[0] != "zero", k[1])):  # communities first
        amount = differences[key]
        source = due_lines.get(key) or where[key]
        reason = prefix + _describe(key, due.get(key, ZERO), paid.get(key, ZERO), results, ratings, before)
        lines.append(
            BatchLine(
                category=source.category,
                street_id=source.street_id,
                community_id=source.community_id,
                grid_id=source.grid_id,
                zero_result_id=key[1] if key[0] == "zero" else None,
                rating_id=key[1] if key[0] == "rating" else None,
                reason=reason[:100],
                rule=_("应发 %(due)s 元，已发 %(paid)s 元")
                % {"due": yuan_text(due.get(key, ZERO)), "paid": yuan_text(paid.get(key, ZERO))},
                amount=amount,
                adjustment=LineAdjustment.SUPPLEMENT if amount > 0 else LineAdjustment.RECOVERY,
            )
        )
    return lines


@dataclass(frozen=True)
class CorrectionDue:
    """A relocked paid quarter whose locked results now differ from what was paid for it."""

    period: AssessmentPeriod
    supplements: int
    recoveries: int
    net: Decimal


def _due(period: AssessmentPeriod, batches: list[DisbursementBatch]) -> CorrectionDue | None:
    """What a correction of the quarter would hold now, given its live batches (oldest first), or None.

    Only a quarter locked again after its latest payment was prepared can differ from what was paid
    (its results are read-only while locked), and only one without a correction on its way needs one;
    the others are not computed.
    """
    original = next((b for b in batches if b.kind == BatchKind.QUARTERLY), None)
    settled = [b for b in batches if b.status == BatchStatus.PAID]
    if (
        not period.is_locked
        or original is None
        or original.status != BatchStatus.PAID
        or any(b.status != BatchStatus.PAID for b in batches)
        or period.locked_at < max(b.created_at for b in settled)
    ):
        return None
    lines = correction_lines(period, original, settled)
    if not lines:
        return None
    supplements = sum(1 for line in lines if line.amount > 0)
    return CorrectionDue(
        period, supplements, len(lines) - supplements, rewards.total(x.amount for x in lines)
    )


def correction_due(period: AssessmentPeriod) -> CorrectionDue | None:
    """The correction a relocked paid quarter needs now, or None (the quarter's page offers it)."""
    return _due(period, list(DisbursementBatch.objects.live().filter(period=period).order_by("pk")))


def corrections_due(*, year: int | None = None, exclude_years=()) -> list[CorrectionDue]:
    """Every relocked paid quarter (of one year, when given) whose results differ from what was paid
    (the batch list offers them; finalising a year waits for them)."""
    periods = AssessmentPeriod.objects.filter(
        status=PeriodStatus.LOCKED, batches__kind=BatchKind.QUARTERLY, batches__status=BatchStatus.PAID
    )
    if year is not None:
        periods = periods.filter(year__year=year)
    periods = (
        periods.exclude(year__year__in=exclude_years)
        .select_related("year")
        .order_by("-year__year", "-quarter")
    )
    periods = list(periods)
    batches = {}
    for batch in DisbursementBatch.objects.live().filter(period__in=periods).order_by("pk"):
        batches.setdefault(batch.period_id, []).append(batch)
    due = (_due(period, batches.get(period.pk, [])) for period in periods)
    return [d for d in due if d is not None]


@transaction.atomic
def generate_correction_batch(*, user, period: AssessmentPeriod) -> DisbursementBatch:
    """Compute a relocked paid quarter's 补发/追回 into a draft correction batch (regenerating its draft)."""
    require_preparer(user)
    period = AssessmentPeriod.objects.select_for_update().select_related("year").get(pk=period.pk)
    require_year_open(period.year.year)
    if not period.is_locked:
        raise DisbursementError(
            _("%(period)s尚未重新锁定：请修改考核结果后锁定该季度，再生成更正批次。") % {"period": period}
        )
    batches = list(DisbursementBatch.objects.live().select_for_update().filter(period=period).order_by("pk"))
    original = next((b for b in batches if b.kind == BatchKind.QUARTERLY), None)
    if original is None:
        raise DisbursementError(
            _("%(period)s还没有季度批次：请按考核结果生成季度批次，不需要更正。") % {"period": period}
        )
    if original.status != BatchStatus.PAID:
        raise DisbursementError(
            _(
                "%(period)s的季度批次“%(title)s”为“%(status)s”，尚未拨付：更正只用于已拨付的季度；"
                "未拨付的批次请退回后按考核结果重新生成。"
            )
            % {"period": period, "title": original.title, "status": original.get_status_display()}
        )
    draft = next(
        (b for b in batches if b.kind == BatchKind.CORRECTION and b.status != BatchStatus.PAID), None
    )
    if draft is not None and not draft.is_editable:
        raise DisbursementError(
            _("%(period)s已有更正批次“%(title)s”（%(status)s），须登记拨付或退回后才能再生成。")
            % {"period": period, "title": draft.title, "status": draft.get_status_display()}
        )
    settled = [b for b in batches if b.status == BatchStatus.PAID]
    lines = correction_lines(period, original, settled)
    if not lines:
        advice = _("已有的更正批次草稿请作废。") if draft is not None else ""
        raise DisbursementError(
            _("%(period)s的考核结果与已拨付的金额一致，没有需要补发或追回的款项。%(advice)s")
            % {"period": period, "advice": advice}
        )
    if draft is None:
        number = sum(1 for b in batches if b.kind == BatchKind.CORRECTION) + 1
        batch = DisbursementBatch.objects.create(
            budget=original.budget,
            kind=BatchKind.CORRECTION,
            period=period,
            title=_("%(year)s年第%(q)d季度考核奖励更正（第%(n)d次）")
            % {"year": period.year.year, "q": period.quarter, "n": number},
            created_by=user,
            rules=original.rules,
        )
        action = "generate"
    else:
        refuse_unchanged_regeneration(draft, lines)
        batch = draft
        batch.lines.all().delete()
        action = "regenerate"
    for line in lines:
        line.batch = batch
    BatchLine.objects.bulk_create(lines, batch_size=2000)
    batch.total = rewards.total(line.amount for line in lines)
    batch.save(update_fields=["total"])
    supplements = sum(1 for line in lines if line.amount > 0)
    record_step(
        batch,
        user,
        action,
        _("按重新锁定的考核结果生成更正：补发 %(s)s 条，追回 %(r)s 条")
        % counted({"s": supplements, "r": len(lines) - supplements}),
    )
    return batch
