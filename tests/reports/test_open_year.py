"""A new year from the browser: one service copies last year's rules and indicators and makes the rest."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import AssessmentYear, PeriodStatus, RatingReward, StreetQuota
from assessments.services.periods import (
    ensure_year,
    propose_street_quotas,
    update_year_settings,
)
from disbursements.models import Budget
from grids.models import GridLevel
from reports import services
from reports.models import EvaluationStatus, SelfEvaluation

BUDGET = {
    "budget_amount": Decimal("3800000.00"),
    "fund_name": "网格化管理专项经费",
    "basis": "望财预〔2023〕12号",
}


@pytest.fixture
def year_2022(users, evaluation):
    """2022 with rules other than the defaults, a street split, and its self-evaluation filled in."""
    AssessmentYear.objects.filter(year=2022).update(
        zero_complaint_reward_urban=Decimal("5500.00"),
        level3_excellent_quota=2,
        complaint_types=["投诉", "建议"],
    )
    RatingReward.objects.filter(year__year=2022, level=GridLevel.LEVEL3, rating="excellent").update(
        amount=Decimal("650.00")
    )
    settings = AssessmentYear.objects.get(year=2022)
    quotas = propose_street_quotas(settings, GridLevel.LEVEL3)
    StreetQuota.objects.bulk_create(
        StreetQuota(year=settings, street_id=pk, level=GridLevel.LEVEL3, quota=q) for pk, q in quotas.items()
    )
    evaluation.indicators.filter(name="划分三级网格").update(
        deviation="无偏差", override_score=Decimal("4"), override_reason="抽查"
    )
    return evaluation


def test_opening_a_year_copies_last_years_rules_and_makes_the_rest(users, year_2022):
    evaluation = services.open_year(user=users["center"], year=2023, **BUDGET)

    settings = AssessmentYear.objects.get(year=2023)
    assert (
        settings.zero_complaint_reward_urban,
        settings.level3_excellent_quota,
        settings.complaint_types,
    ) == (
        Decimal("5500.00"),
        2,
        ["投诉", "建议"],
    )
    rewards = {(r.level, r.rating): r.amount for r in settings.rating_rewards.all()}
    assert rewards[(GridLevel.LEVEL3, "excellent")] == Decimal("650.00") and len(rewards) == 8
    old_split = set(StreetQuota.objects.filter(year__year=2022).values_list("street_id", "level", "quota"))
    assert set(settings.street_quotas.values_list("street_id", "level", "quota")) == old_split
    assert list(settings.periods.order_by("quarter").values_list("quarter", "status")) == [
        (q, PeriodStatus.OPEN) for q in range(1, 5)
    ]
    budget = Budget.objects.get(year=2023)
    assert (budget.amount, budget.fund_name, budget.basis) == tuple(BUDGET.values())

    assert (evaluation.year, evaluation.status) == (2023, EvaluationStatus.DRAFT)
    assert (evaluation.project_name, evaluation.goal_expected, evaluation.texts) == (
        year_2022.project_name,
        year_2022.goal_expected,
        year_2022.texts,
    )
    assert (evaluation.goal_actual, evaluation.report_date) == ("", None)
    old = list(year_2022.indicators.order_by("order"))
    new = list(evaluation.indicators.order_by("order"))
    assert [(i.name, i.points, i.source, i.direction) for i in new] == [
        (i.name, i.points, i.source, i.direction) for i in old
    ]
    for indicator in new:
        assert (indicator.manual_actual, indicator.band, indicator.deviation, indicator.override_score) == (
            None,
            "",
            "",
            None,
        )
    awaiting = [i.name for i in new if i.awaiting_input]
    assert awaiting == ["解决基层群众急难愁盼问题", "“热线+网格、吹哨+报到”工作机制推广落实", "群众满意度"]
    cost = evaluation.indicators.get(name="全年支出控制在预算以内")
    assert (cost.target, cost.target_text) == (Decimal("3800000.00"), "≤380万元")
    # Last year's evaluation is untouched.
    assert year_2022.indicators.get(name="群众满意度").manual_actual == Decimal("95.00")


def test_the_copied_rules_stay_editable_until_the_first_lock(users, year_2022):
    services.open_year(user=users["center"], year=2023, **BUDGET)
    settings = AssessmentYear.objects.get(year=2023)
    update_year_settings(
        user=users["center"],
        settings=settings,
        level3_quota=2,
        level4_quota=3,
        zero_urban=Decimal("6000.00"),
        zero_rural=Decimal("3000.00"),
        rating_rewards={},
    )
    assert AssessmentYear.objects.get(year=2023).zero_complaint_reward_urban == Decimal("6000.00")
    assert AssessmentYear.objects.get(year=2022).zero_complaint_reward_urban == Decimal("5500.00")


@pytest.mark.parametrize(
    ("opened", "message"),
    [
        (2022, "2022 年已开启，不能重复开启。"),
        (2021, "只能开启 2023 年：新年度须紧接已开启的最近年度（2022 年），不能跳过或补开年度。"),
        (2025, "只能开启 2023 年"),
    ],
)
def test_duplicates_and_gaps_are_refused(users, year_2022, opened, message):
    with pytest.raises(services.ReportError, match=message):
        services.open_year(user=users["center"], year=opened, **BUDGET)
    assert not AssessmentYear.objects.filter(year=2023).exists()


def test_a_year_far_ahead_or_without_a_budget_is_refused_and_nothing_is_left(users, year_2022):
    AssessmentYear.objects.filter(year=2022).update(year=2040)
    with pytest.raises(services.ReportError, match="2041 年太远：最多提前一年开启新年度。"):
        services.open_year(user=users["center"], year=2041, **BUDGET)
    AssessmentYear.objects.filter(year=2040).update(year=2022)
    with pytest.raises(services.ReportError, match="年初预算数须大于 0"):
        services.open_year(user=users["center"], year=2023, **{**BUDGET, "budget_amount": Decimal("0")})
    assert (
        not AssessmentYear.objects.filter(year=2023).exists()
        and not Budget.objects.filter(year=2023).exists()
    )


def test_opening_a_year_is_for_center_staff_and_the_administrator(users, year_2022):
    for role in ("street", "finance", "leader"):
        with pytest.raises(PermissionDenied):
            services.open_year(user=users[role], year=2023, **BUDGET)
    assert services.open_year(user=users["admin"], year=2023, **BUDGET).year == 2023


def test_the_page_proposes_the_next_year_and_last_years_names(users, year_2022, client_for):
    client = client_for("center")
    form = client.get("/reports/self-evaluation/new-year/").content.decode()
    assert 'value="2023"' in form and "区长办公会议纪要[2021]40号" in form
    assert "开启新年度" in client.get("/reports/self-evaluation/").content.decode()
    data = {"year": 2023, **BUDGET}
    response = client.post("/reports/self-evaluation/new-year/", data, follow=True)
    assert response.redirect_chain[-1][0] == "/reports/self-evaluation/2023/"
    page = response.content.decode()
    assert "已开启 2023 年" in page and page.count("待填报") >= 3
    assert (
        "以下指标待填报：解决基层群众急难愁盼问题、“热线+网格、吹哨+报到”工作机制推广落实、群众满意度。"
        in page
    )
    again = client.post("/reports/self-evaluation/new-year/", data).content.decode()
    assert "2023 年已开启，不能重复开启。" in again


def test_finalising_a_new_year_waits_for_its_indicators(users, year_2022):
    evaluation = services.open_year(user=users["center"], year=2023, **BUDGET)
    with pytest.raises(services.ReportError, match=r"以下指标待填报：.*群众满意度"):
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    satisfaction = evaluation.indicators.get(name="群众满意度")
    services.update_indicator(
        user=users["center"],
        indicator=satisfaction,
        data={"manual_actual": Decimal("93"), "justification": "2023年度群众满意度问卷调查"},
    )
    for indicator in evaluation.indicators.filter(direction="qualitative"):
        services.update_indicator(user=users["center"], indicator=indicator, data={"band": "achieved"})
    with pytest.raises(services.ReportError) as refused:
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    assert "待填报" not in str(refused.value) and "报告日期未填写" in str(refused.value)


def test_a_year_opened_elsewhere_gets_its_self_evaluation_from_the_list(users, year_2022, client_for):
    ensure_year(year=2023)  # e.g. opened in the admin: no self-evaluation yet
    client = client_for("center")
    assert client.get("/reports/self-evaluation/2023/").status_code == 404
    listing = client.get("/reports/self-evaluation/").content.decode()
    assert "2023 年尚未建立绩效自评" in listing
    response = client.post("/reports/self-evaluation/2023/create/", follow=True)
    assert response.redirect_chain[-1][0] == "/reports/self-evaluation/2023/"
    evaluation = SelfEvaluation.objects.get(year=2023)
    assert evaluation.indicators.count() == year_2022.indicators.count()
    with pytest.raises(services.ReportError, match="2023 年已建立绩效自评"):
        services.create_evaluation(user=users["center"], year=2023)
    with pytest.raises(services.ReportError, match="2024 年尚未开启"):
        services.create_evaluation(user=users["center"], year=2024)
    with pytest.raises(PermissionDenied):
        services.create_evaluation(user=users["leader"], year=2023)


def test_a_first_year_starts_from_the_defaults(users):
    evaluation = services.open_year(user=users["center"], year=2022, **BUDGET)
    settings = AssessmentYear.objects.get(year=2022)
    assert (settings.level3_excellent_quota, settings.rating_rewards.count(), settings.periods.count()) == (
        355,
        8,
        4,
    )
    assert evaluation.indicators.count() == 0 and not settings.street_quotas.exists()


def test_the_quotas_of_a_split_naming_a_retired_street_are_proposed_again(users, roster, year_2022):
    import datetime as dt

    from grids.models import Grid

    Grid.objects.filter(pk=roster["b"]["street"].pk).update(retired_on=dt.date(2022, 12, 31))
    services.open_year(user=users["center"], year=2023, **BUDGET)
    assert not StreetQuota.objects.filter(year__year=2023).exists()
