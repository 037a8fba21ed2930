"""A year's budget with its changes: 年初预算数, adjustments giving 全年预算数, 上年结转 and 其他资金."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from disbursements.exceptions import BudgetExceeded, DisbursementError
from disbursements.models import BatchLine, BudgetAdjustment
from disbursements.selectors import budget_sources, budget_summary, full_year_budget
from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.budgets import add_budget_adjustment, update_budget_sources
from disbursements.services.workflow import apply_transition
from reports.demo import seed_evaluation
from reports.models import SelfEvaluation
from reports.selectors import evaluation_context, evaluation_figures, figures_as_json
from tests.factories import date_approval

PAID_ON = dt.date(2022, 4, 22)


def adjust(users, budget, amount, *, on=dt.date(2022, 6, 30), no="望财预〔2022〕8号", reason="年中追加"):
    return add_budget_adjustment(
        user=users["center"],
        budget=budget,
        amount=Decimal(amount),
        adjusted_on=on,
        document_no=no,
        reason=reason,
    )


@pytest.fixture
def paid_q1(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)  # 6,060.00 元
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    date_approval(batch, PAID_ON)
    return apply_transition(
        batch=batch, action="pay", user=users["finance"], paid_on=PAID_ON, voucher_no="v1"
    )


def test_full_year_budget_is_the_initial_one_with_adjustments_carryover_and_other_funds(users, budget):
    adjust(users, budget, "500000")
    adjust(users, budget, "-100000.50", no="望财预〔2022〕15号", reason="调减")
    update_budget_sources(
        user=users["center"], budget=budget, carryover=Decimal("200000"), other_funds=Decimal("50000")
    )
    budget.refresh_from_db()
    assert budget.amount == Decimal("4000000.00")  # 年初预算数 is kept as approved
    assert full_year_budget(budget) == Decimal("4649999.50")
    rows = {row["key"]: (row["initial"], row["full_year"]) for row in budget_sources(budget)}
    assert rows == {
        "total": (Decimal("4250000.00"), Decimal("4649999.50")),
        "appropriation": (Decimal("4000000.00"), Decimal("4399999.50")),
        "carryover": (Decimal("200000.00"), Decimal("200000.00")),
        "other": (Decimal("50000.00"), Decimal("50000.00")),
    }
    assert budget.history.first().history_user == users["center"]


def test_execution_uses_carryover_first_then_the_appropriation(users, budget, paid_q1):
    update_budget_sources(
        user=users["center"], budget=budget, carryover=Decimal("1000"), other_funds=Decimal("0")
    )
    budget.refresh_from_db()
    executed = {row["key"]: row["executed"] for row in budget_sources(budget)}
    assert executed == {
        "total": Decimal("6060.00"),
        "carryover": Decimal("1000.00"),
        "appropriation": Decimal("5060.00"),
        "other": Decimal("0.00"),
    }
    summary = budget_summary(budget)
    assert (summary["full_year"], summary["remaining"], str(summary["execution_rate"])) == (
        Decimal("4001000.00"),
        Decimal("3994940.00"),
        "0.15",
    )


def test_the_budget_check_uses_the_full_year_budget(users, budget, locked_q1):
    budget.amount = Decimal("6000.00")
    budget.save()
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    with pytest.raises(BudgetExceeded, match=r"超出 60\.00 元"):
        apply_transition(batch=batch, action="approve", user=users["finance"])
    update_budget_sources(
        user=users["center"], budget=budget, carryover=Decimal("0"), other_funds=Decimal("60")
    )
    assert apply_transition(batch=batch, action="approve", user=users["finance"]).status == "approved"


def test_an_adjustment_cannot_take_the_budget_below_what_is_committed(users, budget, paid_q1):
    with pytest.raises(
        DisbursementError, match=r"全年预算数为 5,000\.00 元，少于已审核及已拨付的 6,060\.00 元"
    ):
        adjust(users, budget, "-3995000")
    update_budget_sources(
        user=users["center"], budget=budget, carryover=Decimal("10"), other_funds=Decimal("0")
    )
    budget.refresh_from_db()
    adjust(users, budget, "-3993950")  # 全年预算数 exactly what is committed
    assert full_year_budget(budget) == Decimal("6060.00")
    with pytest.raises(DisbursementError, match=r"少于已审核及已拨付的 6,060\.00 元"):
        update_budget_sources(
            user=users["center"], budget=budget, carryover=Decimal("0"), other_funds=Decimal("0")
        )
    assert BudgetAdjustment.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "on", "no", "reason", "message"),
    [
        ("0", dt.date(2022, 6, 1), "文1", "理由", "调整金额不能为 0"),
        ("100", dt.date(2022, 6, 1), "", "理由", "须填写文号和调整理由"),
        ("100", dt.date(2022, 6, 1), "文1", " ", "须填写文号和调整理由"),
        ("100", dt.date(2023, 1, 5), "文1", "理由", "调整日期应在 2022 年内"),
        ("-4000000", dt.date(2022, 6, 1), "文1", "理由", "当年财政拨款将不大于 0"),
    ],
)
def test_adjustments_are_checked(users, budget, amount, on, no, reason, message):
    with pytest.raises(DisbursementError, match=message):
        adjust(users, budget, amount, on=on, no=no, reason=reason)
    assert not BudgetAdjustment.objects.exists()


@pytest.mark.parametrize("role", ["finance", "street", "leader", "admin"])
def test_only_center_staff_adjust(users, budget, role):
    with pytest.raises(PermissionDenied):
        add_budget_adjustment(
            user=users[role],
            budget=budget,
            amount=Decimal("1"),
            adjusted_on=dt.date(2022, 6, 1),
            document_no="x",
            reason="x",
        )
    with pytest.raises(PermissionDenied):
        update_budget_sources(
            user=users[role], budget=budget, carryover=Decimal("1"), other_funds=Decimal("0")
        )


def test_negative_sources_are_refused(users, budget):
    with pytest.raises(DisbursementError, match="不能为负数"):
        update_budget_sources(
            user=users["center"], budget=budget, carryover=Decimal("-1"), other_funds=Decimal("0")
        )


def test_the_self_evaluation_funds_block_shows_the_adjusted_figures(users, budget, paid_q1):
    adjust(users, budget, "600000")
    update_budget_sources(
        user=users["center"], budget=budget, carryover=Decimal("100000"), other_funds=Decimal("20000")
    )
    seed_evaluation(2022)
    evaluation = SelfEvaluation.objects.get(year=2022)
    figures = evaluation_figures(evaluation)
    total = figures["funds"][0]
    assert (total["initial"], total["full_year"], total["executed"]) == (
        Decimal("4120000.00"),
        Decimal("4720000.00"),
        Decimal("6060.00"),
    )
    # 6,060 ÷ 4,720,000 = 0.128%: the rate and score use 全年预算数.
    assert (total["rate"], total["score"], figures["execution_rate"]) == (
        Decimal("0.13"),
        Decimal("0.01"),
        Decimal("0.13"),
    )
    assert [row["points"] for row in figures["funds"]] == [Decimal(10), None, None, None]
    html = evaluation_context(evaluation)
    assert html["funds"] == figures["funds"]
    json = figures_as_json(figures)["funds_rows"]
    assert [(r["label"], r["initial"], r["full_year"]) for r in json] == [
        ("年度资金总额", "4120000.00", "4720000.00"),
        ("其中：本年财政拨款", "4000000.00", "4600000.00"),
        ("上年结转资金", "100000.00", "100000.00"),
        ("其他资金", "20000.00", "20000.00"),
    ]


def test_the_form_page_renders_the_adjusted_block(users, budget, paid_q1, client_for):
    adjust(users, budget, "600000")
    seed_evaluation(2022)
    page = client_for("leader").get("/reports/self-evaluation/2022/").content.decode()
    assert '<th>年度资金总额</th><td class="num">400.00</td><td class="num">460.00</td>' in page


def test_a_year_without_changes_reads_as_before(users, budget, paid_q1, client_for):
    seed_evaluation(2022)
    page = client_for("leader").get("/reports/self-evaluation/2022/").content.decode()
    assert (
        '<tr><th>上年结转资金</th><td class="num">0.00</td><td class="num">0.00</td><td class="num">0.00</td>'
        '<td class="center">—</td><td class="center">—</td><td class="center">—</td></tr>'
    ) in page
    assert (
        '<th>其中：本年财政拨款</th><td class="num">400.00</td><td class="num">400.00</td><td class="num">0.61</td>'
        in page
    )


class TestBudgetPage:
    def test_anonymous_is_sent_to_login(self, client_for, budget):
        assert client_for(None).get("/funds/budget/2022/").status_code == 302

    @pytest.mark.parametrize(
        ("role", "status"), [("center", 200), ("finance", 200), ("leader", 200), ("street", 403)]
    )
    def test_who_may_view(self, client_for, budget, role, status):
        assert client_for(role).get("/funds/budget/2022/").status_code == status

    def test_unknown_year_is_404(self, client_for, budget):
        assert client_for("center").get("/funds/budget/2031/").status_code == 404

    def test_finance_sees_the_figures_without_the_forms(self, users, client_for, budget):
        adjust(users, budget, "1234.56")
        page = client_for("finance").get("/funds/budget/2022/").content.decode()
        assert "望财预〔2022〕8号" in page and "1,234.56" in page and "登记预算调整" not in page

    def test_center_staff_add_an_adjustment(self, users, client_for, budget):
        client = client_for("center")
        response = client.post(
            "/funds/budget/2022/adjustments",
            {
                "amount": "-2500.5",
                "adjusted_on": "2022-09-01",
                "document_no": "望财预〔2022〕21号",
                "reason": "调减",
            },
        )
        assert response.status_code == 302 and response["Location"] == "/funds/budget/2022/"
        assert full_year_budget(budget) == Decimal("3997499.50")
        page = client.get("/funds/budget/2022/").content.decode()
        assert "已登记预算调整 望财预〔2022〕21号：-2,500.50 元" in page and "3,997,499.50" in page

    def test_a_refused_adjustment_says_why(self, client_for, budget):
        client = client_for("center")
        client.post(
            "/funds/budget/2022/adjustments", {"amount": "5", "adjusted_on": "2022-09-01", "reason": "x"}
        )
        page = client.get("/funds/budget/2022/").content.decode()
        assert "这个字段是必填项" in page or "必填" in page
        assert not BudgetAdjustment.objects.exists()

    def test_center_staff_save_carryover_and_other_funds(self, client_for, budget):
        response = client_for("center").post(
            "/funds/budget/2022/sources", {"carryover": "300000", "other_funds": "0"}
        )
        assert response.status_code == 302
        budget.refresh_from_db()
        assert budget.carryover == Decimal("300000.00")

    def test_finance_may_not_post(self, client_for, budget):
        assert (
            client_for("finance")
            .post("/funds/budget/2022/sources", {"carryover": "1", "other_funds": "0"})
            .status_code
            == 403
        )

    def test_reachable_from_the_batch_list(self, client_for, budget):
        assert "/funds/budget/2022/" in client_for("finance").get("/funds/batches/").content.decode()


def test_budget_cannot_drop_below_what_is_committed_in_the_admin(client_for, users, locked_q1, budget):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    users["admin"].groups.first().permissions.add(*Group.objects.get(name="系统管理员").permissions.all())
    client = client_for("admin")
    response = client.post(
        f"/admin/disbursements/budget/{budget.pk}/change/",
        {"amount": "1000.00", "fund_name": budget.fund_name, "basis": budget.basis},
    )
    assert "已审核及已拨付 6,060.00 元，预算不能少于该数" in response.content.decode()
    budget.refresh_from_db()
    assert budget.amount == Decimal("4000000.00")
    assert BatchLine.objects.filter(batch=batch).count() == 6
