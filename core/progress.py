"""Rows done of rows in all, for the page of a background job (core.jobs): an import's reading of its
workbook, the rows its preview checks, and its writes; an export's rows.

Reported every PROGRESS_EVERY rows and at the end, not per row: each report may write to the shared cache.
A report may name its stage (打开工作簿, 读取工作表, 检查数据, 写入), shown before the count, since one job goes through
the same rows more than once.
"""

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Protocol

from django.utils.translation import gettext_lazy

PROGRESS_EVERY = 1000  # rows between two reports

OPENING = gettext_lazy("打开工作簿")
CHECKING = gettext_lazy("检查数据")
WRITING = gettext_lazy("写入")


class Progress(Protocol):
    """Told (rows done, rows in all) as a job goes; total 0 while it is not known yet."""

    def __call__(self, done: int, total: int, stage: str = "") -> None: ...


def no_progress(done: int, total: int, stage: str = "") -> None:
    """Work in a request has no one to tell."""


class RowProgress:
    """Counts rows done against a known total and tells the job: (0, total) at once, every PROGRESS_EVERY
    rows, and (total, total) at finish()."""

    def __init__(self, progress: Progress | None, total: int, stage: str = ""):
        self._report = progress or no_progress
        self.done, self.total, self.stage = 0, total, stage
        self._report(0, total, stage)

    def chunks(self, rows: Sequence) -> Iterator[Sequence]:
        """rows in slices of PROGRESS_EVERY; a slice counts as done once the caller has written it and asks
        for the next."""
        for start in range(0, len(rows), PROGRESS_EVERY):
            chunk = rows[start : start + PROGRESS_EVERY]
            yield chunk
            self.add(len(chunk))

    def each(self, rows: Iterable) -> Iterator:
        """rows one by one, each counting as done once the caller asks for the next."""
        for row in rows:
            yield row
            self.add(1)

    def add(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        if self.done < self.total and before // PROGRESS_EVERY < self.done // PROGRESS_EVERY:
            self._report(self.done, self.total, self.stage)

    def finish(self) -> None:
        self.done = self.total
        self._report(self.total, self.total, self.stage)


# The job of an import's preview (ImportFlow.preview_job), told how far the reading and checking of its
# workbook has got. Set around the plan's build rather than passed down: the importers read their sheets
# through core.xlsx.read_rows and go through the rows without knowing they are in a job.
_preview: ContextVar[Progress | None] = ContextVar("import_preview_progress", default=None)


@contextlib.contextmanager
def reporting_rows(progress: Progress):
    """Within it, the sheets an importer reads and the rows it checks are told to progress."""
    token = _preview.set(progress)
    try:
        yield
    finally:
        _preview.reset(token)


def preview_progress() -> Progress | None:
    """The preview job to tell, when the caller runs within reporting_rows."""
    return _preview.get()


def rows_checked(total: int) -> RowProgress:
    """A count of the rows an importer checks (of total), told to the preview job if there is one."""
    return RowProgress(_preview.get(), total, str(CHECKING))
