"""A paid quarter corrected: reopened with a reason, results changed, relocked, 补发 and 追回 paid net."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from assessments.entries import RatingInput
from assessments.exceptions import AssessmentError
from assessments.models import HotlineComplaint, RatingReward
from assessments.services.periods import lock_period, unlock_period
from assessments.services.ratings import save_ratings
from disbursements import exports
from disbursements.exceptions import BudgetExceeded, DisbursementError, NothingChanged
from disbursements.models import BatchKind, BatchLine, BatchStatus, DisbursementBatch
from disbursements.selectors import budget_summary
from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.budgets import add_budget_adjustment
from disbursements.services.corrections import generate_correction_batch
from disbursements.services.workflow import apply_transition
from reports.demo import seed_evaluation
from reports.models import SelfEvaluation
from reports.selectors import evaluation_figures
from reports.sources import year_values
from tests.factories import date_approval

PAID_ON = dt.date(2022, 4, 22)


def carry(batch, users, *, until="paid", voucher="记-1"):
    apply_transition(batch=batch, action="submit", user=users["center"])
    if until == "submitted":
        return batch
    apply_transition(batch=batch, action="approve", user=users["finance"])
    date_approval(batch, PAID_ON)
    if until == "approved":
        return batch
    return apply_transition(
        batch=batch, action="pay", user=users["finance"], paid_on=PAID_ON, voucher_no=voucher
    )


@pytest.fixture
def paid_q1(users, locked_q1):
    """Q1 paid with a 四级网格合格 reward of 30.55 元, so that amounts have 角 and 分: 6,061.10 元."""
    RatingReward.objects.filter(year=locked_q1.year, level=4, rating="qualified").update(
        amount=Decimal("30.55")
    )
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert batch.total == Decimal("6061.10")
    return carry(batch, users)


def reopen_and_correct(users, roster, period):
    """Reopen with a reason; street a's community gets a complaint, three ratings change; relock."""
    unlock_period(user=users["admin"], period=period, reason="街道复核：考核结果更正")
    a, b = roster["a"], roster["b"]
    HotlineComplaint.objects.create(
        ticket_no="C-2",
        received_at=dt.datetime(2022, 3, 1, 2, tzinfo=dt.UTC),
        received_on=dt.date(2022, 3, 1),
        street=a["street"],
        community=a["community"],
    )
    save_ratings(
        user=users["center"],
        period=period,
        entries=[
            RatingInput(a["level4"][1].pk, "qualified"),  # 基本合格 0 → 合格 30.55
            RatingInput(b["level3"].pk, "excellent"),  # 合格 100 → 优秀 600
            RatingInput(b["level4"][0].pk, "basic"),  # 优秀 300 → 基本合格 0
        ],
    )
    return lock_period(user=users["center"], period=period)


def test_a_paid_quarter_is_reopened_and_its_correction_pays_the_difference(users, roster, paid_q1):
    period = reopen_and_correct(users, roster, paid_q1.period)
    # A later change of the year's rules is not the quarter's rule: the correction uses the batch's.
    RatingReward.objects.filter(year=period.year, level=3, rating="excellent").update(amount=Decimal("999"))
    correction = generate_correction_batch(user=users["center"], period=period)

    assert (correction.kind, correction.status, correction.period) == (BatchKind.CORRECTION, "draft", period)
    lines = {
        (line.grid or line.community).name: (line.adjustment, line.amount, line.reason, line.rule)
        for line in correction.lines.select_related("community", "grid")
    }
    assert lines == {
        "a社区": (
            "recovery",
            Decimal("-5000.00"),
            "2022年第1季度更正：零投诉→有投诉（1 件）",
            "应发 0.00 元，已发 5,000.00 元",
        ),
        "a2栋": (
            "supplement",
            Decimal("30.55"),
            "2022年第1季度更正：四级网格基本合格→合格",
            "应发 30.55 元，已发 0.00 元",
        ),
        "b小区": (
            "supplement",
            Decimal("500.00"),
            "2022年第1季度更正：三级网格合格→优秀",
            "应发 600.00 元，已发 100.00 元",
        ),
        "b1栋": (
            "recovery",
            Decimal("-300.00"),
            "2022年第1季度更正：四级网格优秀→基本合格",
            "应发 0.00 元，已发 300.00 元",
        ),
    }
    assert correction.total == Decimal("-4769.45")
    # Each line points at the result that changed.
    by_name = {(x.grid or x.community).name: x for x in correction.lines.select_related("community", "grid")}
    assert by_name["a社区"].zero_result.community == roster["a"]["community"]
    assert by_name["b小区"].rating.grid == roster["b"]["level3"]
    assert by_name["b小区"].rating.rating == "excellent"

    # The same maker-checker workflow: center staff prepare, only finance approves and pays.
    apply_transition(batch=correction, action="submit", user=users["center"])
    with pytest.raises(PermissionDenied):
        apply_transition(batch=correction, action="approve", user=users["center"])
    carry_rest = apply_transition(batch=correction, action="approve", user=users["finance"])
    date_approval(carry_rest, PAID_ON)
    carry_rest = apply_transition(
        batch=carry_rest, action="pay", user=users["finance"], paid_on=PAID_ON, voucher_no="记-更1"
    )
    assert carry_rest.status == BatchStatus.PAID
    assert [t.action for t in carry_rest.transitions.all()] == ["generate", "submit", "approve", "pay"]

    net = Decimal("6061.10") - Decimal("4769.45")
    summary = budget_summary(paid_q1.budget)
    assert (summary["paid"], summary["quarters"][0]["paid"], summary["remaining"]) == (
        net,
        net,
        Decimal("4000000.00") - net,
    )
    assert year_values(2022)["executed"] == Decimal("1291.65")
    seed_evaluation(2022)
    figures = evaluation_figures(SelfEvaluation.objects.get(year=2022))
    assert (figures["quarters"][0], figures["executed"], figures["funds"][0]["executed"]) == (net, net, net)

    # Once paid, the quarter is settled: nothing more to correct, and no empty batch is made.
    with pytest.raises(DisbursementError, match="没有需要补发或追回的款项"):
        generate_correction_batch(user=users["center"], period=period)
    assert DisbursementBatch.objects.filter(kind=BatchKind.CORRECTION).count() == 1


def test_a_second_correction_counts_what_the_first_one_paid(users, roster, paid_q1):
    period = reopen_and_correct(users, roster, paid_q1.period)
    carry(generate_correction_batch(user=users["center"], period=period), users, voucher="记-更1")
    unlock_period(user=users["admin"], period=period, reason="再次复核")
    save_ratings(
        user=users["center"], period=period, entries=[RatingInput(roster["b"]["level4"][0].pk, "qualified")]
    )
    lock_period(user=users["center"], period=period)
    second = generate_correction_batch(user=users["center"], period=period)
    assert [(x.grid.name, x.amount, x.reason) for x in second.lines.select_related("grid")] == [
        ("b1栋", Decimal("30.55"), "2022年第1季度更正：四级网格基本合格→合格")
    ]
    assert second.title == "2022年第1季度考核奖励更正（第2次）"


def test_a_draft_correction_is_regenerated_and_only_one_is_open_at_a_time(users, roster, paid_q1):
    period = reopen_and_correct(users, roster, paid_q1.period)
    first = generate_correction_batch(user=users["center"], period=period)
    with pytest.raises(NothingChanged) as unchanged:  # the locked results cannot change under a draft
        generate_correction_batch(user=users["center"], period=period)
    assert unchanged.value.batch == first and first.lines.count() == 4
    apply_transition(batch=first, action="submit", user=users["center"])
    with pytest.raises(DisbursementError, match=r"已有更正批次.*（已提交），须登记拨付或退回后才能再生成"):
        generate_correction_batch(user=users["center"], period=period)
    with transaction.atomic(), pytest.raises(IntegrityError):
        DisbursementBatch.objects.create(
            budget=paid_q1.budget,
            kind=BatchKind.CORRECTION,
            period=period,
            title="x",
            created_by=users["center"],
        )


def test_refusals_explain_the_correction_path(users, roster, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    with pytest.raises(AssessmentError, match="（草稿）中，不能解锁：请中心工作人员先作废该批次"):
        unlock_period(user=users["admin"], period=locked_q1, reason="x")
    with pytest.raises(DisbursementError, match="尚未拨付：更正只用于已拨付的季度"):
        generate_correction_batch(user=users["center"], period=locked_q1)
    carry(batch, users, until="submitted")
    with pytest.raises(AssessmentError, match="请财务审核员先退回该批次"):
        unlock_period(user=users["admin"], period=locked_q1, reason="x")
    with pytest.raises(DisbursementError, match="请财务审核员退回后再按考核结果重新生成"):
        generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="approve", user=users["finance"])
    date_approval(batch, PAID_ON)
    with pytest.raises(AssessmentError, match="请财务审核员先登记拨付，再解锁"):
        unlock_period(user=users["admin"], period=locked_q1, reason="x")
    apply_transition(batch=batch, action="pay", user=users["finance"], paid_on=PAID_ON, voucher_no="v")
    with pytest.raises(DisbursementError, match=r"已拨付的批次不再改动.*生成更正批次"):
        generate_quarterly_batch(user=users["center"], period=locked_q1)
    with pytest.raises(DisbursementError, match="没有需要补发或追回的款项"):
        generate_correction_batch(user=users["center"], period=locked_q1)
    with pytest.raises(AssessmentError, match="解锁必须填写理由"):
        unlock_period(user=users["admin"], period=locked_q1, reason="")
    period = unlock_period(user=users["admin"], period=locked_q1, reason="复核")
    assert not period.is_locked
    with pytest.raises(DisbursementError, match="尚未重新锁定"):
        generate_correction_batch(user=users["center"], period=period)
    with pytest.raises(PermissionDenied):
        generate_correction_batch(user=users["finance"], period=period)
    assert not DisbursementBatch.objects.filter(kind=BatchKind.CORRECTION).exists()


def test_an_unpaid_correction_blocks_reopening_until_it_is_settled(users, roster, paid_q1):
    period = reopen_and_correct(users, roster, paid_q1.period)
    correction = generate_correction_batch(user=users["center"], period=period)
    with pytest.raises(
        AssessmentError, match="更正（第1次）”（草稿）中，不能解锁：请中心工作人员先作废该批次"
    ):
        unlock_period(user=users["admin"], period=period, reason="x")
    apply_transition(batch=correction, action="cancel", user=users["center"], comment="重新核对")
    assert unlock_period(user=users["admin"], period=period, reason="再核").is_locked is False


def test_a_positive_correction_is_checked_against_the_full_year_budget(users, roster, paid_q1):
    budget = paid_q1.budget
    budget.amount = Decimal("6100.00")
    budget.save()
    period = paid_q1.period
    unlock_period(user=users["admin"], period=period, reason="复核")
    save_ratings(
        user=users["center"], period=period, entries=[RatingInput(roster["b"]["level3"].pk, "excellent")]
    )
    lock_period(user=users["center"], period=period)
    correction = carry(
        generate_correction_batch(user=users["center"], period=period), users, until="submitted"
    )
    with pytest.raises(BudgetExceeded, match=r"本批次 500\.00 元"):
        apply_transition(batch=correction, action="approve", user=users["finance"])
    add_budget_adjustment(
        user=users["center"],
        budget=budget,
        amount=Decimal("1000"),
        adjusted_on=dt.date(2022, 6, 1),
        document_no="望财预〔2022〕12号",
        reason="追加考核奖励",
    )
    assert apply_transition(batch=correction, action="approve", user=users["finance"]).status == "approved"


def test_negative_amounts_only_on_correction_lines(users, paid_q1):
    line = paid_q1.lines.first()
    with transaction.atomic(), pytest.raises(IntegrityError):
        BatchLine.objects.filter(pk=line.pk).update(amount=Decimal("-1.00"))
    with transaction.atomic(), pytest.raises(IntegrityError):
        BatchLine.objects.filter(pk=line.pk).update(adjustment="supplement", amount=Decimal("-1.00"))
    with transaction.atomic(), pytest.raises(IntegrityError):
        DisbursementBatch.objects.filter(pk=paid_q1.pk).update(total=Decimal("-1.00"))


def test_recoveries_read_sensibly_on_the_page_the_export_and_the_street_view(
    users, roster, paid_q1, client_for
):
    period = reopen_and_correct(users, roster, paid_q1.period)
    correction = generate_correction_batch(user=users["center"], period=period)

    page = client_for("center").get(f"/funds/batches/{correction.pk}/").content.decode()
    assert "更正批次" in page and "追回" in page and "-5,000.00" in page and "-4,769.45" in page
    paid_page = client_for("center").get(f"/funds/batches/{paid_q1.pk}/").content.decode()
    assert "按考核结果生成更正批次" in paid_page and correction.title in paid_page

    book = load_workbook(BytesIO(exports.batch_workbook(users["center"], correction)))
    sheet = book["拨付明细"]
    rows = list(sheet.iter_rows(values_only=True))[2:]  # below the title and the batch's facts
    assert rows[0] == ("街镇", "村（社区）", "网格编码", "网格", "类别", "更正", "事由", "标准", "金额（元）")
    a_community = next(r for r in rows if r[1] == "a社区" and not r[3])  # its zero-complaint line
    assert (a_community[5], a_community[8]) == ("追回", -5000)
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][8])) == Decimal("-4769.45")

    street = client_for("street").get(f"/funds/batches/{correction.pk}/").content.decode()
    # Street a sees only its own lines: 追回 5,000.00 for its community, 补发 30.55 for a2栋.
    assert "-4,969.45" in street and "b小区" not in street


def test_the_batch_page_generates_a_correction_and_explains_a_refusal(users, roster, paid_q1, client_for):
    period = paid_q1.period
    assert client_for("street").post("/funds/batches/correct/", {"period": period.pk}).status_code == 403
    client = client_for("center")
    response = client.post("/funds/batches/correct/", {"period": period.pk})
    assert response["Location"] == f"/funds/batches/{paid_q1.pk}/"
    assert "没有需要补发或追回的款项" in client.get(response["Location"]).content.decode()

    reopen_and_correct(users, roster, period)
    response = client.post("/funds/batches/correct/", {"period": period.pk})
    correction = DisbursementBatch.objects.get(kind=BatchKind.CORRECTION)
    assert response["Location"] == f"/funds/batches/{correction.pk}/"
    assert "净额 -4,769.45 元" in client.get(response["Location"]).content.decode()
