"""Rules tightened after review: district-level records, retirement, import scope and limits."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from core.roles import Role
from grids import services
from grids.exceptions import GridError, InvalidParent
from grids.importers import build_roster_plan
from grids.models import Grid, GridLevel
from tests.factories import Level3Factory, Level4Factory
from tests.grids.test_importer import make_workbook


def test_street_admin_cannot_edit_or_retire_its_street_or_communities(users, roster, client_for):
    client = client_for("street")
    for key in ("street", "community"):
        grid = roster["a"][key]
        assert client.get(f"/grids/{grid.pk}/edit/").status_code == 403
        assert client.post(f"/grids/{grid.pk}/retire/", {"retired_on": "2022-07-01"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.retire_grid(user=users["street"], grid=grid, retired_on=dt.date(2022, 7, 1))
    assert not Grid.objects.filter(retired_on__isnull=False).exists()
    page = client.get(f"/grids/{roster['a']['community'].pk}/").content.decode()
    assert "编辑" not in page.split("下级网格")[0] and "新增下级网格" in page
    assert client.get(f"/grids/{roster['a']['level3'].pk}/edit/").status_code == 200


def test_street_admin_cannot_create_a_community(users, roster):
    with pytest.raises(PermissionDenied):
        services.create_grid(
            user=users["street"],
            code="C9",
            name="x",
            level=GridLevel.COMMUNITY,
            parent=roster["a"]["street"],
            kind="urban",
            established_on=dt.date(2023, 1, 1),
        )


def test_retiring_a_grid_also_ends_descendants_retired_later(users, roster):
    level3 = roster["a"]["level3"]
    child = roster["a"]["level4"][0]
    Grid.objects.filter(pk=child.pk).update(retired_on=dt.date(2022, 12, 31))
    services.retire_grid(user=users["center"], grid=level3, retired_on=dt.date(2022, 6, 30))
    assert set(Grid.objects.filter(parent=level3).values_list("retired_on", flat=True)) == {
        dt.date(2022, 6, 30)
    }


def test_no_new_grid_or_active_staff_under_a_retired_grid(users, roster):
    level3 = roster["a"]["level3"]
    services.retire_grid(user=users["center"], grid=level3, retired_on=dt.date(2022, 6, 30))
    level3.refresh_from_db()
    with pytest.raises(InvalidParent, match="已于 2022年6月30日 撤销，不能在其下设置网格"):
        services.create_grid(
            user=users["center"],
            code="N1",
            name="x",
            level=GridLevel.LEVEL4,
            parent=level3,
            established_on=dt.date(2022, 3, 1),
        )
    with pytest.raises(GridError, match="已于 2022年6月30日 撤销"):
        services.save_staff(
            user=users["center"],
            grid=level3,
            data=services.StaffData("张三", "13800000000", "head", dt.date(2022, 7, 1)),
        )


def test_import_refuses_an_active_grid_under_a_retired_parent(users, roster):
    level3 = roster["a"]["level3"]
    rows = [
        [level3.code, level3.name, "三级网格", level3.parent.code, None, "2022-06-30"],
        ["9109", "新楼", "四级网格", level3.code, None, None],
    ]
    headers = ["网格编码", "网格名称", "层级", "上级网格编码", "村（社区）类型", "撤销日期"]
    plan = build_roster_plan(make_workbook(rows, grid_headers=headers))
    # The new grid would be established today, after its parent was retired.
    assert [str(e) for e in plan.errors] == [
        "网格 第3行「设立日期」：上级网格“a小区”已于 2022年6月30日 撤销，不能在此后设立下级网格。"
    ]
    rows[1][5] = None
    rows.append(["9108", "旧楼", "四级网格", level3.code, None, None])
    headers.append("设立日期")
    rows[1].append("2022-01-01")
    rows[2].append("2022-01-01")
    rows[0].append(None)
    plan = build_roster_plan(make_workbook(rows, grid_headers=headers))
    assert [str(e) for e in plan.errors] == [
        f"网格 第{n}行「撤销日期」：上级网格已于 2022年6月30日 撤销，本网格须同时或更早撤销。" for n in (3, 4)
    ]


def test_import_retiring_a_grid_retires_its_children_not_in_the_file(users, roster):
    level3 = roster["a"]["level3"]
    headers = ["网格编码", "网格名称", "层级", "上级网格编码", "撤销日期"]
    data = make_workbook(
        [[level3.code, level3.name, 3, level3.parent.code, "2022/9/30"]], grid_headers=headers
    )
    services.import_roster(user=users["center"], data=data)
    assert set(Grid.objects.filter(parent=level3).values_list("retired_on", flat=True)) == {
        dt.date(2022, 9, 30)
    }


def test_import_is_refused_to_a_street_admin_even_with_the_permission(users, roster):
    group = Group.objects.get(name=Role.STREET_ADMIN)
    group.permissions.add(Permission.objects.get(codename="import_roster"))
    user = type(users["street"]).objects.get(pk=users["street"].pk)
    level3 = roster["b"]["level3"]
    data = make_workbook([[level3.code, "改名", "三级网格", level3.parent.code, None]])
    with pytest.raises(PermissionDenied):
        services.import_roster(user=user, data=data)
    assert Grid.objects.get(pk=level3.pk).name == "b小区"


def test_over_long_cells_are_reported_not_written(users, roster):
    code = "X" * 33
    plan = build_roster_plan(
        make_workbook([[code, "名" * 101, "三级网格", roster["a"]["community"].code, None]])
    )
    assert [str(e) for e in plan.errors] == [
        "网格 第2行「网格编码」：内容过长（33 字），最多 32 字。",
        "网格 第2行「网格名称」：内容过长（101 字），最多 100 字。",
    ]


def test_level4_parent_found_by_the_names_of_its_ancestors(roster):
    headers = ["街道（镇）", "村（社区）", "三级网格", "网格名称", "网格编码", "层级"]
    plan = build_roster_plan(
        make_workbook([["a街道", "a社区", "a小区", "a3栋", "9103", "四级网格"]], grid_headers=headers)
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.grid_creates[0].parent_code == roster["a"]["level3"].code
    plan = build_roster_plan(
        make_workbook([["a街道", "a社区", "无此小区", "x", "9104", "四级网格"]], grid_headers=headers)
    )
    assert [str(e) for e in plan.errors] == ["网格 第2行「三级网格」：a社区 下找不到“无此小区”。"]


def test_new_grid_page_ignores_a_malformed_parent(client_for):
    assert client_for("center").get("/grids/new/?parent=abc").status_code == 200


def test_page_size_is_capped(client_for, roster):
    community = roster["a"]["community"]
    for _ in range(5):
        Level4Factory.create_batch(50, parent=Level3Factory(parent=community))
    response = client_for("center").get("/grids/list/?per_page=100000")
    assert len(response.context["table"].page.object_list) == 200
    response = client_for("center").get("/grids/list/?per_page=abc")
    assert len(response.context["table"].page.object_list) == 50


def test_system_administrator_cannot_grant_superuser(client_for, users):
    page = client_for("admin").get(f"/admin/core/user/{users['nobody'].pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="groups"' in page


def test_seed_demo_refuses_years_it_cannot_build(db):
    with pytest.raises(CommandError, match="只提供 2022 年"):
        call_command("seed_demo", year=2023, stdout=io.StringIO())
