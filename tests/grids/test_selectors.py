import datetime as dt
from decimal import Decimal

import pytest

from grids import selectors
from grids.models import GridStaff
from tests.factories import CommunityFactory, Level3Factory, Level4Factory, StaffFactory


def test_overview_counts_levels_and_coverage(users, roster):
    Level4Factory(parent=roster["a"]["level3"])  # an unstaffed grid
    overview = selectors.roster_overview(users["center"])
    assert [count for _label, count in overview["levels"]] == [2, 2, 2, 5]
    # Level-3 grids have no staff in the fixture: 4 of 7 level-3/4 grids are staffed.
    assert overview["total"].staffed == 4
    assert overview["coverage"] == Decimal("57.14")
    by_name = {row.grid.name: row for row in overview["streets"]}
    assert (by_name["a街道"].level4, by_name["b街道"].level4) == (3, 2)


def test_overview_of_a_street_admin_shows_only_its_street(users, roster):
    overview = selectors.roster_overview(users["street"])
    assert [row.grid.name for row in overview["streets"]] == ["a街道"]
    assert [count for _label, count in overview["levels"]] == [1, 1, 1, 2]


def test_coverage_ignores_inactive_staff_and_retired_grids(users, roster):
    GridStaff.objects.filter(grid=roster["a"]["level4"][0]).update(ended_on=dt.date(2022, 1, 1))
    result = selectors.coverage()
    assert (result["staffed"], result["total"]) == (3, 6)
    assert result["rate"] == Decimal("50.00")


def test_tree_assembles_communities_and_the_selected_subtree(users, roster):
    community = roster["a"]["community"]
    tree = selectors.roster_tree(users["center"], community_id=community.pk)
    assert [s.grid.name for s in tree["streets"]] == ["a街道", "b街道"]
    assert tree["streets"][0].children[0].level4 == 2
    selected = tree["selected"]
    assert selected.grid == community
    assert [n.grid.name for n in selected.children] == ["a小区"]
    assert [n.grid.name for n in selected.children[0].children] == ["a1栋", "a2栋"]


def test_tree_of_a_street_admin_cannot_select_another_street(users, roster):
    tree = selectors.roster_tree(users["street"], community_id=roster["b"]["community"].pk)
    assert tree["selected"] is None


@pytest.mark.parametrize("n", [1, 4])
def test_tree_query_count_does_not_grow_with_communities(users, roster, n, django_assert_max_num_queries):
    street = roster["a"]["street"]
    for _ in range(n):
        StaffFactory(grid=Level4Factory(parent=Level3Factory(parent=CommunityFactory(parent=street))))
    with django_assert_max_num_queries(4):
        selectors.roster_tree(users["center"], community_id=roster["a"]["community"].pk)
