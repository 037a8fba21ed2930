"""The batch workflow: one table of allowed transitions (maker-checker).

草稿 → 已提交 → 已审核 → 已拨付; 已提交 → 已退回 (with a reason) → 已提交 again; 作废 from 草稿 or 已退回.
Center staff prepare and submit; finance officers approve, reject and pay, never a batch they
prepared or submitted.
"""

from dataclasses import dataclass

from disbursements.models import BatchAction, BatchStatus


@dataclass(frozen=True)
class Transition:
    action: BatchAction
    sources: tuple[str, ...]
    target: str
    perm: str
    checker: bool = False  # a finance step: never by the batch's preparer or submitter
    needs_comment: bool = False

    @property
    def label(self) -> str:
        return self.action.label


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            BatchAction.SUBMIT,
            (BatchStatus.DRAFT, BatchStatus.REJECTED),
            BatchStatus.SUBMITTED,
            "disbursements.prepare_batch",
        ),
        Transition(
            BatchAction.APPROVE,
            (BatchStatus.SUBMITTED,),
            BatchStatus.APPROVED,
            "disbursements.approve_batch",
            checker=True,
        ),
        Transition(
            BatchAction.REJECT,
            (BatchStatus.SUBMITTED,),
            BatchStatus.REJECTED,
            "disbursements.approve_batch",
            checker=True,
            needs_comment=True,
        ),
        Transition(
            BatchAction.PAY,
            (BatchStatus.APPROVED,),
            BatchStatus.PAID,
            "disbursements.pay_batch",
            checker=True,
        ),
        Transition(
            BatchAction.CANCEL,
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
