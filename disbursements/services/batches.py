from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import AssessmentPeriod, GridRating, ZeroComplaintResult
from core import access
from core.formats import counted, yuan_text
from core.numbers import round2
from core.progress import WRITING, Progress, RowProgress
from disbursements import rewards
from disbursements.exceptions import DisbursementError, ImportRejected, NothingChanged
from disbursements.importers import build_special_plan
from disbursements.models import (
    MAX_LINE_AMOUNT,
    BatchKind,
    BatchLine,
    BatchStatus,
    Budget,
    DisbursementBatch,
    LineCategory,
)
from disbursements.services.workflow import record_step, require_district, require_year_open
from grids.models import Grid, GridLevel

# What to do instead of regenerating a quarter's batch that has left the draft stage.
REGENERATE_ADVICE = {
    BatchStatus.SUBMITTED: gettext_lazy("如需修改，请财务审核员退回后再按考核结果重新生成。"),
    BatchStatus.APPROVED: gettext_lazy(
        "批次登记拨付后，如考核结果需更正，按更正流程办理：解锁季度、修改结果、重新锁定后生成更正批次。"
    ),
    BatchStatus.PAID: gettext_lazy(
        "已拨付的批次不再改动。如考核结果需更正：请系统管理员说明理由解锁该季度，修改结果并重新锁定后，"
        "在该批次页面生成更正批次，补发或追回差额。"
    ),
}


def require_preparer(user) -> None:
    access.require(user, "disbursements.prepare_batch")
    require_district(user)


def rules_for(period: AssessmentPeriod) -> rewards.RewardRules:
    """The year's reward rules as plain values (what a batch snapshots)."""
    settings = period.year
    return rewards.RewardRules(
        zero_urban=settings.zero_complaint_reward_urban,
        zero_rural=settings.zero_complaint_reward_rural,
        rating={(r.level, r.rating): r.amount for r in settings.rating_rewards.all()},
    )


def _editable(batch: DisbursementBatch) -> DisbursementBatch:
    batch = DisbursementBatch.objects.select_for_update().select_related("budget").get(pk=batch.pk)
    require_year_open(batch.budget.year)
    if not batch.is_editable:
        raise DisbursementError(
            _("批次当前为“%(status)s”，明细不能再修改。") % {"status": batch.get_status_display()}
        )
    return batch


# What makes a line the line it is: a regeneration giving the same ones changes nothing.
LINE_FIELDS = (
    "category",
    "street_id",
    "community_id",
    "grid_id",
    "zero_result_id",
    "rating_id",
    "reason",
    "rule",
    "amount",
    "adjustment",
)


def holds_lines(batch: DisbursementBatch, lines: list[BatchLine]) -> bool:
    """Whether the batch already holds exactly these (unsaved) lines."""
    held = Counter(tuple(row) for row in batch.lines.values_list(*LINE_FIELDS))
    return held == Counter(tuple(getattr(line, field) for field in LINE_FIELDS) for line in lines)


def refuse_unchanged_regeneration(batch: DisbursementBatch, lines: list[BatchLine]) -> None:
    """Refuse to regenerate a draft into the lines it holds (a second click on a stale page), logging nothing."""
    if holds_lines(batch, lines):
        raise NothingChanged(
            _("“%(title)s”已是按当前考核结果生成的明细（%(n)s 条，%(total)s 元），没有变化，未重新生成。")
            % counted({"title": batch.title, "n": len(lines), "total": yuan_text(batch.total)}),
            batch=batch,
        )


def _refresh_total(batch: DisbursementBatch) -> None:
    batch.total = rewards.total(batch.lines.values_list("amount", flat=True))
    batch.save(update_fields=["total"])


def quarterly_lines(period: AssessmentPeriod, rules: rewards.RewardRules) -> list[BatchLine]:
    """One line per reward of a locked quarter: zero-complaint communities and rewarded grid ratings."""
    lines = []
    for result in ZeroComplaintResult.objects.filter(period=period, is_zero=True).order_by("community__code"):
        reward = rewards.zero_complaint_reward(result.kind, rules)
        if reward.amount > 0:
            lines.append(
                BatchLine(
                    category=LineCategory.ZERO_COMPLAINT,
                    street_id=result.street_id,
                    community_id=result.community_id,
                    reason=reward.reason,
                    rule=reward.rule,
                    amount=reward.amount,
                    zero_result=result,
                )
            )
    ratings = GridRating.objects.filter(period=period).values_list(
        "pk", "grid_id", "grid__community_id", "street_id", "level", "rating"
    )
    for pk, grid_id, community_id, street_id, level, rating in ratings.order_by("grid__code"):
        reward = rewards.rating_reward(level, rating, rules)
        if reward.amount > 0:
            lines.append(
                BatchLine(
                    category=LineCategory.GRID_RATING,
                    street_id=street_id,
                    community_id=community_id,
                    grid_id=grid_id,
                    reason=reward.reason,
                    rule=reward.rule,
                    amount=reward.amount,
                    rating_id=pk,
                )
            )
    return lines


@transaction.atomic
def generate_quarterly_batch(*, user, period: AssessmentPeriod) -> DisbursementBatch:
    """Compute a quarter's rewards from its locked results into a draft batch (regenerating a draft)."""
    require_preparer(user)
    period = AssessmentPeriod.objects.select_for_update().select_related("year").get(pk=period.pk)
    require_year_open(period.year.year)
    if not period.is_locked:
        raise DisbursementError(
            _("%(period)s尚未锁定：只能从已锁定的考核结果生成拨付批次。") % {"period": period}
        )
    budget = Budget.objects.filter(year=period.year.year).first()
    if budget is None:
        raise DisbursementError(_("尚未设置 %(year)s 年预算。") % {"year": period.year.year})
    batch = (
        DisbursementBatch.objects.live()
        .select_for_update()
        .filter(period=period, kind=BatchKind.QUARTERLY)
        .first()
    )
    if batch is not None and not batch.is_editable:
        raise DisbursementError(
            _("%(period)s已有拨付批次（%(status)s），不能再生成：%(advice)s")
            % {
                "period": period,
                "status": batch.get_status_display(),
                "advice": REGENERATE_ADVICE[batch.status],
            }
        )
    rules = rules_for(period)
    lines = quarterly_lines(period, rules)
    if batch is None:
        batch = DisbursementBatch.objects.create(
            budget=budget,
            kind=BatchKind.QUARTERLY,
            period=period,
            title=_("%(year)s年第%(q)d季度考核奖励") % {"year": period.year.year, "q": period.quarter},
            created_by=user,
            rules=rules.as_dict(),
        )
        action, comment = "generate", _("按锁定的考核结果生成")
    else:
        if batch.rules == rules.as_dict():
            refuse_unchanged_regeneration(batch, lines)
        batch.lines.all().delete()
        batch.rules = rules.as_dict()
        batch.save(update_fields=["rules"])
        action, comment = "regenerate", _("按锁定的考核结果重新生成")
    for line in lines:
        line.batch = batch
    BatchLine.objects.bulk_create(lines, batch_size=2000)
    batch.total = rewards.total(line.amount for line in lines)
    batch.save(update_fields=["total"])
    record_step(batch, user, action, comment)
    return batch


@transaction.atomic
def create_special_batch(*, user, year: int, title: str) -> DisbursementBatch:
    require_preparer(user)
    require_year_open(year)
    budget = Budget.objects.filter(year=year).first()
    if budget is None:
        raise DisbursementError(_("尚未设置 %(year)s 年预算。") % {"year": year})
    title = (title or "").strip()
    if not title:
        raise DisbursementError(_("请填写批次名称。"))
    batch = DisbursementBatch.objects.create(
        budget=budget, kind=BatchKind.SPECIAL, title=title[:100], created_by=user
    )
    record_step(batch, user, "create", _("新建专项批次"))
    return batch


def _special_line(batch, payee: Grid, purpose: str, amount: Decimal) -> BatchLine:
    if payee.level not in (GridLevel.STREET, GridLevel.COMMUNITY):
        raise DisbursementError(_("收款单位必须是街镇或村（社区）。"))
    if not (0 < amount <= MAX_LINE_AMOUNT):
        raise DisbursementError(
            _("金额必须大于 0 且不超过 %(max)s 元。") % {"max": f"{MAX_LINE_AMOUNT:,.0f}"}
        )
    return BatchLine(
        batch=batch,
        category=LineCategory.SPECIAL,
        street_id=payee.pk if payee.level == GridLevel.STREET else payee.street_id,
        community_id=payee.pk if payee.level == GridLevel.COMMUNITY else None,
        reason=purpose[:100],
        amount=round2(amount),
    )


@transaction.atomic
def add_special_line(
    *, user, batch: DisbursementBatch, payee: Grid, purpose: str, amount: Decimal
) -> BatchLine:
    require_preparer(user)
    batch = _editable(batch)
    if batch.kind != BatchKind.SPECIAL:
        raise DisbursementError(_("季度奖励批次的明细由考核结果生成，不能手工添加。"))
    purpose = (purpose or "").strip()
    if not purpose:
        raise DisbursementError(_("请填写用途。"))
    line = _special_line(batch, payee, purpose, amount)
    line.save()
    _refresh_total(batch)
    record_step(batch, user, "add_line", f"{payee.name} {purpose[:60]} {yuan_text(line.amount)} 元")
    return line


@transaction.atomic
def remove_special_line(*, user, batch: DisbursementBatch, line: BatchLine) -> None:
    require_preparer(user)
    batch = _editable(batch)
    if batch.kind != BatchKind.SPECIAL or line.batch_id != batch.pk:
        raise DisbursementError(_("只能删除专项批次自己的明细。"))
    record_step(batch, user, "remove_line", f"{line.reason[:60]} {yuan_text(line.amount)} 元")
    line.delete()
    _refresh_total(batch)


@transaction.atomic
def import_special_lines(*, user, batch: DisbursementBatch, data: bytes, progress: Progress | None = None):
    """Add a workbook's new lines (收款单位, 用途, 金额) to a special batch and apply its new amounts, all or nothing.

    The plan is built against the locked batch, so a file imported twice, even by two clicks at once,
    adds its lines once (see disbursements.importers for what identifies a line).
    progress: called with (lines written, lines to write), the new ones first (a confirm in the background,
    core.jobs).
    """
    require_preparer(user)
    batch = _editable(batch)
    if batch.kind != BatchKind.SPECIAL:
        raise DisbursementError(_("只有专项批次可以导入明细。"))
    plan = build_special_plan(data, batch=batch)
    if plan.errors:
        raise ImportRejected(plan)
    if not plan.has_changes:
        return plan
    written = RowProgress(progress, len(plan.creates) + len(plan.updates), str(WRITING))
    payees = Grid.objects.in_bulk([row.payee_id for row in plan.creates])
    new_lines = [_special_line(batch, payees[r.payee_id], r.purpose, r.amount) for r in plan.creates]
    for chunk in written.chunks(new_lines):
        BatchLine.objects.bulk_create(chunk)
    lines = batch.lines.in_bulk([row.line_id for row in plan.updates])
    for row in plan.updates:
        lines[row.line_id].amount = row.amount
    for chunk in written.chunks(list(lines.values())):
        BatchLine.objects.bulk_update(chunk, ["amount"])
    written.finish()
    _refresh_total(batch)
    comment = _("导入明细：新增 %(new)s 条，改金额 %(changed)s 条，已存在 %(same)s 条") % counted(
        {
            "new": len(plan.creates),
            "changed": len(plan.updates),
            "same": plan.unchanged,
        }
    )
    record_step(batch, user, "import_lines", comment)
    return plan
