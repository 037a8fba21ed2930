"""Lists whose table is kept (core.templatetags.ui.kept_table): a list seen again unchanged is not rendered
again, and any write to what its rows were read from, or another user or street, shows the
list as it now is."""

import re

import pytest

from core.templatetags import ui
from grids.models import Grid, GridStaff
from tests.factories import StaffFactory


@pytest.fixture
def renders(monkeypatch):
    counted = []
    whole = ui.table_html  # how {% kept_table %} writes a list's table
    monkeypatch.setattr(ui, "table_html", lambda table, context: counted.append(1) or whole(table, context))
    return counted


def test_a_list_seen_again_unchanged_is_not_rendered_again(client_for, roster, renders):
    client = client_for("center")
    first = client.get("/grids/list/").content
    assert b"a1\xe6\xa0\x8b" in _table(first) and len(renders) == 1  # a1栋
    assert _table(client.get("/grids/list/").content) == _table(first) and len(renders) == 1
    # Another address (page, filter, sort) is another list.
    client.get("/grids/list/?sort=-name")
    assert len(renders) == 2


def test_a_write_to_what_the_rows_were_read_from_shows_at_once(client_for, roster, renders):
    client = client_for("center")
    assert "新名字" not in client.get("/grids/list/?level=3").content.decode()
    assert "新名字" not in client.get("/grids/list/?level=3").content.decode() and len(renders) == 1  # kept
    Grid.objects.filter(pk=roster["a"]["level3"].pk).update(name="新名字")  # a bulk write, no signal
    assert "新名字" in client.get("/grids/list/?level=3").content.decode() and len(renders) == 2


def test_a_write_to_a_table_the_rows_count_from_shows_at_once(client_for, roster, renders):
    """The grid list counts each grid's staff: a new person changes the level-3 grid's count (0 -> 1)."""
    client = client_for("center")

    def staff_count() -> str:
        html = client.get("/grids/list/?level=3&street=" + str(roster["a"]["street"].pk)).content.decode()
        row = _table(html.encode()).decode().split("a小区")[1].split("</tr>")[0]
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        return next(c for c in cells if c.isdigit())

    assert staff_count() == "0" and staff_count() == "0" and len(renders) == 1  # kept
    StaffFactory(grid=roster["a"]["level3"])
    assert staff_count() == "1" and len(renders) == 2
    assert GridStaff.objects.filter(grid=roster["a"]["level3"]).count() == 1


def test_each_user_street_and_permission_has_its_own_list(client_for, users, roster):
    center = client_for("center").get("/grids/list/").content.decode()
    assert "a小区" in center and "b小区" in center
    street = client_for("street")
    mine = street.get("/grids/list/").content.decode()
    assert "a小区" in mine and "b小区" not in mine

    admin = users["street"]
    admin.street = roster["b"]["street"]
    admin.save()
    moved = street.get("/grids/list/").content.decode()
    assert "b小区" in moved and "a小区" not in moved


def _table(html: bytes) -> bytes:
    start = html.index(b"<table")
    return html[start : html.index(b"</table>", start)]
