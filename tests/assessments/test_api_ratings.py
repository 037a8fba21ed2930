"""Other systems read a quarter's level-3/4 grid ratings through the API (assessments.api.GridRatings):
the rows of the ratings workbook (assessments.selectors.ratings.rated_grids)."""

import datetime as dt
from decimal import Decimal

import pytest

from assessments.entries import RatingInput
from assessments.services.ratings import save_ratings
from core.models import ApiScope
from tests.api_helpers import api_client, problem_fields, refusal
from tests.factories import Level4Factory


@pytest.fixture
def reader(users):
    return api_client(users, ApiScope.READ_RESULTS)


def ratings_url(period) -> str:
    return f"/api/v1/periods/{period.pk}/ratings/"


def by_grid(response) -> dict[str, dict]:
    assert response.status_code == 200
    return {row["grid"]: row for row in response.json()["results"]}


def test_a_locked_quarter_lists_every_level_3_and_4_grid_with_its_rating(reader, roster, locked_q1):
    a = roster["a"]
    body = reader.get(ratings_url(locked_q1)).json()
    assert body["count"] == 6
    rows = {row["grid"]: row for row in body["results"]}
    assert {name: row["rating"] for name, row in rows.items()} == {
        "a小区": "优秀",
        "a1栋": "合格",
        "a2栋": "基本合格",
        "b小区": "合格",
        "b1栋": "优秀",
        "b2栋": "合格",
    }
    assert rows["a1栋"] == {
        "grid_code": a["level4"][0].code,
        "grid": "a1栋",
        "level": 4,
        "parent_code": a["level3"].code,
        "street_code": a["street"].code,
        "street": "a街道",
        "community_code": a["community"].code,
        "community": "a社区",
        "rating": "合格",
        "score": None,
        "remark": "",
    }
    assert rows["a小区"]["parent_code"] == a["community"].code
    codes = [row["grid_code"] for row in body["results"]]
    assert codes == sorted(codes)


def test_a_locked_quarter_keeps_the_grids_of_its_last_day(reader, roster, locked_q1):
    """A grid set up after the quarter is not in it; one retired after it still is."""
    a = roster["a"]
    Level4Factory(parent=a["level3"], name="新楼", established_on=dt.date(2022, 5, 1))
    a["level4"][1].retired_on = dt.date(2022, 6, 30)
    a["level4"][1].save()
    rows = by_grid(reader.get(ratings_url(locked_q1)))
    assert "新楼" not in rows and rows["a2栋"]["rating"] == "基本合格"


def test_an_open_quarter_shows_scores_remarks_and_unrated_grids(reader, users, roster, year):
    q2 = year.periods.get(quarter=2)
    b = roster["b"]
    save_ratings(
        user=users["center"],
        period=q2,
        entries=[RatingInput(b["level3"].pk, "excellent", Decimal("96.5"), "表现突出")],
    )
    rows = by_grid(reader.get(ratings_url(q2), {"street": "b街道"}))
    assert set(rows) == {"b小区", "b1栋", "b2栋"}
    assert (rows["b小区"]["rating"], rows["b小区"]["score"], rows["b小区"]["remark"]) == (
        "优秀",
        "96.50",
        "表现突出",
    )
    assert (rows["b1栋"]["rating"], rows["b1栋"]["score"], rows["b1栋"]["remark"]) == (None, None, None)


def test_filters_by_street_code_and_level(reader, roster, locked_q1):
    a = roster["a"]
    rows = by_grid(reader.get(ratings_url(locked_q1), {"street": a["street"].code, "level": "4"}))
    assert set(rows) == {"a1栋", "a2栋"}
    level3 = by_grid(reader.get(ratings_url(locked_q1), {"level": 3}))
    assert {name: row["rating"] for name, row in level3.items()} == {"a小区": "优秀", "b小区": "合格"}


def test_the_ratings_are_paginated(reader, roster, locked_q1):
    first = reader.get(ratings_url(locked_q1), {"page_size": 4}).json()
    assert (
        first["count"] == 6 and len(first["results"]) == 4 and first["next"].endswith("?page_size=4&page=2")
    )
    second = reader.get(ratings_url(locked_q1), {"page_size": 4, "page": 2}).json()
    assert len(second["results"]) == 2 and second["next"] is None and second["previous"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"level": "7"}, "level"), ({"level": "2"}, "level"), ({"street": "不存在街道"}, "street")],
)
def test_a_wrong_parameter_is_a_400_problem_naming_it(reader, roster, locked_q1, query, field):
    assert problem_fields(reader.get(ratings_url(locked_q1), query)) == [field]


def test_an_unknown_quarter_is_a_404_problem(reader, roster):
    response = reader.get("/api/v1/periods/999999/ratings/")
    assert response.status_code == 404 and response.json()["detail"] == "考核季度不存在。"


def test_a_client_without_the_results_scope_is_refused(users, roster, locked_q1):
    pusher = api_client(users, ApiScope.PUSH_HOTLINE, name="12345热线平台")
    assert refusal(pusher.get(ratings_url(locked_q1))) == "该客户端没有“读取考核结果”的权限范围。"
