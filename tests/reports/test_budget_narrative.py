"""The report tells the budget as it was set and as it changed: the basis's own amount, then each adjustment."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from disbursements.models import Budget
from disbursements.services.budgets import add_budget_adjustment, update_budget_sources
from reports.narrative import budget_changes
from reports.selectors import evaluation_context

ZERO = Decimal("0.00")


def adjustment(day, amount, document_no):
    return SimpleNamespace(adjusted_on=day, amount=Decimal(amount), document_no=document_no)


def test_budget_changes_by_hand():
    assert budget_changes([], carryover=ZERO, other=ZERO, full_year=Decimal("4000000")) == ""
    one = [adjustment(dt.date(2023, 8, 15), "200000.00", "望财预〔2023〕12号")]
    assert (
        budget_changes(one, carryover=ZERO, other=ZERO, full_year=Decimal("4200000"))
        == "年度中，2023年8月15日望财预〔2023〕12号追加预算20万元，全年预算数420万元。"
    )
    two = [*one, adjustment(dt.date(2023, 11, 2), "-12345.67", "望财预〔2023〕30号")]
    assert budget_changes(two, carryover=Decimal("50000"), other=ZERO, full_year=Decimal("4237654.33")) == (
        "年度中，2023年8月15日望财预〔2023〕12号追加预算20万元；2023年11月2日望财预〔2023〕30号"
        "调减预算1.234567万元；另有上年结转资金5万元，全年预算数423.765433万元。"
    )
    assert (
        budget_changes([], carryover=ZERO, other=Decimal("8000"), full_year=Decimal("4008000"))
        == "另有其他资金0.8万元，全年预算数400.8万元。"
    )


def test_the_report_quotes_the_basis_with_its_own_amount_and_then_the_changes(users, evaluation, client_for):
    budget = Budget.objects.get(year=2022)
    before = evaluation_context(evaluation)
    assert before["budget_changes"] == ""
    add_budget_adjustment(
        user=users["center"],
        budget=budget,
        amount=Decimal("-287530.00"),
        adjusted_on=dt.date(2022, 11, 20),
        document_no="望财预〔2022〕120号",
        reason="年中收回部分资金",
    )
    update_budget_sources(user=users["center"], budget=budget, carryover=ZERO, other_funds=Decimal("10000"))
    html = evaluation_context(evaluation)
    assert html["budget_initial"] == Decimal("4000000.00")
    assert html["budget_changes"] == (
        "年度中，2022年11月20日望财预〔2022〕120号调减预算28.753万元；另有其他资金1万元，全年预算数372.247万元。"
    )
    page = client_for("leader").get("/reports/self-evaluation/2022/").content.decode()
    assert (
        "区长办公会议纪要[2021]40号明确在2022年区级财政预算中安排专项预算400万元，用于“热线+网格、吹哨+报到”"
        "工作经费补助。年度中，2022年11月20日望财预〔2022〕120号调减预算28.753万元"
    ) in page
