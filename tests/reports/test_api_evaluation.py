"""Other systems read a year's self-evaluation figures through the API (reports.api): a draft's computed
now, a finalised one's as signed off."""

from decimal import Decimal

from core.models import ApiScope
from disbursements.models import Budget
from reports.demo import INDICATORS_2022
from reports.services import finalise_evaluation
from tests.api_helpers import api_client, refusal

URL = "/api/v1/evaluations/2022/"


def test_a_draft_s_figures_are_computed_from_the_data(users, evaluation):
    body = api_client(users, ApiScope.READ_RESULTS).get(URL).json()
    assert (body["year"], body["is_final"], body["project_name"]) == (
        2022,
        False,
        "“热线+网格、吹哨+报到”专项资金",
    )
    # 6,060.00 of 4,000,000.00 paid: 0.15 %, 0.02 of the 10 points
    assert body["funds"] == {
        "budget": "4000000.00",
        "executed": "6060.00",
        "execution_rate": "0.15",
        "points": "10.00",
        "score": "0.02",
    }
    assert body["quarterly_disbursements"] == ["6060.00", "0.00", "0.00", "0.00"]
    assert body["special_disbursements"] == "0.00"
    assert [i["name"] for i in body["indicators"]] == [row[2] for row in INDICATORS_2022]
    indicators = {i["name"]: i for i in body["indicators"]}
    cost = indicators["全年支出控制在预算以内"]
    assert (cost["level1"], cost["level2"], cost["target"], cost["points"], cost["score"]) == (
        "产出指标",
        "成本指标",
        "≤400万元",
        "10.00",
        "10.00",
    )
    assert cost["actual"] == "0.606万元" and not cost["overridden"]
    assert indicators["群众满意度"]["actual"] == "95.00%" and indicators["群众满意度"]["score"] == "10.00"
    scores = body["scores"]
    parts = Decimal(scores["funds"]) + sum(Decimal(scores[k]) for k in ("output", "benefit", "satisfaction"))
    assert Decimal(scores["total"]) == parts
    assert (body["report_date"], body["issuer"]) == ("2023-02-24", "长沙市望城区社会治理服务中心")


def test_a_finalised_evaluation_answers_its_signed_off_figures(users, evaluation):
    reader = api_client(users, ApiScope.READ_RESULTS)
    finalise_evaluation(user=users["center"], evaluation=evaluation)
    signed = reader.get(URL).json()
    assert signed["is_final"] and signed["funds"]["budget"] == "4000000.00"
    Budget.objects.filter(year=2022).update(amount=Decimal("5000000.00"))  # behind the freeze's back
    again = reader.get(URL).json()
    assert again == signed


def test_a_year_without_a_self_evaluation_is_a_404_problem(users, year):
    response = api_client(users, ApiScope.READ_RESULTS).get("/api/v1/evaluations/2030/")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "2030 年度没有绩效自评。"


def test_a_client_without_the_results_scope_is_refused(users, evaluation):
    assert (
        refusal(api_client(users, ApiScope.PUSH_HOTLINE, ApiScope.READ_DISBURSEMENTS).get(URL))
        == "该客户端没有“读取考核结果”的权限范围。"
    )
