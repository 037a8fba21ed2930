class DisbursementError(Exception):
    """A change refused by a disbursement rule; the message is shown to the user."""


class InvalidTransition(DisbursementError):
    pass


class SelfApproval(DisbursementError):
    pass


class BudgetExceeded(DisbursementError):
    pass


class ImportRejected(DisbursementError):
    def __init__(self, plan):
        self.plan = plan
        super().__init__(f"{len(plan.errors)} errors")


class YearFrozen(DisbursementError):
    """The budget's year is signed off (its self-evaluation is finalised): its money may no longer change."""


class NothingChanged(DisbursementError):
    """Regenerating a draft would give the very lines it holds: nothing is written, nothing is logged."""

    def __init__(self, message: str, *, batch):
        self.batch = batch
        super().__init__(message)


class PassOnRefused(DisbursementError):
    """A 下发 entry refused for one village/community: the form shows the message on that row."""

    def __init__(self, message: str, *, community_id: int, field: str):
        self.community_id, self.field = community_id, field
        super().__init__(message)
