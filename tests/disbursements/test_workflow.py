import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from assessments.exceptions import AssessmentError
from assessments.services.periods import lock_period, unlock_period
from disbursements.exceptions import BudgetExceeded, DisbursementError, InvalidTransition, SelfApproval
from disbursements.models import BatchStatus
from disbursements.selectors import budget_summary, committed_total
from disbursements.services.batches import add_special_line, create_special_batch, generate_quarterly_batch
from disbursements.services.workflow import apply_transition
from tests.factories import UserFactory, date_approval

PAID_ON = dt.date(2022, 4, 22)


@pytest.fixture
def batch(users, locked_q1):
    return generate_quarterly_batch(user=users["center"], period=locked_q1)


def test_prepared_submitted_approved_paid_with_a_timeline(users, batch):
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"], comment="核对无误")
    date_approval(batch, PAID_ON)
    batch = apply_transition(
        batch=batch, action="pay", user=users["finance"], paid_on=PAID_ON, voucher_no="记-0422"
    )
    assert (batch.status, batch.paid_on, batch.voucher_no, batch.approved_by) == (
        "paid",
        PAID_ON,
        "记-0422",
        users["finance"],
    )
    steps = [(t.action, t.from_status, t.to_status, t.user) for t in batch.transitions.all()]
    assert steps == [
        ("generate", "draft", "draft", users["center"]),
        ("submit", "draft", "submitted", users["center"]),
        ("approve", "submitted", "approved", users["finance"]),
        ("pay", "approved", "paid", users["finance"]),
    ]
    summary = budget_summary(batch.budget)
    assert (summary["paid"], summary["remaining"], str(summary["execution_rate"])) == (
        Decimal("6060.00"),
        Decimal("3993940.00"),
        "0.15",
    )


def test_nobody_approves_what_they_prepared_or_submitted(users, batch):
    # A finance officer who also prepares (holding both permissions) still cannot check their own batch.
    from django.contrib.auth.models import Group

    users["finance"].groups.add(Group.objects.get(name="中心工作人员"))
    finance = type(users["finance"]).objects.get(pk=users["finance"].pk)
    apply_transition(batch=batch, action="submit", user=finance)
    with pytest.raises(SelfApproval, match="不能审核或拨付自己编制、修改或提交的批次"):
        apply_transition(batch=batch, action="approve", user=finance)
    from tests.factories import UserFactory

    other = UserFactory(role="财务审核员")
    assert apply_transition(batch=batch, action="approve", user=other).status == "approved"


@pytest.mark.parametrize("role", ["center", "street", "leader", "admin"])
def test_only_finance_approves(users, batch, role):
    apply_transition(batch=batch, action="submit", user=users["center"])
    with pytest.raises(PermissionDenied):
        apply_transition(batch=batch, action="approve", user=users[role])


def test_reject_needs_a_reason_and_returns_the_batch_for_editing(users, batch):
    apply_transition(batch=batch, action="submit", user=users["center"])
    with pytest.raises(DisbursementError, match="退回必须填写理由"):
        apply_transition(batch=batch, action="reject", user=users["finance"])
    batch = apply_transition(batch=batch, action="reject", user=users["finance"], comment="金额待核")
    assert batch.status == BatchStatus.REJECTED and batch.is_editable
    batch = apply_transition(batch=batch, action="submit", user=users["center"])
    assert batch.status == BatchStatus.SUBMITTED


def test_invalid_transitions_say_why(users, batch):
    with pytest.raises(InvalidTransition, match="当前为“草稿”，不能登记拨付"):
        apply_transition(batch=batch, action="pay", user=users["finance"], paid_on=PAID_ON, voucher_no="x")
    with pytest.raises(InvalidTransition, match="未知操作"):
        apply_transition(batch=batch, action="steal", user=users["finance"])


def test_approving_twice_has_one_effect(users, batch):
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    with pytest.raises(InvalidTransition, match="当前为“已审核”"):
        apply_transition(batch=batch, action="approve", user=users["finance"])
    assert committed_total(batch.budget) == Decimal("6060.00")
    assert batch.transitions.filter(action="approve").count() == 1


def test_approval_beyond_the_budget_is_refused_with_the_three_numbers(users, batch):
    batch.budget.amount = Decimal("10000.00")
    batch.budget.save()
    special = create_special_batch(user=users["center"], year=2022, title="年终专项")
    add_special_line(
        user=users["center"],
        batch=special,
        payee=batch.lines.first().street,
        purpose="阵地建设",
        amount=Decimal("5000"),
    )
    for b in (batch, special):
        apply_transition(batch=b, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    with pytest.raises(BudgetExceeded) as excinfo:
        apply_transition(batch=special, action="approve", user=users["finance"])
    assert str(excinfo.value) == (
        "超出预算：2022 年预算 10,000.00 元，已审核及已拨付 6,060.00 元，本批次 5,000.00 元，合计 11,060.00 元，超出 1,060.00 元。"
    )
    special.refresh_from_db()
    assert special.status == BatchStatus.SUBMITTED


def test_approved_and_paid_batches_are_immutable(users, batch, locked_q1):
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    with pytest.raises(DisbursementError, match="不能再生成"):
        generate_quarterly_batch(user=users["center"], period=locked_q1)
    with pytest.raises(InvalidTransition):
        apply_transition(batch=batch, action="cancel", user=users["center"], comment="x")


def test_payment_needs_a_date_and_a_voucher(users, batch):
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    with pytest.raises(DisbursementError, match="须填写拨付日期和凭证号"):
        apply_transition(batch=batch, action="pay", user=users["finance"], paid_on=PAID_ON, voucher_no=" ")
    with pytest.raises(DisbursementError, match="不能晚于今天"):
        apply_transition(
            batch=batch, action="pay", user=users["finance"], paid_on=dt.date(2999, 1, 1), voucher_no="x"
        )


def test_an_empty_batch_cannot_be_submitted(users, budget):
    special = create_special_batch(user=users["center"], year=2022, title="空批次")
    with pytest.raises(DisbursementError, match="没有任何拨付明细"):
        apply_transition(batch=special, action="submit", user=users["center"])


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
