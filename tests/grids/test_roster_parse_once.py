"""A roster workbook is parsed once (issue 18): the preview's parse is kept, and the confirm plans the same
bytes against the roster of the moment without opening the workbook again."""

from unittest.mock import patch

from django.core.cache import cache

from grids import importers, services
from grids.importers import build_roster_plan
from grids.models import Grid
from tests.grids.test_importer import make_workbook, new_branch


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
