"""The grid tree and the filter bars' village options kept until the roster changes (core.changes): read
once, new at once after a change, per street, and an unknown village always a 404."""

import datetime as dt

import pytest

from grids import selectors
from tests.factories import Level3Factory, Level4Factory


def _tree(response) -> str:
    """The tree itself, without the page around it (whose CSRF token differs from request to request)."""
    html = response.content.decode()
    return html[html.index('<div class="row g-3">') : html.index("</main>")]


@pytest.fixture
def reads(monkeypatch):
    counted = []
    tree = selectors.roster_tree
    monkeypatch.setattr(selectors, "roster_tree", lambda *a, **k: counted.append(1) or tree(*a, **k))
    return counted


def test_the_tree_seen_again_is_not_read_again_and_a_new_grid_shows_at_once(client_for, roster, reads):
    client = client_for("center")
    community = roster["a"]["community"]
    url = f"/grids/tree/?community={community.pk}"
    first = _tree(client.get(url))
    assert "a小区" in first and len(reads) == 1
    assert _tree(client.get(url)) == first and len(reads) == 1
    Level4Factory(parent=Level3Factory(parent=community, name="新小区"), name="新楼栋")
    page = client.get(url).content.decode()
    assert "新小区" in page and "新楼栋" in page and len(reads) == 2


def test_each_street_sees_its_own_tree(client_for, roster, reads):
    assert "b街道" in client_for("center").get("/grids/tree/").content.decode()
    mine = client_for("street").get("/grids/tree/").content.decode()
    assert "a街道" in mine and "b街道" not in mine and len(reads) == 2
    foreign = roster["b"]["community"].pk
    assert client_for("street").get(f"/grids/tree/?community={foreign}").status_code == 404
    assert client_for("street").get(f"/grids/tree/?community={foreign}").status_code == 404


def test_a_grid_retired_from_tomorrow_leaves_the_tree_the_next_day(client_for, roster, monkeypatch):
    from django.utils import timezone

    from grids.models import Grid

    client = client_for("center")
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2024, 6, 30))
    grid = roster["a"]["level3"]
    Grid.objects.filter(pk=grid.pk).update(retired_on=dt.date(2024, 7, 1))
    url = f"/grids/tree/?community={roster['a']['community'].pk}"
    assert grid.name in _tree(client.get(url))
    assert grid.name in _tree(client.get(url))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2024, 7, 1))
    assert grid.name not in _tree(client.get(url))


def test_the_filter_bars_village_options_are_read_once_and_a_new_village_shows_at_once(client_for, roster):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CommunityFactory

    client = client_for("center")

    def options_read() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/grids/list/").content.decode()
        reads = [
            q for q in queries if 'AS "street_id" FROM "grids_grid"' in q["sql"] and "ORDER BY" in q["sql"]
        ]
        return len(reads), page

    first, page = options_read()
    assert first >= 1 and "a社区（" in page
    again, page = options_read()
    assert again == 0 and "a社区（" in page
    CommunityFactory(parent=roster["a"]["street"], name="新设社区")
    _n, page = options_read()
    assert "新设社区（" in page
    street_page = client_for("street").get("/grids/list/").content.decode()
    assert "a社区（" in street_page and "b社区（" not in street_page


def test_a_user_who_may_see_no_street_gets_a_list_with_no_options(db, roster):
    from django.contrib.auth.models import Permission
    from django.test import Client

    from tests.factories import UserFactory

    loner = UserFactory()  # a permission of its own, no role and no street: its scope is nothing
    loner.user_permissions.add(Permission.objects.get(codename="view_grid"))
    client = Client()
    client.force_login(loner)
    page = client.get("/grids/list/")
    assert page.status_code == 200
    assert "a社区（" not in page.content.decode() and "没有符合条件的网格" in page.content.decode()
