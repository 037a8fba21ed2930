"""The batch workflow: one table of allowed transitions (maker-checker).

草稿 → 已提交 → 已审核 → 已拨付; 已提交 → 已退回 (with a reason) → 已提交 again; 作废 from 草稿 or 已退回.
Center staff prepare and submit; finance officers approve, reject and pay, never a batch they
prepared or submitted.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from disbursements.models import BatchStatus


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    perm: str
    checker: bool = False  # a finance step: never by the batch's preparer or submitter
    needs_comment: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "submit",
            _("提交审核"),
            (BatchStatus.DRAFT, BatchStatus.REJECTED),
            BatchStatus.SUBMITTED,
            "disbursements.prepare_batch",
        ),
        Transition(
            "approve",
            _("审核通过"),
            (BatchStatus.SUBMITTED,),
            BatchStatus.APPROVED,
            "disbursements.approve_batch",
            checker=True,
        ),
        Transition(
            "reject",
            _("退回"),
            (BatchStatus.SUBMITTED,),
            BatchStatus.REJECTED,
            "disbursements.approve_batch",
            checker=True,
            needs_comment=True,
        ),
        Transition(
            "pay",
            _("登记拨付"),
            (BatchStatus.APPROVED,),
            BatchStatus.PAID,
            "disbursements.pay_batch",
            checker=True,
        ),
        Transition(
            "cancel",
            _("作废"),
            (BatchStatus.DRAFT, BatchStatus.REJECTED),
            BatchStatus.CANCELLED,
            "disbursements.prepare_batch",
            needs_comment=True,
        ),
    )
}


def available(status: str) -> list[Transition]:
    """The transitions that start from a status, in table order."""
    return [t for t in TRANSITIONS.values() if status in t.sources]
