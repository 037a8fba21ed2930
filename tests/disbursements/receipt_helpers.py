"""Paid batches for the tests of the money's last mile (到账与下发)."""

import datetime as dt
from decimal import Decimal

from disbursements.models import DisbursementBatch
from disbursements.services.batches import add_special_line, create_special_batch
from disbursements.services.workflow import apply_transition
from tests.factories import date_approval

PAID_ON = dt.date(2022, 4, 22)


def pay_special(users, title: str, payments, *, paid_on: dt.date = PAID_ON) -> DisbursementBatch:
    """A special batch of (payee, amount) lines, carried through the workflow to paid on paid_on."""
    batch = create_special_batch(user=users["center"], year=2022, title=title)
    for payee, amount in payments:
        add_special_line(
            user=users["center"], batch=batch, payee=payee, purpose="阵地建设", amount=Decimal(amount)
        )
    apply_transition(batch=batch, action="submit", user=users["center"])
    date_approval(apply_transition(batch=batch, action="approve", user=users["finance"]), paid_on)
    return apply_transition(
        batch=batch, action="pay", user=users["finance"], paid_on=paid_on, voucher_no="V-1"
    )
