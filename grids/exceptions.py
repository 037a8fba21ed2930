class GridError(Exception):
    """A grid or staff change that breaks a roster rule; the message is shown to the user."""


class InvalidParent(GridError):
    pass


class ImportRejected(GridError):
    """The workbook still has errors; nothing was written."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__(f"{len(plan.errors)} errors")
