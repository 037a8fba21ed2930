"""A 2022 special batch followed to the villages/communities, dated so that each month reads differently.

Paid 2022-04-22: street a 3,000 + 2,000 for its two communities and 500 for itself, street b 800.
Street a confirms on 04-25 and passes both shares on in full on 04-28, then takes 200 back from its
second community on 05-05 (a correction), which leaves that community owed 200. Street b confirms on
05-03 and passes its 800 on on 05-10.
"""

import datetime as dt
from decimal import Decimal

from disbursements.models import StreetReceipt
from disbursements.services.receipts import PassOnEntry, confirm_receipt, correct_pass_on, pass_on
from tests.disbursements.receipt_helpers import pay_special
from tests.factories import CommunityFactory, StreetFactory
from tests.queries import count_queries


def _receive_and_pass_on(user, batch, street, *, received_on, passed_on, shares) -> StreetReceipt:
    receipt = confirm_receipt(user=user, batch=batch, street=street, received_on=received_on, voucher_no="回")
    entries = [PassOnEntry(community.pk, Decimal(amount)) for community, amount in shares]
    pass_on(user=user, receipt=receipt, passed_on=passed_on, voucher_no="下", entries=entries)
    return receipt


def correct(user, receipt, community, amount: str, on: dt.date) -> None:
    """A correction of a community's 下发 (more, or taken back when negative)."""
    correct_pass_on(
        user=user,
        receipt=receipt,
        community=community,
        amount=Decimal(amount),
        passed_on=on,
        voucher_no="更",
        reason="更正金额",
    )


def follow_special_batch(users, roster) -> dict:
    a, b = roster["a"], roster["b"]
    second = CommunityFactory(parent=a["street"], name="a二社区")
    batch = pay_special(
        users,
        "专项经费",
        [
            (a["community"], "3000.00"),
            (second, "2000.00"),
            (a["street"], "500.00"),
            (b["community"], "800.00"),
        ],
    )
    receipt_a = _receive_and_pass_on(
        users["street"],
        batch,
        a["street"],
        received_on=dt.date(2022, 4, 25),
        passed_on=dt.date(2022, 4, 28),
        shares=[(a["community"], "3000.00"), (second, "2000.00")],
    )
    correct(users["street"], receipt_a, second, "-200.00", dt.date(2022, 5, 5))
    receipt_b = _receive_and_pass_on(
        users["street_b"],
        batch,
        b["street"],
        received_on=dt.date(2022, 5, 3),
        passed_on=dt.date(2022, 5, 10),
        shares=[(b["community"], "800.00")],
    )
    return {"batch": batch, "receipt_a": receipt_a, "receipt_b": receipt_b, "second": second}


def give_back(users, followed, on: dt.date) -> None:
    """Street a makes its second community whole again: the 200 it took back, passed on again."""
    correct(users["street"], followed["receipt_a"], followed["second"], "200.00", on)


def queries_before_and_after_more_money(users, read) -> tuple[int, int]:
    """The queries read() takes, then again after two more paid batches for three more streets."""

    before = count_queries(read)
    streets = [StreetFactory(name=f"新{i}街道") for i in range(3)]
    for n in range(2):
        pay_special(users, f"专项{n}", [(street, "100.00") for street in streets])
    return before, count_queries(read)
