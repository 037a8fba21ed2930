"""下发台账: a street's year of receipts and 下发 as a workbook."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from disbursements.services.receipts import PassOnEntry, confirm_receipt, correct_pass_on, pass_on
from tests.disbursements.receipt_helpers import PAID_ON, pay_special
from tests.queries import page_queries
from tests.workbooks import table_rows


def ledger_url(roster, key="a", year=2022):
    return f"/funds/receipts/ledger/{roster[key]['street'].pk}/{year}.xlsx"


@pytest.fixture
def passed(users, roster, paid, second_community):
    """Street a received its 5,500, passed 3,000 on in full, 1,500 of 2,000 with a reason, then +500."""
    receipt = confirm_receipt(
        user=users["street"],
        batch=paid,
        street=roster["a"]["street"],
        received_on=dt.date(2022, 4, 25),
        voucher_no="回-1",
    )
    pass_on(
        user=users["street"],
        receipt=receipt,
        passed_on=dt.date(2022, 4, 28),
        voucher_no="下-1",
        entries=[
            PassOnEntry(roster["a"]["community"].pk, Decimal("3000.00")),
            PassOnEntry(second_community.pk, Decimal("1500.00"), "先发一部分"),
        ],
    )
    correct_pass_on(
        user=users["street"],
        receipt=receipt,
        community=second_community,
        amount=Decimal("500.00"),
        passed_on=dt.date(2022, 5, 3),
        voucher_no="下-2",
        reason="补发差额",
    )
    return receipt


def open_ledger(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def rows(sheet):
    return table_rows(sheet)


def test_ledger_has_the_parts_the_shares_and_every_entry_with_totals(client_for, roster, passed):
    workbook = open_ledger(client_for("street").get(ledger_url(roster)))
    assert workbook.sheetnames == ["到账与下发", "各村（社区）应发与已发", "下发记录"]
    summary = rows(workbook["到账与下发"])
    assert summary[0][:3] == ["批次", "拨付日期", "拨付（元）"]
    assert summary[1][0] == "专项经费" and summary[1][1] == dt.datetime(2022, 4, 22)
    assert summary[1][2:] == [5500, dt.datetime(2022, 4, 25), "回-1", 5500, 5000, 500, 0, "已下发"]
    assert summary[-1][0] == "合计" and summary[-1][2] == 5500 and summary[-1][6] == 5000
    sheet = workbook["到账与下发"]
    assert sheet["A1"].value == "a街道2022年下发台账：到账与下发" and sheet["A2"].value.startswith(
        "单位：元　生成日期："
    )
    assert sheet["C4"].number_format == "#,##0.00" and sheet.page_setup.orientation == "landscape"
    shares = rows(workbook["各村（社区）应发与已发"])
    assert [r[2:] for r in shares[1:-1]] == [["a社区", 3000, 3000, 0], ["a二社区", 2000, 2000, 0]]
    assert shares[-1][0] == "合计" and shares[-1][3:] == [5000, 5000, 0]
    entries = rows(workbook["下发记录"])
    assert [(r[2], r[3], r[6], r[7]) for r in entries[1:-1]] == [
        ("a社区", "下发", 3000, None),
        ("a二社区", "下发", 1500, "先发一部分"),
        ("a二社区", "更正", 500, "补发差额"),
    ]
    assert entries[-1][0] == "合计" and entries[-1][6] == 5000


def test_ledger_of_a_street_without_receipt_lists_what_it_was_paid(client_for, roster, passed):
    workbook = open_ledger(client_for("center").get(ledger_url(roster, "b")))
    summary = rows(workbook["到账与下发"])
    assert summary[1][0] == "专项经费" and summary[1][2] == 800 and summary[1][3] is None
    assert summary[1][-1] == "待确认到账"
    assert rows(workbook["下发记录"])[1:] == [["合计", None, None, None, None, None, 0, None, None]]


def test_ledger_scope(client_for, roster, passed):
    assert client_for("street_b").get(ledger_url(roster)).status_code == 404
    assert client_for(None).get(ledger_url(roster)).status_code == 302
    assert client_for("nobody").get(ledger_url(roster)).status_code == 403
    community = roster["a"]["community"].pk
    assert client_for("center").get(f"/funds/receipts/ledger/{community}/2022.xlsx").status_code == 404


def test_list_links_the_ledger_of_the_shown_street(client_for, roster, paid):
    link = ledger_url(roster)
    assert link in client_for("street").get("/funds/receipts/").content.decode()
    assert link in client_for("center").get("/funds/receipts/?year=2022").content.decode()  # holdings row


def test_ledger_query_count_does_not_grow_with_batches(client_for, users, roster, budget):
    def paid_passed(title):
        batch = pay_special(
            users, title, [(roster["a"]["community"], "10"), (roster["b"]["community"], "10")]
        )
        receipt = confirm_receipt(
            user=users["street"],
            batch=batch,
            street=roster["a"]["street"],
            received_on=PAID_ON,
            voucher_no="r",
        )
        pass_on(
            user=users["street"],
            receipt=receipt,
            passed_on=PAID_ON,
            voucher_no="x",
            entries=[PassOnEntry(roster["a"]["community"].pk, Decimal("10.00"))],
        )

    client = client_for("center")

    paid_passed("一")
    few = page_queries(client, ledger_url(roster))
    for title in ("二", "三", "四"):
        paid_passed(title)
    assert page_queries(client, ledger_url(roster)) == few
