"""Rows written each with its own values by one statement sent once (core.bulk): what bulk_update and
bulk_create write, on SQLite and PostgreSQL, history rows with updates, and seen by the kept results' marks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments.models import GridRating, Rating
from core import changes
from core.bulk import insert_rows, update_rows, update_rows_with_history


@pytest.fixture
def ratings(users, roster, q1):
    grids = [roster["a"]["level4"][0], roster["a"]["level4"][1], roster["b"]["level3"]]
    return [
        GridRating.objects.create(
            period=q1, grid=grid, level=grid.level, street=grid.street, rating=Rating.QUALIFIED
        )
        for grid in grids
    ]


def test_each_row_gets_its_own_values_of_every_kind(users, ratings):
    moment = dt.datetime(2022, 4, 1, 9, 30, tzinfo=dt.UTC)
    first, second, third = ratings
    first.rating, first.score, first.remark, first.rated_by, first.rated_at = (
        Rating.EXCELLENT,
        Decimal("98.50"),
        "第一",
        users["center"],
        moment,
    )
    second.rating, second.score, second.remark, second.rated_by = Rating.BASIC, None, "", None
    third.remark = "未改等次"
    fields = ["rating", "score", "remark", "rated_by", "rated_at"]
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(GridRating, ratings, fields) == 3
    # Django's query log writes an executemany() as "3 times: UPDATE ...".
    assert [q["sql"].split(": ")[0] for q in queries if "UPDATE" in q["sql"]] == ["3 times"]
    saved = GridRating.objects.in_bulk([r.pk for r in ratings])
    assert (saved[first.pk].rating, saved[first.pk].score, saved[first.pk].remark) == (
        Rating.EXCELLENT,
        Decimal("98.50"),
        "第一",
    )
    assert saved[first.pk].rated_by_id == users["center"].pk
    assert saved[first.pk].rated_at == moment
    assert (saved[second.pk].rating, saved[second.pk].score, saved[second.pk].rated_by_id) == (
        Rating.BASIC,
        None,
        None,
    )
    assert (saved[third.pk].rating, saved[third.pk].remark) == (Rating.QUALIFIED, "未改等次")


def test_only_the_named_fields_are_written(ratings):
    first = ratings[0]
    first.rating, first.remark = Rating.EXCELLENT, "不写"
    update_rows(GridRating, [first], ["rating"])
    first.refresh_from_db()
    assert (first.rating, first.remark) == (Rating.EXCELLENT, "")


def test_nothing_to_write_runs_no_statement(db):
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(GridRating, [], ["rating"]) == 0
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("objs", "fields", "words"),
    [
        pytest.param(lambda r: [GridRating(rating=Rating.BASIC)], ["rating"], "saved objects", id="unsaved"),
        pytest.param(lambda r: r, ["id"], "non-key", id="primary key"),
    ],
)
def test_refused_input_writes_nothing(ratings, objs, fields, words):
    ratings[0].rating = Rating.EXCELLENT
    with pytest.raises(ValueError, match=words):
        update_rows(GridRating, objs(ratings), fields)
    assert not GridRating.objects.filter(rating=Rating.EXCELLENT).exists()


def test_with_history_a_history_row_each_by_the_user(users, ratings):
    before = GridRating.history.count()
    for rating in ratings:
        rating.rating = Rating.BASIC
    update_rows_with_history(
        ratings, GridRating, ["rating"], default_user=users["street"], default_change_reason="测试"
    )
    rows = GridRating.history.order_by("-history_id")[: len(ratings)]
    assert GridRating.history.count() == before + len(ratings)
    assert {(r.id, r.rating, r.history_type, r.history_user_id, r.history_change_reason) for r in rows} == {
        (rating.pk, Rating.BASIC, "~", users["street"].pk, "测试") for rating in ratings
    }


def test_a_kept_result_read_from_the_table_is_computed_again(ratings):
    calls = []

    def count():
        calls.append(1)
        return GridRating.objects.filter(rating=Rating.EXCELLENT).count()

    assert changes.remember("test-bulk", count) == 0
    assert changes.remember("test-bulk", count) == 0
    assert len(calls) == 1
    ratings[0].rating = Rating.EXCELLENT
    update_rows(GridRating, ratings[:1], ["rating"])
    assert changes.remember("test-bulk", count) == 1
    assert len(calls) == 2


# insert_rows: new rows as bulk_create writes them.


def test_new_rows_are_written_as_bulk_create_writes_them(roster):
    from grids.models import GridStaff

    grid = roster["a"]["level4"][0]
    before = GridStaff.objects.count()
    new = [
        GridStaff(
            grid=grid, name=f"新人{n}", phone="13800000000", role="worker", started_on=dt.date(2022, 1, n + 1)
        )
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        assert insert_rows(GridStaff, new) == 3
    inserts = [q["sql"].split(": ")[0] for q in queries if "INSERT" in q["sql"]]
    # SQLite: one statement run for each row; PostgreSQL: the rows streamed by COPY (no INSERT at all).
    assert inserts == (["3 times"] if connection.vendor == "sqlite" else [])
    assert GridStaff.objects.count() == before + 3
    saved = GridStaff.objects.get(name="新人2")
    assert (saved.grid_id, saved.phone, saved.started_on, saved.ended_on) == (
        grid.pk,
        "13800000000",
        dt.date(2022, 1, 3),
        None,
    )
    assert saved.created_at is not None and saved.updated_at is not None  # auto_now(_add) as save() does


def test_a_saved_object_is_refused_and_nothing_written(roster):
    from grids.models import GridStaff

    before = GridStaff.objects.count()
    existing = GridStaff.objects.first()
    with pytest.raises(ValueError, match="new objects only"):
        insert_rows(
            GridStaff,
            [GridStaff(grid=existing.grid, name="x", phone="1", started_on=dt.date(2022, 1, 1)), existing],
        )
    assert GridStaff.objects.count() == before


def test_inserted_rows_are_seen_by_the_kept_results(roster):
    from grids.models import GridStaff

    calls = []

    def count():
        calls.append(1)
        return GridStaff.objects.count()

    first = changes.remember("test-insert", count)
    insert_rows(
        GridStaff,
        [GridStaff(grid=roster["a"]["level3"], name="y", phone="1", started_on=dt.date(2022, 1, 1))],
    )
    assert changes.remember("test-insert", count) == first + 1 and len(calls) == 2


def test_one_insert_is_one_moment_and_a_repeated_value_is_written_in_every_row(roster):
    from grids.models import GridStaff

    grids = roster["a"]["level4"][:2]
    new = [
        GridStaff(
            grid=grids[n % 2],
            name=f"同批{n}",
            phone="13800000000",
            role="worker",
            started_on=dt.date(2022, 3, 1),
        )
        for n in range(4)
    ]
    insert_rows(GridStaff, new)
    saved = list(GridStaff.objects.filter(name__startswith="同批").order_by("name"))
    assert [(s.grid_id, s.phone, s.started_on) for s in saved] == [
        (grids[n % 2].pk, "13800000000", dt.date(2022, 3, 1)) for n in range(4)
    ]
    assert len({(s.created_at, s.updated_at) for s in saved}) == 1
    assert (
        saved[0].created_at == new[0].created_at
    )  # the objects hold what was written, as save() leaves them


def test_a_row_the_database_refuses_is_djangos_integrity_error_and_nothing_is_written(roster):
    from grids.models import Grid

    taken = roster["a"]["level4"][0]
    before = Grid.objects.count()
    new = [
        Grid(code="990000000001", name="新网格", level=taken.level, parent_id=taken.parent_id),
        Grid(code=taken.code, name="重复编码", level=taken.level, parent_id=taken.parent_id),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Grid, new)
    assert Grid.objects.count() == before
