"""A year that closes: finalising stores what was signed off, and nothing shown changes until reopened."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments.models import AssessmentYear
from assessments.services.periods import ensure_year, lock_period, unlock_period
from disbursements.models import Budget
from disbursements.services.batches import create_special_batch
from disbursements.services.corrections import generate_correction_batch
from disbursements.services.workflow import apply_transition
from grids import services as grid_services
from grids.exceptions import GridError
from reports import services
from reports.exports import self_evaluation_json, self_evaluation_pdf, self_evaluation_workbook
from reports.models import EvaluationStatus, SelfEvaluation
from reports.selectors import current_sign_off, self_evaluation_page
from tests.disbursements.test_corrections import reopen_and_correct
from tests.factories import Level3Factory, StreetFactory, date_approval
from tests.queries import page_queries

URL = "/reports/self-evaluation/2022/"


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def change_everything_shown(roster) -> None:
    """What a closed year must not follow: the fund's basis, the budget, the rules, the roster."""
    Budget.objects.filter(year=2022).update(
        basis="望社治〔2024〕9号", fund_name="另一项经费", amount=Decimal("5000000.00")
    )
    AssessmentYear.objects.filter(year=2022).update(zero_complaint_reward_urban=Decimal("6000.00"))
    Level3Factory(parent=roster["a"]["community"], name="新建小区")
    StreetFactory(name="新设街道")


def test_finalising_freezes_the_page_the_pdf_the_workbook_and_the_json(users, roster, evaluation, client_for):
    client = client_for("center")
    before_page = client.get(URL).content.decode()
    before_json = self_evaluation_json(evaluation)
    sign_off = services.finalise_evaluation(user=users["leader"], evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.FINAL

    change_everything_shown(roster)

    after = client.get(URL).content.decode()
    # The 自评表 and 自评报告 tabs as the draft showed them when signed off, and as shown since.
    assert len(sign_off.html) > 5000 and sign_off.html in before_page and sign_off.html in after
    assert "望社治〔2024〕9号" not in after and "区长办公会议纪要[2021]40号" in after
    pdf = client.get("/reports/self-evaluation/2022.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(sign_off.pdf)
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "区长办公会议纪要[2021]40号" in text and "城市社区每季度奖励5000元" in text
    xlsx = client.get("/reports/self-evaluation/2022.xlsx").content
    assert xlsx == bytes(sign_off.xlsx)
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet["E6"].value == 400  # 年初预算数 in 万元, as signed off (the budget is 500 万元 now)
    assert self_evaluation_json(evaluation) == before_json


def test_the_page_is_the_drafts_figures_or_what_was_signed_off(users, evaluation):
    draft = self_evaluation_page(evaluation)
    assert "panes" not in draft and draft["rows"] and draft["sign_offs"] == []
    assert draft["finalise_problems"] == [] and draft["awaiting"] == set()
    sign_off = services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    evaluation.refresh_from_db()
    final = self_evaluation_page(evaluation)
    assert final["sign_off"] == sign_off and final["sign_offs"] == [sign_off]
    assert final["panes"] == sign_off.html
    assert (final["total"], final["grade"]) == (str(draft["total"]), draft["grade"])  # as stored (JSON)
    assert "finalise_problems" not in final and "rows" not in final


def test_the_draft_follows_the_data_again_once_reopened(users, roster, evaluation, client_for):
    services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    change_everything_shown(roster)
    services.reopen_evaluation(user=users["admin"], evaluation=evaluation, reason="预算文号有误")
    evaluation.refresh_from_db()
    page = client_for("leader").get(URL).content.decode()
    assert "望社治〔2024〕9号" in page and "城市社区每季度奖励6000元" in page
    assert "预算文号有误" in page  # the sign-off history names why it was reopened
    assert "望社治〔2024〕9号" in pdf_text(self_evaluation_pdf(evaluation))
    assert load_workbook(io.BytesIO(self_evaluation_workbook(evaluation))).active["E6"].value == 500


@pytest.mark.slow
def test_a_draft_pdf_is_keyed_on_everything_it_shows(users, evaluation):
    """The fund's name and basis and the rules are not among the JSON figures: the PDF still follows them."""
    first = pdf_text(self_evaluation_pdf(evaluation))
    assert "区长办公会议纪要[2021]40号" in first
    Budget.objects.filter(year=2022).update(basis="望社治〔2022〕3号", fund_name="网格化管理专项经费")
    second = pdf_text(self_evaluation_pdf(evaluation))
    assert "望社治〔2022〕3号" in second and "网格化管理专项经费" in second
    # The quarter is locked, so the rules change only behind the services' back; the PDF follows anyway.
    AssessmentYear.objects.filter(year=2022).update(level3_excellent_quota=400)
    assert "每季度评选400个优秀三级网格" in pdf_text(self_evaluation_pdf(evaluation))


def test_finalising_needs_the_permission(users, evaluation):
    for role in ("street", "finance", "admin"):
        with pytest.raises(PermissionDenied):
            services.finalise_evaluation(user=users[role], evaluation=evaluation)
    assert (
        services.finalise_evaluation(user=users["leader"], evaluation=evaluation).finalised_by
        == users["leader"]
    )


def test_finalising_refuses_what_is_not_filled_in_naming_it(users, evaluation):
    evaluation.indicators.filter(name="群众满意度").update(manual_actual=None)
    evaluation.indicators.filter(name="解决基层群众急难愁盼问题").update(band="")
    type(evaluation).objects.filter(pk=evaluation.pk).update(report_date=None)
    evaluation.refresh_from_db()
    with pytest.raises(services.ReportError) as refused:
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    assert str(refused.value) == (
        "不能定稿：以下指标待填报：解决基层群众急难愁盼问题、群众满意度。 报告日期未填写。"
    )
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT and not evaluation.sign_offs.exists()


def test_finalising_waits_for_every_batch_of_the_year_to_be_paid_or_cancelled(users, evaluation):
    batch = create_special_batch(user=users["center"], year=2022, title="网格员培训经费")
    with pytest.raises(
        services.ReportError, match="以下拨付批次尚未拨付，请先登记拨付或作废：网格员培训经费（草稿）"
    ):
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    apply_transition(batch=batch, action="cancel", user=users["center"], comment="不再需要")
    services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.FINAL


def test_finalising_waits_for_a_reopened_paid_quarter_to_be_corrected(users, roster, locked_q1, evaluation):
    unlock_period(user=users["admin"], period=locked_q1, reason="街道复核")
    with pytest.raises(services.ReportError, match="2022年第1季度已解锁，请重新锁定并处理更正后再定稿"):
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    locked_q1.refresh_from_db()
    reopen_and_correct(users, roster, lock_period(user=users["center"], period=locked_q1))
    with pytest.raises(services.ReportError, match="考核结果与已拨付金额不符（净额 "):
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    batch = generate_correction_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    date_approval(
        apply_transition(batch=batch, action="approve", user=users["finance"]), dt.date(2022, 4, 25)
    )
    apply_transition(
        batch=batch, action="pay", user=users["finance"], paid_on=dt.date(2022, 4, 28), voucher_no="v2"
    )
    services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.FINAL


def test_a_finalised_evaluation_is_read_only(users, evaluation, client_for):
    services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    indicator = evaluation.indicators.get(name="群众满意度")
    with pytest.raises(services.ReportError, match="2022 年绩效自评已定稿，指标和正文只读"):
        services.update_indicator(
            user=users["center"], indicator=indicator, data={"manual_actual": Decimal("80")}
        )
    with pytest.raises(services.ReportError, match="已定稿"):
        services.update_evaluation(
            user=users["center"], evaluation=evaluation, fields={}, texts={"other": "x"}
        )
    client = client_for("center")
    for url in (f"{URL}edit/", f"{URL}indicators/{indicator.pk}/"):
        response = client.post(url, {"manual_actual": "80"}, follow=True)
        assert "指标和正文只读" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.manual_actual == Decimal("95.00")
    with pytest.raises(services.ReportError, match="已定稿"):
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)


def test_reopening_takes_an_administrator_and_a_reason_kept_in_the_history(users, evaluation, client_for):
    first = services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    with pytest.raises(PermissionDenied):
        services.reopen_evaluation(user=users["center"], evaluation=evaluation, reason="x")
    with pytest.raises(services.ReportError, match="重新打开必须填写理由"):
        services.reopen_evaluation(user=users["admin"], evaluation=evaluation, reason="  ")
    assert client_for("admin").post(f"{URL}reopen/", {"reason": "满意度调查结果更正"}).status_code == 302
    evaluation.refresh_from_db()
    first.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT and current_sign_off(evaluation) is None
    assert (first.reopened_by, first.reopen_reason) == (users["admin"], "满意度调查结果更正")
    latest = evaluation.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        users["admin"],
        "重新打开：满意度调查结果更正",
    )
    # Finalised again: a second sign-off, the first kept with its reopening.
    second = services.finalise_evaluation(user=users["leader"], evaluation=evaluation)
    assert list(evaluation.sign_offs.order_by("finalised_at")) == [first, second]
    assert current_sign_off(evaluation) == second


def test_the_page_offers_finalising_and_reopening_to_those_who_may(users, evaluation, client_for):
    assert "定稿后内容只读" in client_for("leader").get(URL).content.decode()
    assert "定稿后内容只读" not in client_for("finance").get(URL).content.decode()
    response = client_for("leader").post(f"{URL}finalise/", follow=True)
    page = response.content.decode()
    assert "2022 年绩效自评已定稿，PDF 与自评表已存档。" in page and 'id="signed-off"' in page
    assert "重新打开理由" not in page
    assert "重新打开理由" in client_for("admin").get(URL).content.decode()


def test_a_locked_years_rules_are_read_only_in_the_admin(users, locked_q1, client_for):
    admin = client_for("admin")
    locked = locked_q1.year
    change = f"/admin/assessments/assessmentyear/{locked.pk}/change/"
    assert admin.get(change).status_code == 200  # shown, read-only
    data = {"year": 2022, "level3_excellent_quota": 1, "level4_excellent_quota": 1}
    data |= {
        "zero_complaint_reward_urban": "6000",
        "zero_complaint_reward_rural": "3000",
        "complaint_types": '["投诉"]',
    }
    assert admin.post(change, data).status_code == 403
    assert (
        admin.post(f"/admin/assessments/assessmentyear/{locked.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    locked.refresh_from_db()
    assert (locked.level3_excellent_quota, locked.zero_complaint_reward_urban) == (355, Decimal("5000.00"))

    open_year = ensure_year(year=2023)  # no quarter locked yet: still editable
    response = admin.post(f"/admin/assessments/assessmentyear/{open_year.pk}/change/", {**data, "year": 2023})
    assert response.status_code == 302
    open_year.refresh_from_db()
    assert open_year.zero_complaint_reward_urban == Decimal("6000.00")


def test_the_list_and_a_finalised_page_take_the_same_queries_for_more_years_and_sign_offs(
    users, evaluation, client_for
):
    client = client_for("admin")
    services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    few = (page_queries(client, "/reports/self-evaluation/"), page_queries(client, URL))
    for year in (2019, 2020, 2021):
        ensure_year(year=year)
        SelfEvaluation.objects.create(year=year)
    for reason in ("更正一", "更正二"):
        services.reopen_evaluation(user=users["admin"], evaluation=evaluation, reason=reason)
        services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    ensure_year(year=2018)  # a year without a self-evaluation, offered for creation
    assert (page_queries(client, "/reports/self-evaluation/"), page_queries(client, URL)) == few


def test_a_finalised_year_closes_its_roster_dates_until_reopened(users, roster, evaluation):
    """Only Q1 is locked, but the signed-off year counted its grids on 31 December."""
    level3 = roster["a"]["level3"]
    services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    with pytest.raises(GridError, match=r"^2022年度绩效自评已定稿，撤销日期须晚于 2022年12月31日。$"):
        grid_services.retire_grid(user=users["street"], grid=level3, retired_on=dt.date(2022, 9, 1))
    level3.refresh_from_db()
    assert level3.retired_on is None

    services.reopen_evaluation(user=users["admin"], evaluation=evaluation, reason="网格数有误")
    grid_services.retire_grid(user=users["street"], grid=level3, retired_on=dt.date(2022, 9, 1))
    level3.refresh_from_db()
    assert level3.retired_on == dt.date(2022, 9, 1)
