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
