import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.services.periods import year_refusal
from core import access
from core.formats import date_text, yuan_text
from disbursements.exceptions import (
    BudgetExceeded,
    DisbursementError,
    InvalidTransition,
    SelfApproval,
    YearFrozen,
)
from disbursements.models import (
    QUARTER_KINDS,
    BatchAction,
    BatchStatus,
    BatchTransition,
    Budget,
    DisbursementBatch,
)
from disbursements.selectors import committed_total, full_year_budget
from disbursements.services.notice_numbers import assign_notice_number
from disbursements.workflow import TRANSITIONS, available


def _check_budget(batch: DisbursementBatch) -> None:
    """Refuse approval beyond the year's 全年预算数 (a correction counts with its net, of either sign).

    The budget row is locked first: two finance officers approving different batches at the same
    moment are serialised here, and the second one sees the first one's approval; adjustments lock
    the same row.
    """
    budget = Budget.objects.select_for_update().get(pk=batch.budget_id)
    committed = committed_total(budget, exclude=batch)
    ceiling = full_year_budget(budget)
    if committed + batch.total > ceiling:
        raise BudgetExceeded(
            _(
                "超出预算：%(year)s 年预算 %(budget)s 元，已审核及已拨付 %(committed)s 元，本批次 %(total)s 元，"
                "合计 %(sum)s 元，超出 %(over)s 元。"
            )
            % {
                "year": budget.year,
                "budget": yuan_text(ceiling),
                "committed": yuan_text(committed),
                "total": yuan_text(batch.total),
                "sum": yuan_text(committed + batch.total),
                "over": yuan_text(committed + batch.total - ceiling),
            }
        )


# Steps that make a batch's content: whoever did one may not check it (maker-checker).
MAKER_ACTIONS = ("generate", "regenerate", "create", "add_line", "remove_line", "import_lines", "submit")


# Steps that change what a year's budget commits or pays. Once the year is signed off they are refused;
# returning (退回) and voiding (作废) stay possible, so that an unfinished batch can be cleared away.
FREEZING = ("submit", "approve", "pay")


def year_frozen(year: int, *, lock: bool = False) -> str | None:
    """Why a year's budget and batches may no longer change (its self-evaluation is finalised), or None.

    The one wording for every refusal and for the pages that therefore offer no form.
    """
    return year_refusal(year, _("该年预算和拨付批次不能再改动"), lock=lock)


def require_year_open(year: int) -> None:
    """Refuse a write to a signed-off year's money, the year's row locked against a concurrent sign-off."""
    problem = year_frozen(year, lock=True)
    if problem:
        raise YearFrozen(problem)


def require_district(user) -> None:
    if access.street_scope(user) is not True:
        raise PermissionDenied(_("拨付批次由中心工作人员和财务审核员办理。"))


def record_step(
    batch: DisbursementBatch, user, action: str, comment: str = "", previous: str = "", street=None
) -> None:
    """Append a step to the batch's timeline (append-only); `street` when the step is one street's own."""
    BatchTransition.objects.create(
        batch=batch,
        action=action,
        from_status=previous or batch.status,
        to_status=batch.status,
        user=user,
        comment=comment[:200],
        street=street,
    )


def makers(batch: DisbursementBatch) -> set[int]:
    """Everyone who prepared, changed or submitted the batch."""
    people = set(batch.transitions.filter(action__in=MAKER_ACTIONS).values_list("user_id", flat=True))
    return people | {batch.created_by_id, batch.submitted_by_id} - {None}


def _refusal(user, batch: DisbursementBatch, transition, *, frozen: str | None = None) -> Exception | None:
    """The one check of whether the user may take this step on the batch now: the exception that refuses
    it (its message says why), or None.

    frozen: why the batch's year is signed off (year_frozen), asked once by the caller.
    """
    if not access.can(user, transition.perm):
        return PermissionDenied(_("您没有执行此操作的权限。"))
    if access.street_scope(user) is not True:
        return PermissionDenied(_("拨付批次由中心工作人员和财务审核员办理。"))
    if batch.status not in transition.sources:
        return InvalidTransition(
            _("批次“%(title)s”当前为“%(status)s”，不能%(action)s。")
            % {"title": batch.title, "status": batch.get_status_display(), "action": transition.label}
        )
    if transition.checker and user.pk in makers(batch):
        return SelfApproval(_("不能审核或拨付自己编制、修改或提交的批次（审批须由另一人办理）。"))
    if transition.action in FREEZING and frozen:
        return YearFrozen(frozen)
    return None


def refusal(user, batch: DisbursementBatch, transition, *, frozen: str | None = None) -> str | None:
    """Why the user may not take this step on the batch now (for the page), or None if they may."""
    problem = _refusal(user, batch, transition, frozen=frozen)
    return str(problem.args[0]) if problem is not None else None


def allowed_transitions(user, batch: DisbursementBatch, *, frozen: str | None = None) -> list:
    return [t for t in available(batch.status) if refusal(user, batch, t, frozen=frozen) is None]


# What to do with a quarter's unpaid batch before the quarter can be reopened.
UNLOCK_ADVICE = {
    BatchStatus.DRAFT: gettext_lazy("请中心工作人员先作废该批次（重新锁定后再按考核结果生成）"),
    BatchStatus.REJECTED: gettext_lazy("请中心工作人员先作废该批次（重新锁定后再按考核结果生成）"),
    BatchStatus.SUBMITTED: gettext_lazy(
        "请财务审核员先退回该批次，由中心工作人员作废；或审核并登记拨付后再解锁，重新锁定后生成更正批次"
    ),
    BatchStatus.APPROVED: gettext_lazy(
        "请财务审核员先登记拨付，再解锁；重新锁定后生成更正批次，补发或追回差额"
    ),
}


def batch_blocks_unlock(period) -> str | None:
    """Unlock guard: a quarter stays locked while one of its batches is on its way.

    A paid batch is never changed: a quarter whose batches are all paid may be reopened, and once it
    is locked again its changed results are paid or recovered by a correction batch.
    """
    batch = (
        DisbursementBatch.objects.live()
        .filter(period=period)
        .exclude(status=BatchStatus.PAID)
        .order_by("pk")
        .first()
    )
    if batch is None:
        return None
    return str(
        _("%(period)s的奖励已在拨付批次“%(title)s”（%(status)s）中，不能解锁：%(advice)s。")
        % {
            "period": period,
            "title": batch.title,
            "status": batch.get_status_display(),
            "advice": UNLOCK_ADVICE[batch.status],
        }
    )


def approval_day(batch: DisbursementBatch) -> dt.date | None:
    """The day the batch was (last) approved: no payment can precede it."""
    moment = batch.transitions.filter(action="approve").order_by("-at", "-pk").values_list("at", flat=True)
    return timezone.localdate(moment[0]) if moment else None


@transaction.atomic
def _step(batch: DisbursementBatch, user, action: str, comment: str, apply=None) -> DisbursementBatch:
    """Take one workflow step on the locked batch row: check it once, let `apply` do what is particular to
    the step (it may raise, or return the timeline's comment), move the status and record the step."""
    transition = TRANSITIONS[action]
    batch = (
        DisbursementBatch.objects.select_for_update(of=("self",))
        .select_related("budget", "period")
        .get(pk=batch.pk)
    )
    frozen = year_frozen(batch.budget.year, lock=True) if action in FREEZING else None
    problem = _refusal(user, batch, transition, frozen=frozen)
    if problem is not None:
        raise problem
    if batch.kind in QUARTER_KINDS and action in ("submit", "approve") and not batch.period.is_locked:
        raise DisbursementError(
            _("%(period)s已被解锁，批次须在重新锁定并重新生成后才能办理。") % {"period": batch.period}
        )
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise DisbursementError(_("%(action)s必须填写理由。") % {"action": transition.label})
    comment = (apply(batch) if apply else None) or comment
    previous = batch.status
    batch.status = transition.target
    batch.save()
    if action == BatchAction.PAY:
        batch = assign_notice_number(batch=batch)
        comment = f"{comment}；文号 {batch.notice_no}"
    record_step(batch, user, action, comment, previous=previous)
    return batch


def submit_batch(*, batch: DisbursementBatch, user, comment: str = "") -> DisbursementBatch:
    """草稿/已退回 → 已提交: center staff send a batch with lines to finance."""

    def submit(locked: DisbursementBatch) -> None:
        if not locked.lines.exists():
            raise DisbursementError(_("批次没有任何拨付明细，不能提交。"))
        locked.submitted_by = user

    return _step(batch, user, BatchAction.SUBMIT, comment, submit)


def approve_batch(*, batch: DisbursementBatch, user, comment: str = "") -> DisbursementBatch:
    """已提交 → 已审核: a finance officer who did not make the batch approves it within the budget."""

    def approve(locked: DisbursementBatch) -> None:
        _check_budget(locked)
        locked.approved_by = user

    return _step(batch, user, BatchAction.APPROVE, comment, approve)


def reject_batch(*, batch: DisbursementBatch, user, comment: str = "") -> DisbursementBatch:
    """已提交 → 已退回: finance returns the batch to the center, with the reason (refused without one)."""
    return _step(batch, user, BatchAction.REJECT, comment)


def pay_batch(
    *, batch: DisbursementBatch, user, paid_on: dt.date | None, voucher_no: str, comment: str = ""
) -> DisbursementBatch:
    """已审核 → 已拨付: finance records the payment (day, voucher); the notice gets its 文号."""

    def pay(locked: DisbursementBatch) -> str:
        voucher = (voucher_no or "").strip()
        if paid_on is None or not voucher:
            raise DisbursementError(_("登记拨付须填写拨付日期和凭证号。"))
        if paid_on > timezone.localdate():
            raise DisbursementError(_("拨付日期不能晚于今天。"))
        approved_on = approval_day(locked)
        if approved_on and paid_on < approved_on:
            raise DisbursementError(
                _("拨付日期 %(paid)s 早于审核通过日期 %(approved)s：款项须审核通过后拨付，请核对拨付日期。")
                % {"paid": date_text(paid_on), "approved": date_text(approved_on)}
            )
        locked.paid_on, locked.voucher_no = paid_on, voucher[:50]
        return (comment or "").strip() or _("凭证号 %(no)s") % {"no": locked.voucher_no}

    return _step(batch, user, BatchAction.PAY, comment, pay)


def cancel_batch(*, batch: DisbursementBatch, user, comment: str = "") -> DisbursementBatch:
    """草稿/已退回 → 已作废: center staff void a batch that will not be paid, with the reason (refused without)."""
    return _step(batch, user, BatchAction.CANCEL, comment)


STEPS = {
    BatchAction.SUBMIT: submit_batch,
    BatchAction.APPROVE: approve_batch,
    BatchAction.REJECT: reject_batch,
    BatchAction.PAY: pay_batch,
    BatchAction.CANCEL: cancel_batch,
}


def apply_transition(*, batch: DisbursementBatch, action: str, user, **details) -> DisbursementBatch:
    """The workflow step named `action` (as a URL names it): details are that step's own arguments."""
    step = STEPS.get(action)
    if step is None:
        raise InvalidTransition(_("未知操作“%(action)s”。") % {"action": action})
    return step(batch=batch, user=user, **details)
