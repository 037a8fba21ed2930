"""Behaviour added after the review of the disbursements app."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from assessments.exceptions import AssessmentError
from assessments.services.periods import lock_period, unlock_period
from core.money import parse_money
from disbursements.exceptions import SelfApproval
from disbursements.models import BatchLine
from disbursements.services.batches import add_special_line, create_special_batch, generate_quarterly_batch
from disbursements.services.workflow import apply_transition
from tests.factories import UserFactory


def test_a_quarter_in_a_live_batch_cannot_be_unlocked_until_the_batch_is_cancelled(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    with pytest.raises(AssessmentError, match="奖励已在拨付批次“2022年第1季度考核奖励”（草稿）中，不能解锁"):
        unlock_period(user=users["admin"], period=locked_q1, reason="复核")
    apply_transition(batch=batch, action="cancel", user=users["center"], comment="复核评定")
    unlock_period(user=users["admin"], period=locked_q1, reason="复核")
    lock_period(
        user=users["center"], period=locked_q1
    )  # the cancelled batch no longer protects the old results
    locked_q1.refresh_from_db()
    assert locked_q1.is_locked


def test_whoever_changed_the_lines_cannot_approve(users, budget, roster):
    both = UserFactory(role="财务审核员")
    both.groups.add(Group.objects.get(name="中心工作人员"))
    special = create_special_batch(user=users["center"], year=2022, title="年终专项")
    add_special_line(
        user=both, batch=special, payee=roster["a"]["street"], purpose="阵地建设", amount=Decimal("99999.99")
    )
    apply_transition(batch=special, action="submit", user=users["center"])
    with pytest.raises(SelfApproval, match="自己编制、修改或提交"):
        apply_transition(batch=special, action="approve", user=both)
    assert [t.action for t in special.transitions.all()] == ["create", "add_line", "submit"]
    assert apply_transition(batch=special, action="approve", user=users["finance"]).status == "approved"


def test_malformed_generate_period_is_404_not_500(client_for, budget):
    assert client_for("center").post("/funds/batches/generate/", {"period": "abc"}).status_code == 404


@pytest.mark.parametrize("text", ["1e27", "99999999999999"])
def test_absurd_amounts_are_not_money(text):
    with pytest.raises(ValueError):
        parse_money(text)


@pytest.mark.slow
def test_notices_only_for_approved_batches_and_streets_it_pays(client_for, users, roster, budget):
    special = create_special_batch(user=users["center"], year=2022, title="年终专项")
    add_special_line(
        user=users["center"],
        batch=special,
        payee=roster["a"]["community"],
        purpose="阵地建设",
        amount=Decimal("100"),
    )
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    client = client_for("leader")
    assert client.get(f"/funds/batches/{special.pk}/notice/{a}.pdf").status_code == 404  # draft
    apply_transition(batch=special, action="submit", user=users["center"])
    apply_transition(batch=special, action="approve", user=users["finance"])
    assert client.get(f"/funds/batches/{special.pk}/notice/{a}.pdf").status_code == 200
    assert client.get(f"/funds/batches/{special.pk}/notice/{b}.pdf").status_code == 404  # pays nothing there


def test_street_admins_see_their_own_share_in_the_batch_list(client_for, users, locked_q1):
    generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert "5,630.00" in client_for("street").get("/funds/batches/").content.decode()
    assert "430.00" in client_for("street_b").get("/funds/batches/").content.decode()
    assert "6,060.00" in client_for("leader").get("/funds/batches/").content.decode()


def test_an_over_long_comment_is_reported(client_for, users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    response = client_for("finance").post(
        f"/funds/batches/{batch.pk}/reject/", {"comment": "长" * 201}, follow=True
    )
    assert "200" in response.content.decode() and "必须填写理由" not in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "submitted"


def test_per_community_totals_on_the_page_and_in_the_workbook(client_for, users, roster, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    client = client_for("leader")
    page = client.get(f"/funds/batches/{batch.pk}/?street={roster['a']['street'].pk}").content.decode()
    assert 'id="community-totals"' in page and "5,630.00" in page
    book = load_workbook(io.BytesIO(client.get(f"/funds/batches/{batch.pk}/export.xlsx").content))
    rows = [[c.value for c in r] for r in book["下发至各村（社区）"].iter_rows()]
    assert rows[2] == ["街镇", "村（社区）编码", "村（社区）", "明细条数", "金额（元）"]
    assert rows[3:] == [
        ["a街道", roster["a"]["community"].code, "a社区", 3, 5630],
        ["b街道", roster["b"]["community"].code, "b社区", 3, 430],
        ["合计", None, None, 6, 6060],
    ]


def test_budget_cannot_drop_below_what_is_committed_in_the_admin(client_for, users, locked_q1, budget):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    users["admin"].groups.first().permissions.add(*Group.objects.get(name="系统管理员").permissions.all())
    client = client_for("admin")
    response = client.post(
        f"/admin/disbursements/budget/{budget.pk}/change/",
        {"amount": "1000.00", "fund_name": budget.fund_name, "basis": budget.basis},
    )
    assert "已审核及已拨付 6,060.00 元，预算不能少于该数" in response.content.decode()
    budget.refresh_from_db()
    assert budget.amount == Decimal("4000000.00")
    assert BatchLine.objects.filter(batch=batch).count() == 6


def test_batch_page_size_is_capped(client_for, users, roster, budget):
    special = create_special_batch(user=users["center"], year=2022, title="大批次")
    BatchLine.objects.bulk_create(
        [
            BatchLine(
                batch=special,
                category="special",
                street=roster["a"]["street"],
                reason="x",
                amount=Decimal("1"),
            )
            for _ in range(250)
        ]
    )
    response = client_for("center").get(f"/funds/batches/{special.pk}/?per_page=100000")
    assert len(response.context["table"].page.object_list) == 200
