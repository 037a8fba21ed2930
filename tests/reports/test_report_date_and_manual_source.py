"""The self-evaluation's 报告日期 lies after its year and not after today; a hand-entered value names its source."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.formats import date_text
from reports import services
from reports.models import EvaluationStatus

URL = "/reports/self-evaluation/2022/"


def _edit_form(evaluation, report_date: str) -> dict:
    return {
        "project_name": evaluation.project_name,
        "department": evaluation.department,
        "implementer": evaluation.implementer,
        "goal_expected": "预期",
        "goal_actual": "完成",
        "report_date": report_date,
        "issuer": evaluation.issuer,
    }


@pytest.mark.parametrize("day", [dt.date(2099, 1, 1), dt.date(2022, 12, 31), dt.date(2021, 6, 1)])
def test_an_implausible_report_date_is_refused(users, evaluation, day):
    today = date_text(timezone.localdate())
    with pytest.raises(services.ReportError) as refused:
        services.update_evaluation(
            user=users["center"], evaluation=evaluation, fields={"report_date": day}, texts={}
        )
    assert str(refused.value) == (
        f"报告日期 {date_text(day)} 不合理：2022 年度绩效自评的报告日期应在 2023年1月1日 至今天（{today}）之间。"
    )
    evaluation.refresh_from_db()
    assert evaluation.report_date == dt.date(2023, 2, 24)


def test_the_edit_page_explains_a_refused_report_date(client_for, evaluation):
    client = client_for("center")
    response = client.post(f"{URL}edit/", _edit_form(evaluation, "2021-06-01"))
    assert response.status_code == 200
    assert "报告日期 2021年6月1日 不合理" in response.content.decode()
    assert client.post(f"{URL}edit/", _edit_form(evaluation, "2023-03-01")).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.report_date == dt.date(2023, 3, 1)


def test_a_date_from_the_next_year_to_today_is_taken(users, evaluation):
    for day in (dt.date(2023, 1, 1), timezone.localdate()):
        saved = services.update_evaluation(
            user=users["center"], evaluation=evaluation, fields={"report_date": day}, texts={}
        )
        assert saved.report_date == day


def test_finalising_refuses_a_stored_implausible_date(users, evaluation):
    type(evaluation).objects.filter(pk=evaluation.pk).update(report_date=dt.date(2099, 1, 1))
    evaluation.refresh_from_db()
    with pytest.raises(services.ReportError, match="报告日期 2099年1月1日 不合理"):
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT


MANUAL_REFUSAL = "人工填报实际完成值须填写人工填报依据（如调查、回访的名称和时间）。"


def test_a_manual_value_needs_its_justification(users, evaluation):
    satisfaction = evaluation.indicators.get(name="群众满意度")
    for blank in ("", "   "):
        with pytest.raises(services.ReportError, match=f"^{MANUAL_REFUSAL}$"):
            services.update_indicator(
                user=users["center"],
                indicator=satisfaction,
                data={"manual_actual": Decimal("80"), "justification": blank},
            )
    satisfaction.refresh_from_db()
    assert (satisfaction.manual_actual, satisfaction.justification) == (
        Decimal("95.00"),
        "年度群众满意度问卷调查",
    )
    saved = services.update_indicator(
        user=users["center"],
        indicator=satisfaction,
        data={"manual_actual": Decimal("80"), "justification": "2022年度电话回访"},
    )
    assert (saved.manual_actual, saved.justification) == (Decimal("80"), "2022年度电话回访")


def test_clearing_a_manual_value_needs_no_justification(users, evaluation):
    satisfaction = evaluation.indicators.get(name="群众满意度")
    saved = services.update_indicator(
        user=users["center"], indicator=satisfaction, data={"manual_actual": None, "justification": ""}
    )
    assert saved.manual_actual is None and saved.awaiting_input


def test_the_indicator_page_explains_the_missing_justification(client_for, evaluation):
    satisfaction = evaluation.indicators.get(name="群众满意度")
    data = {
        "target": "90",
        "target_text": satisfaction.target_text,
        "points": "10",
        "source": "manual",
        "manual_actual": "80",
        "justification": "",
    }
    response = client_for("center").post(f"{URL}indicators/{satisfaction.pk}/", data)
    assert response.status_code == 200 and MANUAL_REFUSAL in response.content.decode()
    satisfaction.refresh_from_db()
    assert satisfaction.manual_actual == Decimal("95.00")
