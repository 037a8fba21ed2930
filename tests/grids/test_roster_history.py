"""A roster with time: counts as of a day, and roster dates bounded by what is closed (grids.history)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.selectors.ratings import community_entry, street_progress
from assessments.services.periods import lock_problems
from core.formats import date_text
from grids import history, selectors, services
from grids.exceptions import GridError, ImportRejected
from grids.importers import build_roster_plan
from grids.models import Grid, GridLevel, GridStaff, StaffRole
from tests.factories import Level3Factory, Level4Factory, StaffFactory
from tests.grids.test_importer import make_workbook

Q1_CLOSED = "2022年第1季度已锁定"


def _create(users, parent, *, code="N1", on=None, level=GridLevel.LEVEL4, user="center"):
    return services.create_grid(
        user=users[user],
        code=code,
        name=f"新网格{code}",
        level=level,
        parent=parent,
        established_on=on or timezone.localdate(),
    )


def test_a_grid_is_active_from_its_establishment_until_its_retirement(roster):
    grid = Level3Factory(established_on=dt.date(2022, 4, 1), retired_on=dt.date(2022, 10, 1))
    active = {day: grid in Grid.objects.active(on=day) for day in ("2022-03-31", "2022-04-01", "2022-09-30")}
    assert active == {"2022-03-31": False, "2022-04-01": True, "2022-09-30": True}
    assert grid not in Grid.objects.active(on=dt.date(2022, 10, 1))
    assert [grid.active_on(dt.date(2022, m, 1)) for m in (3, 4, 10)] == [False, True, False]


def test_coverage_is_counted_as_of_a_day(roster):
    level3 = roster["a"]["level3"]
    Level4Factory(parent=level3, established_on=dt.date(2023, 1, 1))  # unstaffed, from 2023
    StaffFactory(grid=level3, role=StaffRole.HEAD, started_on=dt.date(2022, 7, 1))
    GridStaff.objects.filter(grid=roster["b"]["level4"][0]).update(ended_on=dt.date(2023, 7, 1))
    assert selectors.coverage(dt.date(2022, 6, 30)) == {"total": 6, "staffed": 4, "rate": Decimal("66.67")}
    assert selectors.coverage(dt.date(2022, 12, 31)) == {"total": 6, "staffed": 5, "rate": Decimal("83.33")}
    assert selectors.coverage(dt.date(2023, 7, 1)) == {"total": 7, "staffed": 4, "rate": Decimal("57.14")}


def test_nothing_is_closed_until_a_quarter_is_locked(locked_q1):
    assert history.closed_until() == dt.date(2022, 3, 31)
    assert history.closed().reason == Q1_CLOSED


def test_dates_on_or_before_a_locked_quarter_are_refused_with_what_to_do(users, roster, locked_q1):
    level3 = roster["a"]["level3"]
    with pytest.raises(GridError, match=f"^{Q1_CLOSED}，设立日期须晚于 2022年3月31日。$"):
        _create(users, level3, on=dt.date(2022, 3, 31))
    with pytest.raises(GridError, match=f"^{Q1_CLOSED}，撤销日期须晚于 2022年3月31日。$"):
        services.retire_grid(user=users["street"], grid=level3, retired_on=dt.date(2022, 1, 1))
    person = GridStaff.objects.filter(grid=roster["a"]["level4"][0]).get()
    with pytest.raises(GridError, match=f"^{Q1_CLOSED}，离任日期须晚于 2022年3月31日。$"):
        services.end_post(user=users["street"], staff=person, ended_on=dt.date(2022, 2, 1))
    data = services.StaffData("新人", "13900000000", StaffRole.HEAD, dt.date(2022, 3, 1))
    with pytest.raises(GridError, match=f"^{Q1_CLOSED}，任职日期须晚于 2022年3月31日。$"):
        services.save_staff(user=users["street"], grid=level3, data=data)
    corrected = services.StaffData(person.name, person.phone, person.role, dt.date(2022, 6, 1))
    with pytest.raises(GridError, match="任职日期 2021年1月1日 已计入其中，不能再修改"):
        services.save_staff(user=users["street"], grid=person.grid, data=corrected, staff=person)
    assert not Grid.objects.filter(retired_on__isnull=False).exists()
    assert GridStaff.objects.filter(ended_on__isnull=True).count() == 4

    assert _create(users, level3, on=dt.date(2022, 4, 1)).established_on == dt.date(2022, 4, 1)
    assert services.retire_grid(user=users["street"], grid=level3, retired_on=dt.date(2022, 5, 1)) == 4
    # Retiring the grid ended the posts held on its grids on the same day.
    assert GridStaff.objects.get(pk=person.pk).ended_on == dt.date(2022, 5, 1)


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), dt.date(1999, 12, 31), dt.date(2101, 1, 1), dt.date(9999, 12, 31)]
)
def test_absurd_years_are_refused(users, roster, day):
    with pytest.raises(GridError, match=f"^设立日期 {date_text(day)} 不合理，应在 2000 年至 2100 年之间。$"):
        _create(users, roster["a"]["level3"], on=day)
    with pytest.raises(GridError, match=r"撤销日期 .* 不合理"):
        services.retire_grid(user=users["center"], grid=roster["a"]["level3"], retired_on=day)


def test_no_retirement_before_establishment_nor_a_child_before_its_parent(users, roster):
    level3 = roster["a"]["level3"]
    grid = _create(users, level3, on=dt.date(2023, 5, 1))
    with pytest.raises(GridError, match=r"^撤销日期 2023年5月1日 须晚于设立日期 2023年5月1日。$"):
        services.retire_grid(user=users["center"], grid=grid, retired_on=dt.date(2023, 5, 1))
    with pytest.raises(GridError, match="下级网格“新网格N1”于 2023年5月1日 设立，撤销日期须晚于该日期"):
        services.retire_grid(user=users["center"], grid=level3, retired_on=dt.date(2023, 4, 1))
    new3 = _create(users, roster["a"]["community"], code="N3", level=GridLevel.LEVEL3, on=dt.date(2024, 1, 1))
    with pytest.raises(GridError, match="上级网格“新网格N3”于 2024年1月1日 设立，本网格的设立日期不能更早"):
        _create(users, new3, code="N4", on=dt.date(2023, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.filter(pk=grid.pk).update(retired_on=dt.date(2023, 4, 30))


def test_a_grid_counted_by_a_locked_quarter_cannot_move_but_can_be_renamed(users, roster, locked_q1):
    level3 = roster["a"]["level3"]
    fields = {"code": level3.code, "kind": "", "established_on": level3.established_on}
    with pytest.raises(
        GridError, match="不能改变上级；请撤销本网格（撤销日期晚于 2022年3月31日），再在新的上级下新增网格"
    ):
        services.update_grid(
            user=users["center"], grid=level3, name=level3.name, parent=roster["b"]["community"], **fields
        )
    services.update_grid(user=users["center"], grid=level3, name="改名小区", parent=level3.parent, **fields)
    level3.refresh_from_db()
    assert (level3.name, level3.street_id) == ("改名小区", roster["a"]["street"].pk)
    with pytest.raises(GridError, match="设立日期 2021年1月1日 已计入其中，不能再修改"):
        services.update_grid(
            user=users["center"],
            grid=level3,
            name="改名小区",
            parent=level3.parent,
            **{**fields, "established_on": dt.date(2022, 6, 1)},
        )
    # A grid set up after the lock may still move.
    later = _create(
        users, roster["a"]["community"], code="N5", level=GridLevel.LEVEL3, on=dt.date(2022, 4, 1)
    )
    services.update_grid(
        user=users["center"],
        grid=later,
        code="N5",
        name=later.name,
        parent=roster["b"]["community"],
        established_on=later.established_on,
    )
    assert Grid.objects.get(pk=later.pk).street_id == roster["b"]["street"].pk


def test_a_retirement_counted_by_a_locked_quarter_cannot_be_undone(users, roster, year, q1):
    level3 = roster["a"]["level3"]
    services.retire_grid(user=users["center"], grid=level3, retired_on=dt.date(2022, 2, 1))
    q1.status = "locked"
    q1.save()
    with pytest.raises(
        GridError, match="本网格于 2022年2月1日 撤销已计入其中，不能恢复；如仍需要，请新增网格"
    ):
        services.reinstate_grid(user=users["center"], grid=level3)
    assert Grid.objects.get(pk=level3.pk).retired_on == dt.date(2022, 2, 1)


def test_a_locked_quarter_shows_the_grids_it_was_locked_with(users, roster, locked_q1):
    community = roster["a"]["community"]
    center = users["center"]
    before = (community_entry(center, locked_q1, community), street_progress(center, locked_q1))
    _create(users, roster["a"]["level3"])
    services.retire_grid(user=center, grid=roster["a"]["level4"][0], retired_on=timezone.localdate())
    with pytest.raises(GridError):
        services.retire_grid(user=center, grid=roster["a"]["level4"][1], retired_on=dt.date(2022, 3, 1))
    assert (community_entry(center, locked_q1, community), street_progress(center, locked_q1)) == before
    assert lock_problems(locked_q1) == []


def test_the_retire_page_explains_a_refused_date(client_for, roster, locked_q1):
    grid = roster["a"]["level3"]
    client = client_for("street")
    page = client.get(f"/grids/{grid.pk}/").content.decode()
    assert 'min="2022-04-01"' in page and "设立日期 2021年1月1日" in page
    response = client.post(f"/grids/{grid.pk}/retire/", {"retired_on": "2022-03-01"}, follow=True)
    assert f"{Q1_CLOSED}，撤销日期须晚于 2022年3月31日。" in response.content.decode()
    assert Grid.objects.get(pk=grid.pk).retired_on is None


def test_the_grid_form_takes_and_checks_the_establishment_date(client_for, roster, locked_q1):
    fields = {"name": "新小区", "level": 3, "parent_code": roster["a"]["community"].code}
    response = client_for("center").post(
        "/grids/new/", {**fields, "code": "9201", "established_on": "2022-01-01"}
    )
    assert f"{Q1_CLOSED}，设立日期须晚于 2022年3月31日。" in response.content.decode()
    client_for("center").post("/grids/new/", {**fields, "code": "9202", "established_on": "2022-04-02"})
    assert Grid.objects.get(code="9202").established_on == dt.date(2022, 4, 2)


GRID_HEADERS = ["网格编码", "网格名称", "层级", "上级网格编码", "成立日期"]


def test_the_import_reads_the_establishment_date_and_defaults_to_today(users, roster):
    level3 = roster["a"]["level3"].code
    data = make_workbook(
        [["9401", "一栋", "四级网格", level3, "2023-02-01"], ["9402", "二栋", "四级网格", level3, None]],
        grid_headers=GRID_HEADERS,
    )
    services.import_roster(user=users["center"], data=data)
    assert dict(Grid.objects.filter(code__in=["9401", "9402"]).values_list("code", "established_on")) == {
        "9401": dt.date(2023, 2, 1),
        "9402": timezone.localdate(),
    }


def test_the_import_preview_reports_closed_dates_and_writes_nothing(users, roster, locked_q1):
    level3 = roster["a"]["level3"]
    rows = [
        ["9401", "一栋", "四级网格", level3.code, "2022-03-01"],
        [level3.code, level3.name, "三级网格", roster["b"]["community"].code, None],
    ]
    data = make_workbook(rows, grid_headers=GRID_HEADERS)
    plan = build_roster_plan(data)
    assert [str(e) for e in plan.errors] == [
        f"网格 第2行「成立日期」：{Q1_CLOSED}，设立日期须晚于 2022年3月31日。",
        f"网格 第3行「上级网格编码」：{Q1_CLOSED}，本网格在其中按现在的上级统计，不能改变上级；"
        "请撤销本网格（撤销日期晚于 2022年3月31日），再在新的上级下新增网格。",
    ]
    count = Grid.objects.count()
    with pytest.raises(ImportRejected):
        services.import_roster(user=users["center"], data=data)
    assert (
        Grid.objects.count() == count
        and Grid.objects.get(pk=level3.pk).community_id == roster["a"]["community"].pk
    )


def test_the_import_ends_a_post_today_and_a_return_is_a_new_post(users, roster):
    person = GridStaff.objects.filter(grid=roster["a"]["level4"][0]).get()
    staff_row = [person.grid.code, person.name, "网格员", person.phone]
    services.import_roster(user=users["center"], data=make_workbook([], [[*staff_row, "否"]]))
    person.refresh_from_db()
    assert person.ended_on == timezone.localdate() and not person.is_serving
    plan = build_roster_plan(
        make_workbook([], [[person.grid.code, "从未任职", "网格员", "13900000000", "否"]])
    )
    assert [e.message for e in plan.errors] == ["花名册中没有此人员，不在岗的人员无需导入。"]


# --- the real demo district ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_2022_figures_survive_every_roster_change_the_pages_allow(db):
    from django.core.management import call_command

    from core.models import User
    from reports.sources import year_values

    call_command("seed_demo", year=2022, stdout=open("/dev/null", "w"))  # noqa: SIM115
    expected = {"grids_level1": 14, "grids_level2": 146, "grids_level3": 725, "grids_level4": 5464}

    def figures():
        values = year_values(2022)
        return {key: int(values[key]) for key in expected}, values["coverage"]

    assert figures() == (expected, Decimal("100.00"))
    assert history.closed() == history.Closed(dt.date(2022, 12, 31), "2022年第4季度已锁定")
    center = User.objects.get(username="center")
    users = {"center": center}
    today = timezone.localdate()
    community = Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code").first()
    level3s = list(Grid.objects.filter(community=community, level=GridLevel.LEVEL3).order_by("code"))

    # Created today: a level-3 grid with two buildings.
    new3 = _create(users, community, code=f"{community.code}90", level=GridLevel.LEVEL3)
    for i in (1, 2):
        _create(users, new3, code=f"{new3.code}0{i}")
    # Retired today: a level-3 grid with its level-4 grids, and a single building elsewhere.
    services.retire_grid(user=center, grid=level3s[0], retired_on=today)
    building = Grid.objects.filter(level=GridLevel.LEVEL4).order_by("-code").first()
    services.retire_grid(user=center, grid=building, retired_on=today)
    # Imported today: a new building and a new worker on it.
    parent = level3s[1]
    services.import_roster(
        user=center,
        data=make_workbook(
            [[f"{parent.code}90", "新楼", "四级网格", parent.code]],
            [[f"{parent.code}90", "新人", "网格员", "13900000000", "是"]],
            grid_headers=["网格编码", "网格名称", "层级", "上级网格编码"],
        ),
    )
    # Posts ended today.
    for person in GridStaff.objects.filter(grid__community=community, started_on__lt=today).serving()[:20]:
        services.end_post(user=center, staff=person, ended_on=today)
    assert selectors.coverage()["rate"] < Decimal("100.00")

    # Refused: anything dated in 2022, and moving a grid that 2022 counted.
    target = Grid.objects.filter(level=GridLevel.LEVEL3).exclude(community=community).order_by("code").first()
    refusals = [
        lambda: _create(users, target, code="X1", on=dt.date(2022, 6, 30)),
        lambda: services.retire_grid(user=center, grid=target, retired_on=dt.date(2022, 1, 1)),
        lambda: services.end_post(
            user=center, staff=target.staff.serving().first(), ended_on=dt.date(2022, 12, 31)
        ),
        lambda: services.update_grid(
            user=center,
            grid=target,
            code=target.code,
            name=target.name,
            parent=Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("-code").first(),
            established_on=target.established_on,
        ),
    ]
    for refused in refusals:
        with pytest.raises(GridError, match="2022年第4季度已锁定"):
            refused()

    assert figures() == (expected, Decimal("100.00"))


def test_the_street_roster_dates_the_grids_it_creates(users, roster, locked_q1):
    from tests.workbooks import messy_workbook

    headers = ["街道", "村（社区）", "三级网格", "四级网格", "设立时间"]
    street, community = roster["a"]["street"].name, roster["a"]["community"].name
    rows = [
        [street, community, "新小区", "1栋", "2023-03-01"],
        [street, community, "旧小区", "1栋", "2022-02-01"],
    ]
    plan = build_roster_plan(messy_workbook(headers, rows, serial=False, footer=()))
    assert [str(e) for e in plan.errors] == [
        f"Sheet1 第5行「设立时间」：{Q1_CLOSED}，设立日期须晚于 2022年3月31日。"
    ]
    plan = build_roster_plan(messy_workbook(headers, rows[:1], serial=False, footer=()))
    assert {(g.name, g.established_on) for g in plan.grid_creates} == {
        ("新小区", dt.date(2023, 3, 1)),
        ("1栋", dt.date(2023, 3, 1)),
    }
