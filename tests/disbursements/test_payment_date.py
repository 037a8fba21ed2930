"""A payment is recorded on a day between its approval and today."""

import datetime as dt

import pytest
from django.utils import timezone

from disbursements.exceptions import DisbursementError
from disbursements.models import BatchStatus
from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.workflow import apply_transition
from tests.factories import date_approval


@pytest.fixture
def approved(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    date_approval(batch, dt.date(2022, 11, 28))
    return batch


def pay(users, batch, day):
    return apply_transition(batch=batch, action="pay", user=users["finance"], paid_on=day, voucher_no="记-1")


def test_a_payment_before_the_approval_is_refused(users, approved):
    with pytest.raises(DisbursementError, match=r"^拨付日期 2022年11月20日 早于审核通过日期 2022年11月28日"):
        pay(users, approved, dt.date(2022, 11, 20))
    approved.refresh_from_db()
    assert approved.status == BatchStatus.APPROVED and approved.paid_on is None


def test_a_payment_on_the_approval_day_or_later_is_recorded(users, approved):
    assert pay(users, approved, dt.date(2022, 11, 28)).paid_on == dt.date(2022, 11, 28)


def test_a_payment_in_the_future_is_still_refused(users, approved):
    with pytest.raises(DisbursementError, match="拨付日期不能晚于今天"):
        pay(users, approved, timezone.localdate() + dt.timedelta(days=1))


def test_the_page_says_why_an_early_payment_is_refused(client_for, approved):
    response = client_for("finance").post(
        f"/funds/batches/{approved.pk}/pay/", {"paid_on": "2022-11-20", "voucher_no": "记-1"}, follow=True
    )
    assert "拨付日期 2022年11月20日 早于审核通过日期 2022年11月28日" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == BatchStatus.APPROVED
