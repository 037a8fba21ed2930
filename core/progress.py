"""Rows done of rows in all, for the page of a background job (core.jobs): an import's writes, and the
rows its preview checks.

Reported every PROGRESS_EVERY rows and at the end, not per row: each report may write to the shared cache.
"""

from collections.abc import Iterable, Iterator, Sequence

from core.jobs import Progress

PROGRESS_EVERY = 1000  # rows between two reports


def no_progress(done: int, total: int) -> None:
    """Work in a request has no one to tell."""


class RowProgress:
    """Counts rows done against a known total and tells the job: (0, total) at once, every PROGRESS_EVERY
    rows, and (total, total) at finish()."""

    def __init__(self, progress: Progress | None, total: int):
        self._report = progress or no_progress
        self.done, self.total = 0, total
        self._report(0, total)

    def chunks(self, rows: Sequence) -> Iterator[Sequence]:
        """rows in slices of PROGRESS_EVERY; a slice counts as done once the caller has written it and asks
        for the next."""
        for start in range(0, len(rows), PROGRESS_EVERY):
            chunk = rows[start : start + PROGRESS_EVERY]
            yield chunk
            self._add(len(chunk))

    def each(self, rows: Iterable) -> Iterator:
        """rows one by one, each counting as done once the caller asks for the next."""
        for row in rows:
            yield row
            self._add(1)

    def _add(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        if self.done < self.total and before // PROGRESS_EVERY < self.done // PROGRESS_EVERY:
            self._report(self.done, self.total)

    def finish(self) -> None:
        self.done = self.total
        self._report(self.total, self.total)
