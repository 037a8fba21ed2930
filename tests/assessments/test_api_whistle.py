"""The grid app pushes its 雷锋哨 tickets through the API (assessments.api, assessments.services.whistle_push):
the workbook importer's rules, item by item."""

import pytest
from django.test import Client

from assessments.models import TicketStatus, WhistleTicket
from core import api_clients
from core.models import ApiScope
from reports.services import finalise_evaluation
from tests.reports.conftest import evaluation  # noqa: F401  (the 2022 self-evaluation over a paid Q1)

PUSH = "/api/v1/whistle/tickets/"


@pytest.fixture
def grid_app(users):
    client, token = api_clients.register_client(
        user=users["admin"], name="网格通", scopes=[ApiScope.PUSH_WHISTLE]
    )
    http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    http.api_client = client
    return http


def push(http, items):
    return http.post(PUSH, data={"items": items}, content_type="application/json")


def ticket(number, grid, status="已采集", **more):
    """A 哨单 of 2022-02-01, with the times of the steps up to its status."""
    times = {
        "whistled_at": "2022-02-01T10:00:00+08:00",
        "reported_at": "2022-02-01T12:00:00+08:00",
        "closed_at": "2022-02-03T09:00:00+08:00",
    }
    steps = ["已采集", "已吹哨", "已报到/处置中", "已办结"].index(status)
    return {
        "number": number,
        "grid_code": grid.code,
        "reporter": "李四",
        "collected_at": "2022-02-01T09:00:00+08:00",
        "category": "安全隐患",
        "description": "电线老化",
        "department": "区应急管理局",
        "status": status,
        **{field: at for i, (field, at) in enumerate(times.items()) if i < steps},
        **more,
    }


def results(response) -> list[tuple]:
    return [(item["number"], item["result"], item["reason"]) for item in response.json()["items"]]


def test_pushed_tickets_are_created_named_after_the_client_and_a_resend_changes_nothing(grid_app, roster):
    grid = roster["a"]["level4"][0]
    items = [ticket("W-1", grid), ticket("W-2", roster["b"]["level3"], "已办结")]
    first = push(grid_app, items)
    assert first.status_code == 200
    assert first.json() | {"items": None} == {
        "received": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
        "items": None,
    }
    stored = {t.number: t for t in WhistleTicket.objects.all()}
    assert stored["W-1"].grid == grid and stored["W-1"].status == TicketStatus.COLLECTED
    assert stored["W-2"].street == roster["b"]["street"] and stored["W-2"].status == TicketStatus.CLOSED
    record = stored["W-1"].history.get()
    assert (record.history_user, record.history_change_reason) == (
        grid_app.api_client.user,
        "接口推送：网格通",
    )

    again = push(grid_app, items)
    assert results(again) == [
        ("W-1", "unchanged", "哨单“W-1”已是最新，未改动。"),
        ("W-2", "unchanged", "哨单“W-2”已是最新，未改动。"),
    ]
    assert again.json()["unchanged"] == 2 and WhistleTicket.objects.count() == 2
    assert stored["W-1"].history.count() == 1


def test_a_known_ticket_moving_on_is_updated_and_a_field_left_out_keeps_its_value(grid_app, roster):
    grid = roster["a"]["level4"][0]
    push(grid_app, [ticket("W-1", grid, "已吹哨")])
    closed = ticket("W-1", grid, "已办结")
    del closed["department"], closed["description"]
    response = push(grid_app, [closed])
    assert results(response) == [("W-1", "updated", "")] and response.json()["updated"] == 1
    stored = WhistleTicket.objects.get(number="W-1")
    assert (
        stored.status == TicketStatus.CLOSED and stored.closed_at.isoformat() == "2022-02-03T01:00:00+00:00"
    )
    assert (stored.department, stored.description) == ("区应急管理局", "电线老化")
    latest = stored.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        grid_app.api_client.user,
        "接口推送：网格通",
    )
    assert results(push(grid_app, [closed]))[0][1] == "unchanged"


def test_a_status_never_goes_back_nor_recorded_facts_change(grid_app, roster):
    grid = roster["a"]["level4"][0]
    push(grid_app, [ticket("W-1", grid, "已办结"), ticket("W-2", grid, "已吹哨")])
    response = push(
        grid_app,
        [
            ticket("W-1", grid, "已吹哨"),
            ticket("W-2", grid, "已吹哨", reporter="王五"),
            ticket("W-2B", grid, "已吹哨", whistled_at="2022-02-01T08:00:00+08:00"),  # before its collection
            ticket("W-3", grid, "已办结"),
        ],
    )
    got = results(response)
    assert got[0] == ("W-1", "refused", "status：哨单“W-1”已是“已办结”，不能改回“已吹哨”。")
    assert got[1] == (
        "W-2",
        "refused",
        "status：哨单“W-2”已登记：网格、采集人、采集时间、问题类别不能通过导入修改。",
    )
    assert got[2][:2] == ("W-2B", "refused") and got[2][2].startswith(
        "whistled_at：whistled_at早于collected_at"
    )
    assert got[3] == ("W-3", "created", "")
    assert WhistleTicket.objects.get(number="W-1").status == TicketStatus.CLOSED
    assert WhistleTicket.objects.get(number="W-2").reporter == "李四"
    assert not WhistleTicket.objects.filter(number="W-2B").exists()


def test_grids_are_found_by_code_or_name_path_and_an_unknown_one_is_refused(grid_app, roster):
    by_names = ticket("N-1", roster["a"]["level4"][1], grid_code="")
    by_names |= {
        "street_name": "a街道",
        "community_name": "a社区",
        "level3_name": "a小区",
        "level4_name": "a2栋",
    }
    response = push(
        grid_app,
        [
            by_names,
            ticket("N-2", roster["a"]["level4"][0], grid_code="NO-SUCH"),
            ticket("N-3", roster["a"]["street"]),
            ticket(
                "N-4",
                roster["a"]["level4"][0],
                grid_code="",
                community_name="不存在社区",
                street_name="a街道",
            ),
        ],
    )
    got = results(response)
    assert got[0] == ("N-1", "created", "")
    assert WhistleTicket.objects.get(number="N-1").grid == roster["a"]["level4"][1]
    assert got[1] == ("N-2", "refused", "grid_code：网格编码“NO-SUCH”不存在。")
    assert got[2] == ("N-3", "refused", "grid_code：“a街道”是街镇：哨单应登记到村（社区）或三、四级网格。")
    assert got[3][:2] == ("N-4", "refused") and got[3][2].startswith("community_name：")
    assert set(WhistleTicket.objects.values_list("number", flat=True)) == {"N-1"}


def test_items_of_wrong_types_are_refused_on_their_own(grid_app, roster):
    grid = roster["a"]["level4"][0]
    response = push(
        grid_app,
        [
            ticket("B-1", grid, collected_at="不是时间"),
            ticket("B-2", grid) | {"status": "不知道"},
            {"grid_code": grid.code},  # no number, reporter nor collection time
            ticket("B-3", grid, collected_at="2099-01-01T00:00:00+08:00"),
            ticket("B-4", grid),
        ],
    )
    got = results(response)
    assert got[0][:2] == ("B-1", "refused") and got[0][2].startswith("collected_at：")
    assert got[1][:2] == ("B-2", "refused") and got[1][2].startswith("status：未知状态“不知道”")
    assert got[2][:2] == ("", "refused") and {"number", "reporter", "collected_at"} <= {
        part.split("：")[0] for part in got[2][2].split("；")
    }
    assert got[3][:2] == ("B-3", "refused")
    assert got[4] == ("B-4", "created", "")
    assert list(WhistleTicket.objects.values_list("number", flat=True)) == ["B-4"]


def test_one_number_twice_in_a_push_refuses_every_item_of_it(grid_app, roster):
    grid = roster["a"]["level4"][0]
    response = push(grid_app, [ticket("D-1", grid), ticket("D-2", grid), ticket("D-1", grid, "已吹哨")])
    reason = "number：哨单编号“D-1”在本次推送中出现多次（第1、3条），均未写入。"
    assert results(response) == [
        ("D-1", "refused", reason),
        ("D-2", "created", ""),
        ("D-1", "refused", reason),
    ]
    assert list(WhistleTicket.objects.values_list("number", flat=True)) == ["D-2"]


def test_a_locked_quarter_freezes_no_ticket_but_a_finalised_year_refuses_them(
    grid_app,
    users,
    roster,
    evaluation,  # noqa: F811
):
    grid = roster["a"]["level4"][0]
    assert evaluation.year == 2022
    push(grid_app, [ticket("F-1", grid)])
    # Q1 of 2022 is locked and paid: tickets pay nothing, so it does not stop them (as the workbook).
    assert results(push(grid_app, [ticket("F-1", grid, "已吹哨")]))[0][1] == "updated"
    finalise_evaluation(user=users["leader"], evaluation=evaluation)
    got = results(push(grid_app, [ticket("F-1", grid, "已办结"), ticket("F-2", grid)]))
    frozen = "2022 年绩效自评已定稿，该年哨单数据已冻结"
    assert got[0][:2] == ("F-1", "refused") and frozen in got[0][2]
    assert got[1][:2] == ("F-2", "refused") and frozen in got[1][2]
    assert WhistleTicket.objects.get(number="F-1").status == TicketStatus.WHISTLED


def test_a_second_push_with_the_same_number_twice_still_writes_nothing_of_it(grid_app, roster):
    grid = roster["a"]["level4"][0]
    items = [ticket("R-1", grid), ticket("R-1", grid)]
    assert [r[1] for r in results(push(grid_app, items))] == ["refused", "refused"]
    assert [r[1] for r in results(push(grid_app, items))] == ["refused", "refused"]
    assert not WhistleTicket.objects.exists()


@pytest.mark.parametrize(
    "body", [{"items": []}, {"items": [{"number": "X"}] * 501}, {"tickets": []}, {"items": "W-1"}]
)
def test_a_push_that_is_not_a_list_of_up_to_500_items_is_a_400_problem(grid_app, roster, body):
    response = grid_app.post(PUSH, data=body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "请求内容有误" and {e["field"] for e in problem["errors"]} == {"items"}
    assert not WhistleTicket.objects.exists()


def test_a_client_without_the_whistle_scope_is_refused(users, roster):
    _client, token = api_clients.register_client(
        user=users["admin"], name="结果读取", scopes=[ApiScope.READ_RESULTS]
    )
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = push(reader, [ticket("S-1", roster["a"]["level4"][0])])
    assert (
        response.status_code == 403
        and response.json()["detail"] == "该客户端没有“推送雷锋哨哨单”的权限范围。"
    )
    assert Client().post(PUSH, data={"items": []}, content_type="application/json").status_code == 401
    assert not WhistleTicket.objects.exists()
