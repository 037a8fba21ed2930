"""Other systems read the batches, each street's part with its 到账 and 下发, and what each
village/community was due and given through the API (disbursements.api)."""

import datetime as dt
from decimal import Decimal

import pytest

from core.models import ApiScope
from disbursements.services.batches import add_special_line, create_special_batch
from disbursements.services.receipts import PassOnEntry, pass_on
from tests.api_helpers import api_client, problem_fields, refusal
from tests.disbursements.receipt_helpers import confirm

BATCHES = "/api/v1/disbursements/batches/"


@pytest.fixture
def finance_system(users):
    return api_client(users, ApiScope.READ_DISBURSEMENTS, name="区财政系统")


@pytest.fixture
def passed_on(users, roster, paid):
    """Street a received its 5,500.00 on 25 April and passed a社区's 3,000.00 on on 28 April."""
    receipt = confirm(users, paid, roster)
    pass_on(
        user=users["street"],
        receipt=receipt,
        passed_on=dt.date(2022, 4, 28),
        voucher_no="下-1",
        entries=[PassOnEntry(roster["a"]["community"].pk, Decimal("3000.00"))],
    )
    return paid


@pytest.fixture
def draft(users, roster, budget):
    batch = create_special_batch(user=users["center"], year=2022, title="示范社区建设经费")
    add_special_line(
        user=users["center"],
        batch=batch,
        payee=roster["b"]["community"],
        purpose="阵地建设",
        amount=Decimal("1200.50"),
    )
    return batch


def test_the_batches_are_listed_with_their_money_as_exact_strings(finance_system, paid, draft):
    body = finance_system.get(BATCHES).json()
    assert body["count"] == 2
    rows = {row["title"]: row for row in body["results"]}
    paid.refresh_from_db()
    assert rows["专项经费"] == {
        "id": paid.pk,
        "title": "专项经费",
        "kind": "special",
        "kind_label": "专项拨付",
        "status": "paid",
        "status_label": "已拨付",
        "year": 2022,
        "quarter": None,
        "total": "6300.00",
        "paid_on": "2022-04-22",
        "voucher_no": "V-1",
        "notice_no": paid.notice_no,
    }
    assert paid.notice_no
    assert (rows["示范社区建设经费"]["status_label"], rows["示范社区建设经费"]["total"]) == (
        "草稿",
        "1200.50",
    )
    assert rows["示范社区建设经费"]["paid_on"] is None and rows["示范社区建设经费"]["notice_no"] == ""


def test_a_quarterly_batch_names_its_quarter(finance_system, users, locked_q1):
    from disbursements.services.batches import generate_quarterly_batch

    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    [row] = finance_system.get(BATCHES).json()["results"]
    assert (row["id"], row["kind_label"], row["quarter"], row["year"]) == (batch.pk, "季度考核奖励", 1, 2022)
    assert Decimal(row["total"]) == batch.total


def test_batches_filter_by_year_and_status(finance_system, paid, draft):
    assert [r["title"] for r in finance_system.get(BATCHES, {"status": "paid"}).json()["results"]] == [
        "专项经费"
    ]
    assert [
        r["title"] for r in finance_system.get(BATCHES, {"status": "draft", "year": 2022}).json()["results"]
    ] == ["示范社区建设经费"]
    assert finance_system.get(BATCHES, {"year": 2023}).json()["count"] == 0


def test_each_street_s_amount_receipt_and_pass_on(finance_system, roster, passed_on):
    response = finance_system.get(f"{BATCHES}{passed_on.pk}/streets/")
    assert response.status_code == 200
    a, b = response.json()
    assert a == {
        "street_code": roster["a"]["street"].code,
        "street": "a街道",
        "amount": "5500.00",
        "communities": 2,
        "lines": 3,
        "status": "待下发",
        "received_on": "2022-04-25",
        "received": "5500.00",
        "passed": "3000.00",
        "held": "2500.00",
        "owed": "2000.00",
    }
    assert (b["street"], b["amount"], b["status"], b["received_on"], b["received"], b["passed"]) == (
        "b街道",
        "800.00",
        "待确认到账",
        None,
        "0.00",
        "0.00",
    )


def test_an_unpaid_batch_s_streets_have_no_receipt(finance_system, draft):
    [row] = finance_system.get(f"{BATCHES}{draft.pk}/streets/").json()
    assert (row["street"], row["amount"], row["lines"]) == ("b街道", "1200.50", 1)
    assert row["status"] is None and row["received"] is None and row["owed"] is None


def test_each_community_s_due_and_pass_on_with_its_date(finance_system, roster, passed_on):
    body = finance_system.get(f"{BATCHES}{passed_on.pk}/communities/").json()
    assert body["count"] == 3
    rows = {row["community"]: row for row in body["results"]}
    assert rows["a社区"] == {
        "street_code": roster["a"]["street"].code,
        "street": "a街道",
        "community_code": roster["a"]["community"].code,
        "community": "a社区",
        "due": "3000.00",
        "passed": "3000.00",
        "passed_on": "2022-04-28",
        "outstanding": "0.00",
    }
    assert (rows["a二社区"]["due"], rows["a二社区"]["passed"], rows["a二社区"]["passed_on"]) == (
        "2000.00",
        "0.00",
        None,
    )
    assert rows["a二社区"]["outstanding"] == "2000.00" and rows["b社区"]["due"] == "800.00"


def test_communities_filter_by_street_and_are_paginated(finance_system, roster, passed_on):
    url = f"{BATCHES}{passed_on.pk}/communities/"
    only_b = finance_system.get(url, {"street": "b街道"}).json()
    assert [r["community"] for r in only_b["results"]] == ["b社区"]
    by_code = finance_system.get(url, {"street": roster["a"]["street"].code}).json()
    assert {r["community"] for r in by_code["results"]} == {"a社区", "a二社区"}
    first = finance_system.get(url, {"page_size": 2}).json()
    assert (
        first["count"] == 3 and len(first["results"]) == 2 and first["next"].endswith("?page_size=2&page=2")
    )
    last = finance_system.get(url, {"page_size": 2, "page": 2}).json()
    assert len(last["results"]) == 1 and last["next"] is None


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("", {"year": "abc"}, "year"),
        ("", {"year": "22"}, "year"),
        ("", {"status": "done"}, "status"),
        ("{pk}/communities/", {"street": "不存在街道"}, "street"),
        ("{pk}/communities/", {"page_size": "0"}, "page_size"),
    ],
)
def test_a_wrong_parameter_is_a_400_problem_naming_it(finance_system, paid, path, query, field):
    assert problem_fields(finance_system.get(BATCHES + path.format(pk=paid.pk), query)) == [field]


@pytest.mark.parametrize("suffix", ["streets/", "communities/"])
def test_an_unknown_batch_is_a_404_problem(finance_system, budget, suffix):
    response = finance_system.get(f"{BATCHES}999999/{suffix}")
    assert response.status_code == 404 and response.json()["detail"] == "拨付批次不存在。"


@pytest.mark.parametrize("suffix", ["", "{pk}/streets/", "{pk}/communities/"])
def test_a_client_without_the_disbursements_scope_is_refused(users, paid, suffix):
    reader = api_client(users, ApiScope.READ_RESULTS, ApiScope.PUSH_HOTLINE, name="12345热线平台")
    assert (
        refusal(reader.get(BATCHES + suffix.format(pk=paid.pk))) == "该客户端没有“读取拨付情况”的权限范围。"
    )


def test_the_queries_do_not_grow_with_the_batches(finance_system, users, paid, draft):
    from tests.queries import page_queries

    finance_system.get(BATCHES)  # the day's first call also prunes the call log (core.api)
    small = page_queries(finance_system, BATCHES)
    for n in range(5):
        create_special_batch(user=users["center"], year=2022, title=f"专项{n}")
    assert finance_system.get(BATCHES).json()["count"] == 7
    assert page_queries(finance_system, BATCHES) == small
