"""Correcting a post's 任职日期 on its page is bound by closed periods as adding or ending a post is."""

import datetime as dt
from decimal import Decimal

import pytest

from assessments.entries import RatingInput
from assessments.services.periods import lock_period
from assessments.services.ratings import save_ratings
from grids import selectors
from grids.models import Grid, GridStaff
from reports.models import EvaluationStatus, SelfEvaluation

DEC_31 = dt.date(2022, 12, 31)


@pytest.fixture
def locked_2022(users, roster, year, budget):
    """Every 2022 quarter rated and locked, as in the demo district."""
    grids = Grid.objects.staffable().order_by("code")
    for period in year.periods.order_by("quarter"):
        entries = [RatingInput(grid.pk, "qualified") for grid in grids]
        save_ratings(user=users["center"], period=period, entries=entries)
        lock_period(user=users["center"], period=period)
    return year


def _edit(client, person: GridStaff, started_on: str):
    return client.post(
        f"/grids/{person.grid_id}/staff/{person.pk}/edit/",
        {"name": person.name, "phone": person.phone, "role": person.role, "started_on": started_on},
    )


def _only_worker(roster) -> GridStaff:
    return GridStaff.objects.get(grid=roster["a"]["level4"][0])


def test_the_edit_page_refuses_moving_a_counted_start_date_after_a_locked_year(
    client_for, roster, locked_2022
):
    person = _only_worker(roster)
    before = selectors.coverage(DEC_31)
    response = _edit(client_for("street"), person, "2023-02-01")
    assert response.status_code == 200
    assert "2022年第4季度已锁定，任职日期 2021年1月1日 已计入其中，不能再修改。" in response.content.decode()
    assert GridStaff.objects.get(pk=person.pk).started_on == dt.date(2021, 1, 1)
    assert selectors.coverage(DEC_31) == before == {"total": 6, "staffed": 4, "rate": Decimal("66.67")}


def test_the_edit_page_refuses_it_once_the_year_is_finalised(client_for, roster, db):
    SelfEvaluation.objects.create(year=2022, status=EvaluationStatus.FINAL)
    person = _only_worker(roster)
    page = _edit(client_for("street"), person, "2023-02-01").content.decode()
    assert "2022年度绩效自评已定稿，任职日期 2021年1月1日 已计入其中，不能再修改。" in page
    assert GridStaff.objects.get(pk=person.pk).started_on == dt.date(2021, 1, 1)


def test_the_edit_page_still_corrects_names_and_dates_after_the_closed_period(
    client_for, roster, locked_2022
):
    person = _only_worker(roster)
    client = client_for("street")
    assert (
        _edit(client, person, "2021-01-01").status_code == 302
    )  # the date as it was: other fields may change
    later = GridStaff.objects.create(
        grid=person.grid, name="新人", phone="13900000000", role=person.role, started_on=dt.date(2023, 3, 1)
    )
    assert _edit(client, later, "2023-04-01").status_code == 302
    assert GridStaff.objects.get(pk=later.pk).started_on == dt.date(2023, 4, 1)
    page = _edit(client, later, "2022-12-01").content.decode()
    assert "2022年第4季度已锁定，任职日期须晚于 2022年12月31日。" in page
