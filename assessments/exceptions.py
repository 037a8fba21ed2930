class AssessmentError(Exception):
    """A change refused by an assessment rule; the message is shown to the user."""


class PeriodLocked(AssessmentError):
    pass


class QuotaExceeded(AssessmentError):
    pass


class ImportRejected(AssessmentError):
    """The workbook still has errors; nothing was written."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__(f"{len(plan.errors)} errors")
