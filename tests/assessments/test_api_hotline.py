"""The 12345 platform pushes its tickets through the API and reads the zero-complaint results back
(assessments.api, assessments.services.hotline_push): the workbook importer's rules, item by item."""

from decimal import Decimal

import pytest
from django.test import Client

from assessments.models import HotlineComplaint
from core import api_clients
from core.models import ApiCall, ApiScope

PUSH = "/api/v1/hotline/tickets/"


@pytest.fixture
def platform(users):
    client, token = api_clients.register_client(
        user=users["admin"], name="12345热线平台", scopes=[ApiScope.PUSH_HOTLINE, ApiScope.READ_RESULTS]
    )
    http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    http.api_client = client
    return http


def push(http, items):
    return http.post(PUSH, data={"items": items}, content_type="application/json")


def ticket(no, community="a社区", street="a街道", at="2022-02-10T09:30:00+08:00", **more):
    return {
        "ticket_no": no,
        "received_at": at,
        "district": "望城区",
        "street": street,
        "community": community,
        **more,
    }


def results(response) -> list[tuple]:
    return [(item["ticket_no"], item["result"], item["reason"]) for item in response.json()["items"]]


def test_pushed_tickets_are_written_once_and_a_resend_changes_nothing(platform, roster, q1):
    items = [
        ticket("T-1"),
        ticket("T-2", community="b社区", street="b街道", complaint_type="投诉"),
        ticket("T-3", complaint_type="咨询"),  # kept, not counted
    ]
    first = push(platform, items)
    assert first.status_code == 200
    assert first.json() | {"items": None} == {
        "received": 3,
        "created": 3,
        "unmatched": 0,
        "unchanged": 0,
        "refused": 0,
        "items": None,
    }
    stored = {c.ticket_no: c for c in HotlineComplaint.objects.all()}
    assert stored["T-1"].community == roster["a"]["community"] and stored["T-1"].counts
    assert stored["T-2"].community == roster["b"]["community"]
    assert not stored["T-3"].counts
    # the record's history names the client that wrote it
    record = stored["T-1"].history.get()
    assert (
        record.history_user == platform.api_client.user
        and record.history_change_reason == "接口推送：12345热线平台"
    )
    again = push(platform, items)
    assert [r[1] for r in results(again)] == ["unchanged"] * 3
    assert again.json()["created"] == 0 and HotlineComplaint.objects.count() == 3


def test_each_item_is_answered_by_the_importers_rules(platform, roster, year):
    HotlineComplaint.objects.create(
        ticket_no="OLD", received_at="2022-05-01T10:00+08:00", received_on="2022-05-01",
        street=roster["a"]["street"], community=roster["a"]["community"],
    )  # fmt: skip
    response = push(
        platform,
        [
            ticket(
                "K-1", district="开福区", community="a社区"
            ),  # another district's village of the same name
            ticket("K-2", community="不存在村", street="a街道"),  # waits in the unmatched queue
            ticket("OLD"),  # known number
            ticket("K-3", at="不是时间"),  # a wrong type: refused on its own
            ticket("K-4", at="2027-06-01T00:00:00+08:00"),  # in the future
            ticket("K-5", valid=False),
        ],
    )
    assert response.status_code == 200
    got = results(response)
    assert got[0] == ("K-1", "refused", "其他区县（开福区）的工单，不属于本区。")
    assert got[1][:2] == ("K-2", "unmatched") and "未匹配工单" in got[1][2]
    assert got[2] == ("OLD", "unchanged", "工单已导入，不再重复写入。")
    assert got[3][:2] == ("K-3", "refused") and got[3][2].startswith("received_at：")
    assert got[4][:2] == ("K-4", "refused") and "晚于今天" in got[4][2]
    assert got[5][:2] == ("K-5", "created")
    assert not HotlineComplaint.objects.get(ticket_no="K-5").is_valid
    assert set(HotlineComplaint.objects.values_list("ticket_no", flat=True)) == {"OLD", "K-2", "K-5"}
    assert HotlineComplaint.objects.get(ticket_no="K-2").community is None


def test_nothing_is_written_into_a_locked_quarter(platform, users, roster, locked_q1):
    response = push(
        platform,
        [ticket("L-1", at="2022-03-01T09:00:00+08:00"), ticket("L-2", at="2022-04-02T09:00:00+08:00")],
    )
    got = results(response)
    assert got[0] == ("L-1", "refused", "属于已锁定的2022年第1季度，不能写入。")
    assert got[1][1] == "created"
    assert not HotlineComplaint.objects.filter(ticket_no="L-1").exists()


def test_one_number_twice_with_different_contents_refuses_both_and_identical_twice_writes_one(
    platform, roster, q1
):
    response = push(
        platform,
        [ticket("D-1", content="噪音"), ticket("D-1", content="垃圾"), ticket("D-2"), ticket("D-2")],
    )
    got = results(response)
    assert [g[1] for g in got] == ["refused", "refused", "created", "unchanged"]
    assert got[3][2] == "与第3条相同，只导入一次。"
    assert list(HotlineComplaint.objects.values_list("ticket_no", flat=True)) == ["D-2"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"ticket_no": "X"}] * 501}, "items"),
        ({"tickets": []}, "items"),
        ({"items": "T-1"}, "items"),
    ],
)
def test_a_push_that_is_not_a_list_of_up_to_500_items_is_a_400_problem(platform, q1, body, field):
    response = platform.post(PUSH, data=body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "请求内容有误" and {e["field"] for e in problem["errors"]} == {field}
    assert not HotlineComplaint.objects.exists()


def test_a_body_that_is_not_json_is_a_problem_not_a_500(platform, q1):
    response = platform.post(PUSH, data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["status"] == 400
    response = platform.post(PUSH, data="a=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["title"] == "不支持的内容类型"


def test_the_platform_reads_back_the_zero_complaint_results_of_the_quarter(platform, roster, q1):
    push(platform, [ticket("Z-1", community="b社区", street="b街道")])
    response = platform.get(f"/api/v1/periods/{q1.pk}/zero-complaint/")
    assert response.status_code == 200
    body = response.json()
    rows = {r["community"]: r for r in body["results"]}
    assert body["count"] == 2
    assert rows["a社区"]["is_zero"] and Decimal(rows["a社区"]["reward"]) > 0
    assert (
        rows["b社区"]["complaints"] == 1
        and not rows["b社区"]["is_zero"]
        and rows["b社区"]["reward"] == "0.00"
    )
    one = platform.get(f"/api/v1/periods/{q1.pk}/zero-complaint/?street=b街道").json()
    assert [r["community"] for r in one["results"]] == ["b社区"]
    unknown = platform.get(f"/api/v1/periods/{q1.pk}/zero-complaint/?street=不存在街道")
    assert unknown.status_code == 400 and unknown.json()["errors"] == [
        {"field": "street", "message": "未知街镇“不存在街道”。"}
    ]
    missing = platform.get("/api/v1/periods/999999/zero-complaint/")
    assert missing.status_code == 404 and missing.json()["detail"] == "考核季度不存在。"


def test_every_push_is_logged_with_its_client_and_item_count(platform, roster, q1):
    push(platform, [ticket("G-1"), ticket("G-2")])
    log = ApiCall.objects.get()
    assert (log.client, log.method, log.status, log.items) == (platform.api_client, "POST", 200, 2)


def test_the_next_page_keeps_a_street_sent_unencoded(platform, roster, q1):
    from tests.factories import CommunityFactory

    street = roster["a"]["street"]
    CommunityFactory(parent=street, name="a二社区")
    raw = street.name.encode().decode("latin-1")  # UTF-8 sent unencoded (as curl does), as WSGI hands it over
    path = f"/api/v1/periods/{q1.pk}/zero-complaint/"
    body = platform.generic("GET", path, QUERY_STRING=f"street={raw}&page_size=1").json()
    assert body["count"] == 2
    assert body["next"] == f"http://testserver{path}?street=a%E8%A1%97%E9%81%93&page_size=1&page=2"
    second = platform.get(body["next"]).json()
    assert {body["results"][0]["community"], second["results"][0]["community"]} == {"a社区", "a二社区"}
    assert second["previous"] == f"http://testserver{path}?street=a%E8%A1%97%E9%81%93&page_size=1"


def test_a_number_given_with_different_contents_refuses_its_identical_repeats_too(platform, roster, q1):
    got = results(
        push(
            platform,
            [ticket("D-1", content="噪音"), ticket("D-1", content="垃圾"), ticket("D-1", content="噪音")],
        )
    )
    assert [g[1] for g in got] == ["refused"] * 3
    assert not HotlineComplaint.objects.filter(ticket_no="D-1").exists()


def test_a_long_type_and_category_are_cut_as_the_workbooks_are(platform, roster, q1):
    got = results(push(platform, [ticket("C-1", complaint_type="投诉" * 15, category="类" * 60)]))
    assert got[0][1] == "created"
    stored = HotlineComplaint.objects.get(ticket_no="C-1")
    assert len(stored.complaint_type) <= 20 and len(stored.category) == 50
