"""A 网格员 serves a level-4 grid; a level-3 grid has its 网格长 and 三级网格指导员 (grids.rules)."""

import datetime as dt

import pytest

from grids import services
from grids.exceptions import GridError
from grids.importers import build_roster_plan
from grids.models import CommunityKind, GridStaff, StaffRole
from grids.rules import staff_role_error
from tests.factories import CommunityFactory, Level3Factory
from tests.grids.test_importer import make_workbook
from tests.grids.test_roster_by_names import village_list

REFUSAL = "网格员只能配备在四级网格（楼栋、村（居）民组）；三级网格请配备网格长或三级网格指导员。"


def test_the_rule_places_each_role():
    allowed = {
        (role, level) for role in StaffRole for level in (1, 2, 3, 4) if staff_role_error(role, level) is None
    }
    assert allowed == {
        (StaffRole.WORKER, 4),
        (StaffRole.HEAD, 2),
        (StaffRole.HEAD, 3),
        (StaffRole.HEAD, 4),
        (StaffRole.INSTRUCTOR, 3),
    }
    assert staff_role_error(StaffRole.WORKER, 3) == REFUSAL


def _data(role):
    return services.StaffData("新人", "13900000000", role, dt.date(2023, 3, 1))


def test_the_service_refuses_a_worker_on_a_level3_grid_and_takes_a_head(users, roster):
    level3 = roster["a"]["level3"]
    with pytest.raises(GridError, match=f"^{REFUSAL}$"):
        services.save_staff(user=users["street"], grid=level3, data=_data(StaffRole.WORKER))
    head = services.save_staff(user=users["street"], grid=level3, data=_data(StaffRole.HEAD))
    with pytest.raises(GridError, match=f"^{REFUSAL}$"):  # nor can an existing post become one
        services.save_staff(user=users["street"], grid=level3, data=_data(StaffRole.WORKER), staff=head)
    assert GridStaff.objects.get(pk=head.pk).role == StaffRole.HEAD


def test_the_staff_page_explains_the_refusal(client_for, roster):
    level3 = roster["a"]["level3"]
    response = client_for("street").post(
        f"/grids/{level3.pk}/staff/new/",
        {"name": "新人", "phone": "13900000000", "role": StaffRole.WORKER, "started_on": "2023-03-01"},
    )
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert not GridStaff.objects.filter(grid=level3).exists()


def test_the_coded_import_refuses_a_worker_on_a_level3_grid(roster):
    level3 = roster["a"]["level3"]
    plan = build_roster_plan(make_workbook([], [[level3.code, "新人", "网格员", "13900000000", "是"]]))
    assert [e.message for e in plan.errors] == [REFUSAL]


def test_the_named_import_refuses_a_worker_on_a_row_ending_at_level3(roster):
    village = CommunityFactory(parent=roster["a"]["street"], name="港坡村", kind=CommunityKind.RURAL)
    Level3Factory(parent=village, name="第一党支部片区")
    rows = [["港坡村", "第一党支部片区", "", "小五", "13900000015"]]
    plan = build_roster_plan(village_list(rows))
    assert [str(e) for e in plan.errors] == [f"Sheet1 第3行「网格员」：{REFUSAL}"]
