"""Rows done of rows in all, told to a background job in chunks (core.progress)."""

from core import progress
from core.progress import RowProgress


def test_written_chunks_are_told_every_few_rows_across_lists_and_once_at_the_end(monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 2)
    seen, written = [], []
    counter = RowProgress(lambda done, total, stage="": seen.append((done, total)), 6)
    for rows in ([1, 2, 3], [4, 5, 6]):
        for chunk in counter.chunks(rows):
            written.append(list(chunk))
    counter.finish()
    assert written == [[1, 2], [3], [4, 5], [6]]
    # told when a written chunk passes a multiple of two (2; 5, past 4), not at 3; the end once
    assert seen == [(0, 6), (2, 6), (5, 6), (6, 6)]


def test_rows_gone_through_one_by_one_are_told_every_few_rows(monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 2)
    seen = []
    counter = RowProgress(lambda done, total, stage="": seen.append((done, total)), 5)
    assert list(counter.each("abcde")) == list("abcde")
    counter.finish()
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_a_stage_is_told_with_each_count():
    seen = []
    counter = RowProgress(lambda done, total, stage="": seen.append((done, total, stage)), 2, "写入")
    list(counter.each("ab"))
    counter.finish()
    assert seen == [(0, 2, "写入"), (2, 2, "写入")]


def test_nothing_to_write_is_told_as_none_of_none_and_no_callback_is_needed():
    seen = []
    counter = RowProgress(lambda done, total, stage="": seen.append((done, total)), 0)
    assert list(counter.chunks([])) == []
    counter.finish()
    assert seen == [(0, 0), (0, 0)]
    quiet = RowProgress(None, 3)  # in a request: no one to tell
    assert [list(c) for c in quiet.chunks([1, 2, 3])] == [[1, 2, 3]]
