"""A year whose self-evaluation is finalised keeps the money it signed off: budget, quarters and batches."""

import datetime as dt
from decimal import Decimal

import pytest

from assessments.exceptions import AssessmentError
from assessments.services.periods import unlock_period
from disbursements.exceptions import YearFrozen
from disbursements.models import BatchStatus, Budget, DisbursementBatch
from disbursements.selectors import budget_summary, full_year_budget
from disbursements.services.batches import (
    add_special_line,
    create_special_batch,
    generate_quarterly_batch,
    remove_special_line,
)
from disbursements.services.budgets import update_budget_sources
from disbursements.services.corrections import generate_correction_batch
from disbursements.services.workflow import apply_transition
from reports.services import finalise_evaluation, reopen_evaluation
from tests.assessments.test_whistle import new_ticket
from tests.disbursements.test_budget_adjustments import adjust
from tests.reports.conftest import evaluation  # noqa: F401  (the 2022 self-evaluation over a paid Q1)

FROZEN = (
    "2022 年绩效自评已定稿，该年预算和拨付批次不能再改动。如需修改，请系统管理员重新打开绩效自评并说明理由。"
)


def special(users, roster, title, *, until="draft"):
    batch = create_special_batch(user=users["center"], year=2022, title=title)
    add_special_line(
        user=users["center"],
        batch=batch,
        payee=roster["a"]["community"],
        purpose="培训",
        amount=Decimal("100"),
    )
    if until in ("submitted", "approved"):
        apply_transition(batch=batch, action="submit", user=users["center"])
    if until == "approved":
        apply_transition(batch=batch, action="approve", user=users["finance"])
    return batch


@pytest.fixture
def batches(users, roster, evaluation):  # noqa: F811
    """Three 2022 special batches on their way (a draft, a submitted one, an approved one)."""
    return {
        "draft": special(users, roster, "草稿批次"),
        "submitted": special(users, roster, "已提交批次", until="submitted"),
        "approved": special(users, roster, "已审核批次", until="approved"),
    }


@pytest.fixture
def finalised(users, evaluation, batches):  # noqa: F811
    """2022 finalised with the three batches still on their way.

    Finalising now waits for every batch of the year to be paid or voided (reports.selectors.finalise_problems);
    the batches are set aside while it is signed off, so that the money rules below are shown to hold on
    their own, whatever a finalised year still holds.
    """
    on_their_way = dict(
        DisbursementBatch.objects.filter(budget__year=2022)
        .exclude(status=BatchStatus.PAID)
        .values_list("pk", "status")
    )
    DisbursementBatch.objects.filter(pk__in=on_their_way).update(status=BatchStatus.CANCELLED)
    finalise_evaluation(user=users["leader"], evaluation=evaluation)
    for pk, status in on_their_way.items():
        DisbursementBatch.objects.filter(pk=pk).update(status=status)
    evaluation.refresh_from_db()
    return evaluation


def test_the_budget_of_a_finalised_year_is_not_adjusted(users, budget, finalised):
    with pytest.raises(YearFrozen, match=f"^{FROZEN}$"):
        adjust(users, budget, "1000")
    with pytest.raises(YearFrozen, match=FROZEN):
        update_budget_sources(
            user=users["center"], budget=budget, carryover=Decimal("5000"), other_funds=Decimal("1")
        )
    budget.refresh_from_db()
    assert (full_year_budget(budget), budget.carryover, budget.other_funds) == (Decimal("4000000.00"), 0, 0)


def test_the_admin_shows_a_finalised_years_budget_read_only(client_for, budget, finalised):
    url = f"/admin/disbursements/budget/{budget.pk}/change/"
    admin = client_for("admin")
    assert admin.get(url).status_code == 200  # viewable, without a save button
    assert (
        admin.post(url, {"year": 2022, "amount": "5000000", "fund_name": "x", "basis": "y"}).status_code
        == 403
    )
    budget.refresh_from_db()
    assert budget.amount == Decimal("4000000.00")


def test_no_batch_of_a_finalised_year_is_made_changed_or_carried_on(
    users, roster, locked_q1, batches, finalised
):
    before = budget_summary(Budget.objects.get(year=2022))
    with pytest.raises(YearFrozen, match=FROZEN):
        create_special_batch(user=users["center"], year=2022, title="新批次")
    with pytest.raises(YearFrozen, match=FROZEN):
        add_special_line(
            user=users["center"],
            batch=batches["draft"],
            payee=roster["a"]["community"],
            purpose="补充",
            amount=Decimal("1"),
        )
    with pytest.raises(YearFrozen, match=FROZEN):
        remove_special_line(user=users["center"], batch=batches["draft"], line=batches["draft"].lines.get())
    with pytest.raises(YearFrozen, match=FROZEN):
        generate_quarterly_batch(user=users["center"], period=locked_q1)
    with pytest.raises(YearFrozen, match=FROZEN):
        generate_correction_batch(user=users["center"], period=locked_q1)
    for key, action in (("draft", "submit"), ("submitted", "approve"), ("approved", "pay")):
        with pytest.raises(YearFrozen, match=FROZEN):
            apply_transition(
                batch=batches[key],
                action=action,
                user=users["center" if action == "submit" else "finance"],
                **({"paid_on": dt.date.today(), "voucher_no": "v9"} if action == "pay" else {}),
            )
    after = budget_summary(Budget.objects.get(year=2022))
    assert (after["allocated"], after["approved"], after["paid"]) == (
        before["allocated"],
        before["approved"],
        before["paid"],
    )
    # What was on its way can still be cleared away: returned to its preparer and voided.
    apply_transition(batch=batches["submitted"], action="reject", user=users["finance"], comment="年度已定稿")
    apply_transition(batch=batches["draft"], action="cancel", user=users["center"], comment="年度已定稿")
    statuses = {key: b.status for key, b in batches.items() for b in [type(b).objects.get(pk=b.pk)]}
    assert statuses == {
        "draft": BatchStatus.CANCELLED,
        "submitted": BatchStatus.REJECTED,
        "approved": BatchStatus.APPROVED,
    }


def test_a_quarter_of_a_finalised_year_is_not_unlocked(users, locked_q1, finalised):
    with pytest.raises(
        AssessmentError,
        match="2022 年绩效自评已定稿，该年的季度不能再解锁。如需修改，请系统管理员重新打开绩效自评",
    ):
        unlock_period(user=users["admin"], period=locked_q1, reason="更正考核结果")
    locked_q1.refresh_from_db()
    assert locked_q1.is_locked


def test_reopening_the_evaluation_lets_the_year_change_again(users, budget, locked_q1, batches, finalised):
    reopen_evaluation(user=users["admin"], evaluation=finalised, reason="补录预算调整")
    assert adjust(users, budget, "1000").amount == Decimal("1000.00")
    assert (
        apply_transition(batch=batches["submitted"], action="approve", user=users["finance"]).status
        == "approved"
    )
    assert unlock_period(user=users["admin"], period=locked_q1, reason="更正考核结果").is_locked is False


def test_another_year_is_not_frozen(users, finalised):
    Budget.objects.create(year=2023, amount=Decimal("100000"))
    assert create_special_batch(user=users["center"], year=2023, title="2023 专项").budget.year == 2023


class TestPages:
    """The pages offer no form that the finalised year would refuse, and say why."""

    def test_the_budget_page_shows_the_figures_without_the_forms(self, client_for, budget, finalised):
        page = client_for("center").get("/funds/budget/2022/").content.decode()
        assert 'id="year-frozen"' in page and FROZEN in page
        assert "/funds/budget/2022/adjustments" not in page and "/funds/budget/2022/sources" not in page

    def test_the_budget_page_of_an_open_year_keeps_its_forms(self, client_for, budget, evaluation):  # noqa: F811
        page = client_for("center").get("/funds/budget/2022/").content.decode()
        assert 'id="year-frozen"' not in page and "/funds/budget/2022/adjustments" in page

    def test_batch_pages_offer_only_returning_and_voiding(self, client_for, batches, finalised):
        page = client_for("center").get(f"/funds/batches/{batches['draft'].pk}/").content.decode()
        assert FROZEN in page
        assert 'data-action="submit"' not in page and 'data-action="cancel"' in page
        assert f"/funds/batches/{batches['draft'].pk}/lines/add" not in page
        page = client_for("finance").get(f"/funds/batches/{batches['submitted'].pk}/").content.decode()
        assert 'data-action="approve"' not in page and 'data-action="reject"' in page
        page = client_for("finance").get(f"/funds/batches/{batches['approved'].pk}/").content.decode()
        assert 'data-action="pay"' not in page

    def test_the_paid_batch_offers_no_correction(self, client_for, users, locked_q1, finalised):
        paid = locked_q1.batches.get()
        page = client_for("center").get(f"/funds/batches/{paid.pk}/").content.decode()
        assert "/funds/batches/correct/" not in page and "该年度已定稿，不能再生成更正批次" in page

    def test_the_quarter_page_shows_why_it_cannot_be_unlocked(self, client_for, locked_q1, finalised):
        page = client_for("admin").get(f"/assessments/periods/{locked_q1.pk}/").content.decode()
        assert 'id="unlock-refused"' in page and "该年的季度不能再解锁" in page
        assert f"/assessments/periods/{locked_q1.pk}/unlock" not in page

    def test_the_ticket_page_offers_no_update(self, client_for, users, roster, year):
        ticket = new_ticket(users, roster)
        url = f"/assessments/tickets/{ticket.pk}/"
        assert "/advance" in client_for("street").get(url).content.decode()

    def test_a_frozen_ticket_page_offers_no_update(self, client_for, users, roster, evaluation):  # noqa: F811
        ticket = new_ticket(users, roster)
        finalise_evaluation(user=users["leader"], evaluation=evaluation)
        page = client_for("street").get(f"/assessments/tickets/{ticket.pk}/").content.decode()
        assert 'id="ticket-frozen"' in page and "该年哨单数据已冻结" in page and "/advance" not in page
