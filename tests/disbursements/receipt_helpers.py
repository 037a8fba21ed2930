"""Paid batches for the tests of the money's last mile (到账与下发)."""

import datetime as dt
from decimal import Decimal

from disbursements.models import DisbursementBatch
from disbursements.services.batches import add_special_line, create_special_batch
from disbursements.services.receipts import confirm_receipt
from disbursements.services.workflow import apply_transition
from tests.factories import date_approval

PAID_ON = dt.date(2022, 4, 22)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def confirm(users, paid, roster, **kwargs):
    """Street a's admin confirms its part of the paid batch (25 April, voucher 回-1 unless told)."""
    values = {"received_on": dt.date(2022, 4, 25), "voucher_no": "回-1"} | kwargs
    return confirm_receipt(user=users["street"], batch=paid, street=roster["a"]["street"], **values)


def url(paid, roster, suffix=""):
    """A page of street a's part of the batch."""
    return f"/funds/receipts/{paid.pk}/{roster['a']['street'].pk}/{suffix}"


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
