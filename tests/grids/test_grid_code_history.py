"""A grid counted by a closed period keeps its code: its ratings, payments and their exports name it so."""

import datetime as dt
import re

import pytest

from grids import services
from grids.exceptions import GridError
from grids.models import Grid, GridLevel

REFUSAL = "2022年第1季度已锁定，本网格已参加考核，已考核网格的编码不能修改（考核结果和拨付按编码对应）；名称仍可修改。"


def _update(user, grid: Grid, **changes) -> Grid:
    fields = {
        "code": grid.code,
        "name": grid.name,
        "parent": grid.parent,
        "established_on": grid.established_on,
        "kind": grid.kind,
    }
    return services.update_grid(user=user, grid=grid, **{**fields, **changes})


def test_the_code_of_a_grid_counted_by_a_locked_quarter_cannot_change(users, roster, locked_q1):
    building = roster["a"]["level4"][0]
    with pytest.raises(GridError, match=f"^{REFUSAL}$"):
        _update(users["street"], building, code="NEW-CODE")
    assert Grid.objects.get(pk=building.pk).code == building.code
    renamed = _update(users["street"], building, name="改名楼栋")
    assert (renamed.code, renamed.name) == (building.code, "改名楼栋")


def test_a_grid_set_up_after_the_closed_period_may_change_its_code(users, roster, locked_q1):
    level3 = roster["a"]["level3"]
    grid = services.create_grid(
        user=users["street"],
        code="N-1",
        name="新楼",
        level=GridLevel.LEVEL4,
        parent=level3,
        established_on=dt.date(2022, 4, 1),
    )
    assert _update(users["street"], grid, code="N-2").code == "N-2"


def test_without_a_closed_period_codes_may_be_corrected(users, roster):
    community = roster["a"]["community"]
    assert _update(users["center"], community, code="C-NEW").code == "C-NEW"


def test_the_edit_page_shows_the_code_read_only_with_the_reason(client_for, roster, locked_q1):
    building = roster["a"]["level4"][0]
    client = client_for("street")
    page = client.get(f"/grids/{building.pk}/edit/").content.decode()
    assert REFUSAL in page
    for name in ("code", "parent_code", "established_on"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*disabled', page), name
    # A code typed in anyway (a forged form) is not taken; the rename is.
    response = client.post(
        f"/grids/{building.pk}/edit/",
        {
            "code": "NEW-CODE",
            "name": "1栋A",
            "level": building.level,
            "parent_code": building.parent.code,
            "established_on": building.established_on.isoformat(),
        },
    )
    assert response.status_code == 302
    building.refresh_from_db()
    assert (building.code, building.name) == (roster["a"]["level4"][0].code, "1栋A")
