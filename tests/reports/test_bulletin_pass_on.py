"""The monthly bulletin's 下发 section: each street's year so far, as it stood at the month's end."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.dashboard import monthly_bulletin
from tests.reports.pass_on_helpers import follow_special_batch, give_back, queries_before_and_after_more_money
from tests.workbooks import table_rows

D = Decimal


@pytest.fixture(autouse=True)
def overdue_after_15_days(settings):
    settings.PASS_ON_OVERDUE_DAYS = 15


@pytest.fixture
def followed(users, roster, budget):
    return follow_special_batch(users, roster)


def status(users, month: int, role: str = "center") -> list[tuple]:
    data = monthly_bulletin(2022, month, user=users[role])["pass_on"]
    return [
        (
            r.street_name,
            r.paid,
            r.received,
            r.passed,
            r.held,
            r.open_parts,
            r.overdue_parts,
            r.oldest_open_days,
        )
        for r in [*data["rows"], data["total"]]
    ]


def section(client, month: int) -> str:
    """The bulletin page's 下发 section, as rendered."""
    page = client.get(f"/reports/bulletins/2022/{month}/").content.decode()
    return page.split('id="bulletin-pass-on"')[1].split("</table>")[0]


def test_each_month_reads_the_money_as_it_stood_at_its_end(users, roster, followed):
    assert status(users, 3) == [("合计", D(0), D(0), D(0), D(0), 0, 0, None)]  # paid on 22 April
    # 30 April: a received and passed both shares on (its own 500 stays); b has not confirmed, 8 days on.
    assert status(users, 4) == [
        ("a街道", D("5500.00"), D("5500.00"), D("5000.00"), D("500.00"), 0, 0, None),
        ("b街道", D("800.00"), D("0.00"), D("0.00"), D("0.00"), 1, 0, 8),
        ("合计", D("6300.00"), D("5500.00"), D("5000.00"), D("500.00"), 1, 0, 8),
    ]
    # 31 May: a took 200 back from its second community, which is owed it 39 days after payment (overdue);
    # b received and passed its 800 on.
    assert status(users, 5) == [
        ("a街道", D("5500.00"), D("5500.00"), D("4800.00"), D("700.00"), 1, 1, 39),
        ("b街道", D("800.00"), D("800.00"), D("800.00"), D("0.00"), 0, 0, None),
        ("合计", D("6300.00"), D("6300.00"), D("5600.00"), D("700.00"), 1, 1, 39),
    ]


def test_an_old_bulletin_is_unchanged_by_a_later_pass_on(client_for, users, roster, followed):
    client = client_for("center")
    before = {m: status(users, m) for m in (4, 5)}
    before_page = section(client, 5)
    give_back(users, followed, dt.date(2022, 6, 8))
    assert {m: status(users, m) for m in (4, 5)} == before
    assert section(client, 5) == before_page
    assert status(users, 6)[0] == ("a街道", D("5500.00"), D("5500.00"), D("5000.00"), D("500.00"), 0, 0, None)


def test_a_street_admin_sees_only_its_own_street(client_for, users, roster, followed):
    assert [row[0] for row in status(users, 5, "street_b")] == ["b街道", "合计"]
    assert status(users, 5, "street_b")[-1][1:4] == (D("800.00"), D("800.00"), D("800.00"))
    client = client_for("street_b")
    shown = section(client, 5)
    assert f'data-street="{roster["b"]["street"].pk}"' in shown
    assert f'data-street="{roster["a"]["street"].pk}"' not in shown and "5,500.00" not in shown
    sheet = load_workbook(io.BytesIO(client.get("/reports/bulletins/2022/5.xlsx").content))["资金下发情况"]
    assert [row[0] for row in table_rows(sheet)[1:]] == ["b街道", "合计"]


def test_the_page_and_the_workbook_show_the_section(client_for, users, roster, followed):
    client = client_for("leader")
    page = client.get("/reports/bulletins/2022/5/").content.decode()
    assert "各街镇资金下发情况（截至 2022年5月31日）" in page and "逾期 1" in page
    book = load_workbook(io.BytesIO(client.get("/reports/bulletins/2022/5.xlsx").content))
    sheet = book["资金下发情况"]
    rows = [tuple(row) for row in table_rows(sheet)]
    assert rows[0] == (
        "街镇",
        "本年拨付（元）",
        "已到账（元）",
        "已下发（元）",
        "街镇留存（元）",
        "未办结（笔）",
        "逾期（笔）",
        "最久未办结天数",
    )
    assert rows[1:] == [
        ("a街道", 5500, 5500, 4800, 700, 1, 1, 39),
        ("b街道", 800, 800, 800, 0, 0, 0, None),
        ("合计", 6300, 6300, 5600, 700, 1, 1, 39),
    ]
    assert sheet["B4"].number_format == "#,##0.00"


@pytest.mark.slow
def test_the_pdf_shows_the_section(client_for, users, roster, followed):
    pdf = client_for("center").get("/reports/bulletins/2022/5.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    assert "各街镇资金下发情况" in text
    assert "拨付到各街镇6,300.00元，已确认到账6,300.00元，已下发至各村（社区）5,600.00元" in text.replace(
        " ", ""
    )
    assert "其中1笔拨付后超过15天，已逾期" in text.replace(" ", "")


def test_the_section_takes_the_same_queries_for_more_batches_and_streets(users, roster, followed):
    before, after = queries_before_and_after_more_money(
        users, lambda: monthly_bulletin(2022, 5, user=users["center"])
    )
    assert after == before
