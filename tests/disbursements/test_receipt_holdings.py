"""Who still holds money: each street's paid / received / passed on / held, overdue parts, street to-dos."""

import datetime as dt
from decimal import Decimal

import pytest

from disbursements.selectors_receipts import open_parts, overdue_parts, street_holdings, street_parts
from disbursements.services.receipts import PassOnEntry, confirm_receipt, pass_on
from tests.disbursements.receipt_helpers import PAID_ON, pay_special
from tests.queries import page_queries, warm


@pytest.fixture
def receipt(users, paid, roster):
    return confirm_receipt(
        user=users["street"],
        batch=paid,
        street=roster["a"]["street"],
        received_on=dt.date(2022, 4, 25),
        voucher_no="回-1",
    )


def give(users, receipt, *entries):
    return pass_on(
        user=users["street"],
        receipt=receipt,
        passed_on=dt.date(2022, 4, 28),
        voucher_no="下-1",
        entries=list(entries),
    )


def full(roster, second_community):
    return (
        PassOnEntry(roster["a"]["community"].pk, Decimal("3000.00")),
        PassOnEntry(second_community.pk, Decimal("2000.00")),
    )


def test_street_holdings_add_up_paid_received_passed_and_held(users, roster, receipt):
    give(users, receipt, PassOnEntry(roster["a"]["community"].pk, Decimal("3000.00")))
    a, b = street_holdings(street_parts(users["center"], year=2022))
    assert (a.street_name, a.paid, a.received, a.passed, a.held) == (
        "a街道",
        Decimal("5500.00"),
        Decimal("5500.00"),
        Decimal("3000.00"),
        Decimal("2500.00"),
    )
    assert a.owed == Decimal("2000.00") and a.open_parts == 1
    assert (b.street_name, b.paid, b.received, b.held, b.open_parts) == (
        "b街道",
        Decimal("800.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        1,
    )
    assert b.oldest_open_days == (dt.date.today() - PAID_ON).days


def test_a_part_passed_on_in_full_is_closed_though_the_street_keeps_its_own_lines(
    users, roster, receipt, second_community
):
    give(users, receipt, *full(roster, second_community))
    part = next(p for p in street_parts(users["center"]) if p.street_name == "a街道")
    assert not part.is_open and not part.is_overdue
    assert part.held == Decimal("500.00")  # paid to the street itself: nothing to pass on
    assert [p.street_name for p in overdue_parts(users["center"])] == ["b街道"]


def test_a_short_pass_on_keeps_the_part_open(users, roster, receipt, second_community):
    give(
        users,
        receipt,
        PassOnEntry(roster["a"]["community"].pk, Decimal("2500.00"), "扣减"),
        PassOnEntry(second_community.pk, Decimal("2000.00")),
    )
    (part,) = open_parts(users["street"])
    assert part.owed == Decimal("500.00") and part.status == "done" and part.is_open


def test_overdue_counts_days_since_payment_against_the_setting(users, paid, settings):
    assert {p.street_name for p in overdue_parts(users["center"])} == {"a街道", "b街道"}
    settings.PASS_ON_OVERDUE_DAYS = (dt.date.today() - PAID_ON).days
    assert overdue_parts(users["center"]) == []
    assert len(open_parts(users["center"])) == 2


def test_overdue_and_open_parts_are_scoped(users, paid):
    assert [p.street_name for p in overdue_parts(users["street"])] == ["a街道"]
    assert [p.street_name for p in open_parts(users["street_b"])] == ["b街道"]


# --- pages ---


def test_center_sees_holdings_overdue_and_filters_by_street(client_for, paid, roster):
    page = client_for("center").get("/funds/receipts/?year=2022").content.decode()
    assert 'id="street-holdings"' in page and 'id="overdue-parts"' in page
    assert "逾期未到账或未下发（拨付后超过 15 天）" in page
    b = roster["b"]["street"].pk
    filtered = client_for("center").get(f"/funds/receipts/?year=2022&street={b}").content.decode()
    parts = filtered.split('id="street-parts"')[1]
    assert "b街道" in parts and "a街道" not in parts
    assert f'<option value="{b}" selected>' in filtered


def test_street_admin_sees_only_its_cards(client_for, paid):
    page = client_for("street").get("/funds/receipts/").content.decode()
    assert 'id="street-holdings"' not in page and 'id="overdue-parts"' not in page
    assert 'name="street"' not in page and "逾期" in page


def test_batch_page_shows_days_since_payment_of_open_parts(client_for, paid):
    page = client_for("center").get(f"/funds/batches/{paid.pk}/").content.decode()
    assert "拨付后天数" in page and f"{(dt.date.today() - PAID_ON).days:,}" in page  # 1,681: a count


def test_street_admin_home_lists_its_open_parts_until_passed_on(
    client_for, users, roster, receipt, second_community
):
    page = client_for("street").get("/").content.decode()
    assert (
        'data-todo="receipt"' in page
        and "专项经费" in page
        and "待下发：专项经费" in page
        and "待下发到村（社区）5,000.00 元（逾期）" in page
    )
    give(users, receipt, *full(roster, second_community))
    assert 'data-todo="receipt"' not in client_for("street").get("/").content.decode()
    assert 'data-todo="receipt"' in client_for("street_b").get("/").content.decode()


@pytest.mark.parametrize("role", ["center", "finance", "admin"])
def test_district_roles_have_no_street_to_dos(client_for, paid, role):
    assert 'data-todo="receipt"' not in client_for(role).get("/").content.decode()


def test_receipts_list_and_home_query_counts_do_not_grow_with_parts(client_for, users, roster, budget):
    def paid_batch(title):
        return pay_special(users, title, [(roster["a"]["community"], "10"), (roster["b"]["community"], "10")])

    def paid_and_received(title):
        confirm_receipt(
            user=users["street"],
            batch=paid_batch(title),
            street=roster["a"]["street"],
            received_on=PAID_ON,
            voucher_no="r",
        )

    center, street = client_for("center"), client_for("street")

    def counts() -> tuple[int, int]:
        for key in ("center", "street"):  # the payments logged other users in: users read afresh
            warm(users[key])
        return page_queries(center, "/funds/receipts/?year=2022"), page_queries(street, "/")

    paid_and_received("一")  # a receipt from the start: with none, the 下发 query is skipped
    few = counts()
    for title in ("二", "三", "四"):
        paid_and_received(title)
    assert counts() == few


def test_a_street_admin_reads_its_own_steps_of_the_timeline_and_no_comment_naming_others(
    client_for, users, roster, paid
):
    from disbursements.services.receipts import confirm_receipt

    confirm_receipt(
        user=users["street_b"],
        batch=paid,
        street=roster["b"]["street"],
        received_on=dt.date(2022, 4, 26),
        voucher_no="B-1",
    )
    center_page = client_for("center").get(f"/funds/batches/{paid.pk}/").content.decode()
    timeline = center_page.split('id="timeline"')[1]
    assert "b街道 到账 800.00 元" in timeline and "b社区" in timeline  # the add_line step names the payee
    page = client_for("street").get(f"/funds/batches/{paid.pk}/").content.decode()
    timeline = page.split('id="timeline"')[1]
    assert "b街道" not in timeline and "b社区" not in timeline and "800.00" not in timeline
    assert "<strong>已拨付</strong>" in timeline  # the status changes stay, without their comments
    assert 'id="street-steps"' not in timeline  # street a has recorded nothing yet
    own = client_for("street_b").get(f"/funds/batches/{paid.pk}/").content.decode()
    # its own receipt, folded below the workflow's steps
    assert "b街道 到账 800.00 元" in own.split('id="street-steps"')[1].split("</details>")[0]
