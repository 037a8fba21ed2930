"""Other systems read the grid roster with its dates through the API (grids.api, /api/v1/grids/)."""

import datetime as dt

import pytest

from core.models import ApiScope
from grids.models import GridStaff
from tests.api_helpers import api_client, problem_fields, refusal
from tests.factories import Level3Factory, Level4Factory, StaffFactory
from tests.queries import page_queries

GRIDS = "/api/v1/grids/"


@pytest.fixture
def reader(users):
    return api_client(users, ApiScope.READ_RESULTS)


def by_code(response) -> dict[str, dict]:
    assert response.status_code == 200
    return {row["code"]: row for row in response.json()["results"]}


def test_the_roster_lists_every_grid_with_its_ancestors_dates_and_posts(reader, roster):
    a = roster["a"]
    body = reader.get(GRIDS).json()
    assert body["count"] == 10 and body["next"] is None
    codes = [row["code"] for row in body["results"]]
    assert codes == sorted(codes)
    building = next(row for row in body["results"] if row["code"] == a["level4"][0].code)
    post = a["level4"][0].staff.get()
    assert building == {
        "code": a["level4"][0].code,
        "name": "a1栋",
        "level": 4,
        "kind": "",
        "parent_code": a["level3"].code,
        "street_code": a["street"].code,
        "street": "a街道",
        "community_code": a["community"].code,
        "community": "a社区",
        "established_on": "2021-01-01",
        "retired_on": None,
        "staff_count": 1,
        "staff": [{"name": post.name, "role": "网格员", "started_on": "2021-01-01", "ended_on": None}],
    }
    street = next(row for row in body["results"] if row["code"] == a["street"].code)
    assert (street["level"], street["parent_code"], street["street"], street["staff"]) == (1, None, None, [])
    community = next(row for row in body["results"] if row["code"] == a["community"].code)
    assert (community["kind"], community["parent_code"]) == ("urban", a["street"].code)


def test_filters_by_level_and_street_by_code_or_name(reader, roster):
    a, b = roster["a"], roster["b"]
    level4 = by_code(reader.get(GRIDS, {"level": 4}))
    assert set(level4) == {g.code for g in a["level4"] + b["level4"]}
    by_name = by_code(reader.get(GRIDS, {"street": "b街道"}))
    assert set(by_name) == {b["street"].code, b["community"].code, b["level3"].code} | {
        g.code for g in b["level4"]
    }
    assert by_code(reader.get(GRIDS, {"street": a["street"].code, "level": 3})).keys() == {a["level3"].code}


def test_active_on_gives_the_roster_of_that_day_and_without_it_every_grid_and_post_with_dates(reader, roster):
    a = roster["a"]
    retired = a["level4"][1]
    retired.retired_on = dt.date(2022, 6, 30)
    retired.save()
    post = a["level4"][0].staff.get()
    GridStaff.objects.filter(pk=post.pk).update(ended_on=dt.date(2022, 3, 31))
    successor = StaffFactory(grid=a["level4"][0], name="接任者", started_on=dt.date(2022, 4, 1))

    march = by_code(reader.get(GRIDS, {"active_on": "2022-03-15", "street": "a街道"}))
    assert retired.code in march
    assert [p["name"] for p in march[a["level4"][0].code]["staff"]] == [post.name]
    assert march[a["level4"][0].code]["staff_count"] == 1

    july = by_code(reader.get(GRIDS, {"active_on": "2022-07-01", "street": "a街道"}))
    assert retired.code not in july
    assert [p["name"] for p in july[a["level4"][0].code]["staff"]] == ["接任者"]

    ever = by_code(reader.get(GRIDS, {"street": "a街道"}))
    assert ever[retired.code]["retired_on"] == "2022-06-30"
    posts = {p["name"]: p for p in ever[a["level4"][0].code]["staff"]}
    assert posts[post.name]["ended_on"] == "2022-03-31"
    assert posts["接任者"] == {
        "name": "接任者",
        "role": "网格员",
        "started_on": "2022-04-01",
        "ended_on": None,
    }
    assert ever[a["level4"][0].code]["staff_count"] == 1 and successor.is_serving  # serving today


def test_the_roster_is_paginated(reader, roster):
    first = reader.get(GRIDS, {"page_size": 4}).json()
    assert first["count"] == 10 and len(first["results"]) == 4 and first["previous"] is None
    assert first["next"].endswith("/api/v1/grids/?page_size=4&page=2")
    last = reader.get(GRIDS, {"page_size": 4, "page": 3}).json()
    assert len(last["results"]) == 2 and last["next"] is None
    seen = [
        r["code"]
        for page in (1, 2, 3)
        for r in reader.get(GRIDS, {"page_size": 4, "page": page}).json()["results"]
    ]
    assert len(set(seen)) == 10


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"level": "7"}, "level"),
        ({"level": "三级"}, "level"),
        ({"active_on": "notadate"}, "active_on"),
        ({"active_on": "2022-02-30"}, "active_on"),
        ({"street": "不存在街道"}, "street"),
        ({"page": "abc"}, "page"),
        ({"page_size": "5000"}, "page_size"),
    ],
)
def test_a_wrong_parameter_is_a_400_problem_naming_it(reader, roster, query, field):
    assert problem_fields(reader.get(GRIDS, query)) == [field]


def test_a_client_without_the_results_scope_is_refused(users, roster):
    pusher = api_client(users, ApiScope.PUSH_HOTLINE, name="12345热线平台")
    assert refusal(pusher.get(GRIDS)) == "该客户端没有“读取考核结果”的权限范围。"


def test_the_queries_do_not_grow_with_the_grids_and_posts_of_a_page(reader, roster):
    reader.get(GRIDS)  # the day's first call also prunes the call log (core.api)
    small = page_queries(reader, GRIDS)
    for community in (roster["a"]["community"], roster["b"]["community"]):
        for _ in range(3):
            level3 = Level3Factory(parent=community)
            for _ in range(3):
                StaffFactory(grid=Level4Factory(parent=level3))
    assert reader.get(GRIDS).json()["count"] == 10 + 2 * 3 * 4
    assert page_queries(reader, GRIDS) == small


def test_a_blank_street_is_no_street_filter(users, roster, year):
    from tests.api_helpers import api_client

    client = api_client(users, "results:read")
    every = client.get("/api/v1/grids/").json()["count"]
    assert client.get("/api/v1/grids/?street=").json()["count"] == every
