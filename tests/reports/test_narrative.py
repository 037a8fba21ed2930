import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from disbursements.services.batches import add_special_line, create_special_batch
from disbursements.services.workflow import apply_transition
from reports.exports import self_evaluation_pdf
from reports.narrative import money_text, paid_at_year_end, payment_names
from reports.selectors import evaluation_figures
from tests.factories import date_approval


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        ("3717600.00", "元", "3717600元"),
        ("891650", "元", "891650元"),
        ("1857150.49", "元", "1857150.49元"),
        ("1857150.50", "元", "1857150.50元"),
        ("0.07", "元", "0.07元"),
        ("0", "元", "0元"),
        ("4000000.00", "万元", "400万元"),
        ("3717600.00", "万元", "371.76万元"),
        ("1857150.49", "万元", "185.715049万元"),
        ("1857150.50", "万元", "185.71505万元"),
        ("50000", "万元", "5万元"),
        ("0.01", "万元", "0.000001万元"),
        ("0", "万元", "0万元"),
    ],
)
def test_money_text_is_exact_to_the_fen(amount, unit, text):
    assert money_text(Decimal(amount), unit=unit) == text


@pytest.mark.parametrize(
    ("purposes", "names"),
    [
        (
            [
                "示范社区“雷锋哨”阵地建设经费",
                "三级网格指导员奖励资金（12 名）",
                "三级网格指导员奖励资金（3 名）",
            ],
            "示范社区“雷锋哨”阵地建设经费以及三级网格指导员奖励资金",
        ),
        (["防汛应急物资"], "防汛应急物资"),
        (
            ["防汛应急物资", "网格员培训经费(2期)", "防汛应急物资", "党群服务阵地"],
            "防汛应急物资、网格员培训经费以及党群服务阵地",
        ),
        (["", "  "], ""),
        ([], ""),
    ],
)
def test_payment_names_name_each_purpose_once_without_its_line_note(purposes, names):
    assert payment_names(purposes) == names


def test_only_payments_from_december_on_are_called_year_end():
    assert paid_at_year_end([dt.date(2022, 12, 1), dt.date(2023, 1, 20)], 2022)
    assert not paid_at_year_end([dt.date(2022, 12, 20), dt.date(2022, 6, 30)], 2022)
    assert not paid_at_year_end([], 2022)


def pay_special(users, payee, lines, paid_on):
    batch = create_special_batch(user=users["center"], year=2022, title="2022年专项")
    for purpose, amount in lines:
        add_special_line(
            user=users["center"], batch=batch, payee=payee, purpose=purpose, amount=Decimal(amount)
        )
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    date_approval(batch, paid_on)
    apply_transition(batch=batch, action="pay", user=users["finance"], paid_on=paid_on, voucher_no="ZX-1")
    return batch


def report_text(client_for):
    page = client_for("leader").get("/reports/self-evaluation/2022/").content.decode()
    return re.sub(r"<[^>]+>|\s", "", page)


def test_the_narrative_names_the_special_batches_purposes_and_writes_money_with_fen(
    users, roster, evaluation, client_for
):
    pay_special(
        users,
        roster["a"]["street"],
        [("防汛应急物资采购（a街道）", "1234.56"), ("网格员培训经费", "100.00")],
        dt.date(2022, 6, 30),
    )
    text = report_text(client_for)
    assert "雷锋哨”阵地建设经费" not in text and "指导员奖励资金" not in text
    # Q1 paid 6,060.00; a mid-year special batch is not called 年终.
    assert "一季度拨付奖励资金6060元、二季度拨付奖励资金0元" in text
    assert "、另拨付防汛应急物资采购以及网格员培训经费1334.56元，全年共拨付7394.56元。" in text
    assert "当年实际使用资金0.739456万元" in text
    assert "年终" not in text  # neither in the prose nor in the chart's label


def test_the_narrative_writes_a_budget_with_fen_exactly_in_wan(users, budget, evaluation, client_for):
    budget.amount = Decimal("1857150.49")
    budget.save()
    text = report_text(client_for)
    assert "安排专项预算185.715049万元" in text and "预算共185.715049万元" in text
    assert "185.72万元" not in text and "1857150元" not in text


def test_a_year_without_special_batches_names_none(evaluation, client_for):
    text = report_text(client_for)
    assert "四季度拨付奖励资金0元，全年共拨付6060元。" in text
    assert "年终" not in text and "另拨付" not in text


@pytest.mark.slow
def test_the_pdf_shows_the_purposes_and_the_fen_and_is_not_served_from_an_older_key(
    users, roster, evaluation
):
    before = self_evaluation_pdf(evaluation)
    pay_special(users, roster["b"]["street"], [("示范网格创建奖励", "0.49")], dt.date(2023, 1, 10))
    figures = evaluation_figures(evaluation)
    assert (figures["special_names"], figures["special_at_year_end"]) == ("示范网格创建奖励", True)
    pdf = self_evaluation_pdf(evaluation)
    assert pdf != before
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = text.replace(" ", "").replace("\n", "")
    assert "年终拨付示范网格创建奖励0.49元，全年共拨付6060.49元。" in text
