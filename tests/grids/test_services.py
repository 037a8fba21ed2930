import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from grids import services
from grids.exceptions import GridError, InvalidParent
from grids.models import CommunityKind, Grid, GridLevel, StaffRole
from tests.factories import Level4Factory, StreetFactory


def test_create_grid_derives_street_and_community(users, roster):
    level3 = roster["a"]["level3"]
    grid = services.create_grid(
        user=users["center"],
        code="N1",
        name="新楼栋",
        level=GridLevel.LEVEL4,
        parent=level3,
        established_on=dt.date(2023, 1, 1),
    )
    assert (grid.street, grid.community, grid.parent) == (
        roster["a"]["street"],
        roster["a"]["community"],
        level3,
    )


def test_create_grid_refuses_a_parent_at_the_wrong_level(users, roster):
    with pytest.raises(InvalidParent, match="上级必须是三级网格"):
        services.create_grid(
            user=users["center"],
            code="N2",
            name="x",
            level=GridLevel.LEVEL4,
            parent=roster["a"]["community"],
            established_on=dt.date(2023, 1, 1),
        )
    assert not Grid.objects.filter(code="N2").exists()


def test_street_admin_cannot_create_in_another_street_or_create_streets(users, roster):
    with pytest.raises(PermissionDenied):
        services.create_grid(
            user=users["street"],
            code="N3",
            name="x",
            level=GridLevel.LEVEL3,
            parent=roster["b"]["community"],
            established_on=dt.date(2023, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        services.create_grid(
            user=users["street"],
            code="N4",
            name="x",
            level=GridLevel.STREET,
            parent=None,
            established_on=dt.date(2023, 1, 1),
        )
    grid = services.create_grid(
        user=users["street"],
        code="N5",
        name="x",
        level=GridLevel.LEVEL3,
        parent=roster["a"]["community"],
        established_on=dt.date(2023, 1, 1),
    )
    assert grid.street == roster["a"]["street"]


def test_finance_and_leader_cannot_change_the_roster(users, roster):
    for key in ("finance", "leader"):
        with pytest.raises(PermissionDenied):
            services.retire_grid(user=users[key], grid=roster["a"]["level3"], retired_on=dt.date(2022, 1, 1))


def test_moving_a_community_to_another_street_moves_its_whole_subtree(users, roster):
    community = roster["a"]["community"]
    target = roster["b"]["street"]
    services.update_grid(
        user=users["center"],
        grid=community,
        code=community.code,
        name=community.name,
        parent=target,
        kind="urban",
        established_on=community.established_on,
    )
    subtree = Grid.objects.filter(community=community)
    assert subtree.count() == 3
    assert set(subtree.values_list("street_id", flat=True)) == {target.pk}


def test_retire_grid_retires_active_descendants_and_keeps_history(users, roster):
    community = roster["a"]["community"]
    count = services.retire_grid(user=users["center"], grid=community, retired_on=dt.date(2022, 7, 1))
    assert count == 4
    assert Grid.objects.filter(community=community, retired_on=dt.date(2022, 7, 1)).count() == 3
    with pytest.raises(GridError, match="已于 2022年7月1日 撤销"):
        services.retire_grid(
            user=users["center"], grid=Grid.objects.get(pk=community.pk), retired_on=dt.date(2022, 8, 1)
        )


def test_reinstate_refuses_while_the_parent_is_retired(users, roster):
    services.retire_grid(user=users["center"], grid=roster["a"]["community"], retired_on=dt.date(2022, 7, 1))
    level3 = Grid.objects.get(pk=roster["a"]["level3"].pk)
    with pytest.raises(GridError, match="上级网格已撤销"):
        services.reinstate_grid(user=users["center"], grid=level3)


def test_save_staff_validates_phone_and_role_level(users, roster):
    grid = roster["a"]["level4"][0]
    with pytest.raises(GridError, match="11位手机号码"):
        services.save_staff(
            user=users["center"],
            grid=grid,
            data=services.StaffData("张三", "12345", StaffRole.WORKER, dt.date(2023, 1, 1)),
        )
    with pytest.raises(GridError, match="三级网格指导员只能配备在三级网格"):
        services.save_staff(
            user=users["center"],
            grid=grid,
            data=services.StaffData("张三", "13812345678", StaffRole.INSTRUCTOR, dt.date(2023, 1, 1)),
        )
    person = services.save_staff(
        user=users["street"],
        grid=grid,
        data=services.StaffData("张三", "13812345678", StaffRole.WORKER, dt.date(2023, 1, 1)),
    )
    assert person.grid == grid and person.is_serving


def test_update_grid_refuses_itself_as_parent(users):
    street = StreetFactory()
    level4 = Level4Factory(parent__parent__parent=street)
    level3 = level4.parent
    with pytest.raises(InvalidParent):
        services.update_grid(
            user=users["center"],
            grid=level3,
            code=level3.code,
            name=level3.name,
            parent=level3,
            kind="",
            established_on=level3.established_on,
        )
    assert Grid.objects.get(pk=level3.pk).parent_id == level3.community_id
    assert level3.community.kind == CommunityKind.URBAN


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
