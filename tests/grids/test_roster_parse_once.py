"""A roster workbook is parsed once (issue 18): the preview's parse is kept, and the confirm plans the same
bytes against the roster of the moment without opening the workbook again."""

from unittest.mock import patch

import pytest
from django.core.cache import cache

from core import progress
from core.progress import reporting_rows
from grids import importers, services
from grids.importers import build_roster_plan
from grids.models import Grid
from tests.grids.test_importer import make_workbook, new_branch
from tests.grids.test_roster_by_names import (
    STREET_ROWS,
    district,  # noqa: F401  (a fixture)
    street_roster,
)


def _counting_opens():
    return patch.object(importers, "read_workbook", side_effect=importers.read_workbook)


def test_the_confirm_plans_from_the_previews_parse(users, roster):
    data = make_workbook(*new_branch(roster))
    with _counting_opens() as opened:
        preview = build_roster_plan(data)
        assert opened.call_count == 1 and len(preview.grid_creates) == 3
        services.import_roster(user=users["center"], data=data)
        assert opened.call_count == 1  # not opened again
    assert Grid.objects.filter(code__in=[row.code for row in preview.grid_creates]).count() == 3
    # planned against the roster of the moment: the same file now changes nothing
    again = build_roster_plan(data)
    assert not again.grid_creates and again.grid_unchanged == 3


def test_a_file_that_does_not_open_keeps_its_error_and_a_lost_parse_is_read_again(users, roster):
    broken = b"PK\x03\x04 not really a workbook"
    first, second = build_roster_plan(broken), build_roster_plan(broken)
    assert first.errors and [str(e) for e in first.errors] == [str(e) for e in second.errors]
    data = make_workbook(*new_branch(roster))
    build_roster_plan(data)
    cache.clear()
    with _counting_opens() as opened:
        assert len(build_roster_plan(data).grid_creates) == 3
        assert opened.call_count == 1


def _told(data: bytes, monkeypatch) -> list[tuple[int, int, str]]:
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 2)
    seen = []
    with reporting_rows(lambda done, total, stage="": seen.append((done, total, str(stage)))):
        build_roster_plan(data)
    return seen


def test_a_roster_preview_tells_its_job_the_opening_the_reading_of_each_sheet_and_the_rows_checked(
    roster, monkeypatch
):
    grids, staff = new_branch(roster)
    data = make_workbook(grids, staff)
    seen = _told(data, monkeypatch)
    rows = len(grids) + len(staff)
    assert seen[0] == (0, 0, "打开工作簿")
    assert [s for s in seen if s[2] == "读取工作表“网格”"][-1] == (len(grids), len(grids), "读取工作表“网格”")
    assert [s for s in seen if s[2] == "读取工作表“网格人员”"][-1] == (
        len(staff),
        len(staff),
        "读取工作表“网格人员”",
    )
    checked = [s for s in seen if s[2] == "检查数据"]
    assert checked[0] == (0, rows, "检查数据") and checked[-1] == (rows, rows, "检查数据")
    assert [done for done, _total, _stage in checked[1:-1]] == list(range(2, rows, 2))
    # the same file again (its parse kept): nothing opened or read, the rows checked still told
    # The very bytes: a workbook made again a second later differs (its zip entries and properties are dated).
    again = _told(data, monkeypatch)
    assert {stage for _done, _total, stage in again} == {"检查数据"} and again[-1] == (rows, rows, "检查数据")


@pytest.mark.usefixtures("district")
def test_a_streets_own_roster_tells_the_rows_it_checks(monkeypatch):
    data = street_roster(STREET_ROWS)
    seen = _told(data, monkeypatch)
    checked = [s for s in seen if s[2] == "检查数据"]
    assert checked[0] == (0, len(STREET_ROWS), "检查数据") and checked[-1][:2] == (len(STREET_ROWS),) * 2
