"""下发到位率 as a data source of the self-evaluation: what the streets passed on ÷ what of the money paid to them
was the villages'/communities' (not the lines paid to a street itself), from the center's 到账与下发 totals."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from disbursements.models import (
    BatchKind,
    BatchLine,
    BatchStatus,
    DisbursementBatch,
    LineAdjustment,
    LineCategory,
)
from reports import services
from reports.demo import seed_evaluation
from reports.exports import self_evaluation_json, self_evaluation_pdf
from reports.models import SelfEvaluation, Source
from reports.selectors import current_sign_off
from reports.sources import year_values
from tests.reports.pass_on_helpers import follow_special_batch, give_back, queries_before_and_after_more_money

URL = "/reports/self-evaluation/2022/"
SENTENCE = (
    "本年度各批次拨付到各街镇6300元，其中拨付街镇本级500元、不需下发；"
    "各街镇已下发至各村（社区）5600元，下发到位率96.55%。"
)


@pytest.fixture
def followed(users, roster, budget):
    return follow_special_batch(users, roster)


@pytest.fixture
def evaluation(followed):
    seed_evaluation(2022)
    return SelfEvaluation.objects.get(year=2022)


def test_the_rate_is_passed_on_net_of_corrections_over_the_positive_street_parts(users, roster, followed):
    values = year_values(2022)
    # 3,000 + 2,000 − 200 + 800 passed on, of 5,500 + 800 paid to the streets; 500 of it is street a's own,
    # so 5,600 of the communities' 5,800.
    assert values["paid_to_streets"] == Decimal("6300.00")
    assert values["kept_by_streets"] == Decimal("500.00")
    assert values["passed_to_communities"] == Decimal("5600.00")
    assert values["pass_on_rate"] == Decimal("96.55")


def test_a_recovery_from_a_street_has_nothing_to_receive_and_does_not_count(
    users, roster, followed, locked_q1
):
    recovery = DisbursementBatch.objects.create(
        budget=followed["batch"].budget,
        kind=BatchKind.CORRECTION,
        period=locked_q1,
        title="更正",
        status=BatchStatus.PAID,
        total=Decimal("-300.00"),
        paid_on=dt.date(2022, 6, 1),
        voucher_no="V-2",
        created_by=users["center"],
    )
    BatchLine.objects.create(
        batch=recovery,
        category=LineCategory.SPECIAL,
        street=roster["b"]["street"],
        community=roster["b"]["community"],
        reason="追回",
        amount=Decimal("-300.00"),
        adjustment=LineAdjustment.RECOVERY,
    )
    assert year_values(2022)["paid_to_streets"] == Decimal("6300.00")
    assert year_values(2022)["pass_on_rate"] == Decimal("96.55")


def test_only_the_years_paid_batches_count(users, roster, followed):
    from disbursements.services.batches import add_special_line, create_special_batch

    draft = create_special_batch(user=users["center"], year=2022, title="未拨付")
    add_special_line(
        user=users["center"], batch=draft, payee=roster["b"]["community"], purpose="x", amount=Decimal("900")
    )
    assert year_values(2022)["paid_to_streets"] == Decimal("6300.00")
    assert year_values(2023)["paid_to_streets"] == Decimal("0.00")
    assert year_values(2023)["pass_on_rate"] == Decimal("0.00")


def test_the_rate_is_the_holdings_pages_figure(client_for, users, roster, followed):
    holdings = client_for("center").get("/funds/receipts/?year=2022").context["holdings"]
    paid = sum(row.paid for row in holdings)
    passed = sum(row.passed for row in holdings)
    assert (paid, passed) == (Decimal("6300.00"), Decimal("5600.00"))
    values = year_values(2022)
    assert (values["paid_to_streets"], values["passed_to_communities"]) == (paid, passed)
    own = sum(p.own for p in client_for("center").get("/funds/receipts/?year=2022").context["parts"])
    assert values["kept_by_streets"] == own == Decimal("500.00")
    assert values["pass_on_rate"] == (passed * 100 / (paid - own)).quantize(Decimal("0.01"))


def test_the_source_takes_the_same_queries_for_more_batches_and_streets(users, roster, followed):
    before, after = queries_before_and_after_more_money(users, lambda: year_values(2022))
    assert after == before


def test_an_indicator_picks_the_rate_on_the_indicator_page(client_for, evaluation):
    closure = evaluation.indicators.get(name="哨单办结率")
    data = {"target": "97", "target_text": "≥97%", "points": "10", "source": Source.PASS_ON_RATE}
    client = client_for("center")
    assert "下发到位率（%）" in client.get(f"{URL}indicators/{closure.pk}/").content.decode()
    assert client.post(f"{URL}indicators/{closure.pk}/", data).status_code == 302
    closure.refresh_from_db()
    assert closure.source == Source.PASS_ON_RATE
    row = client.get(f"{URL}indicators/{closure.pk}/").context["row"]
    # 96.55% against a 97% target: 10 × 96.55 ÷ 97 = 9.95 points.
    assert (row["actual"], row["actual_text"], row["score"]) == (Decimal("96.55"), "96.55%", Decimal("9.95"))


def test_the_report_says_how_much_was_passed_on(client_for, evaluation):
    page = client_for("center").get(URL).content.decode()
    assert SENTENCE in page
    assert self_evaluation_json(evaluation)["values"]["pass_on_rate"] == "96.55"


def test_the_report_is_silent_on_pass_on_without_money_paid_to_streets(client_for, users, budget):
    seed_evaluation(2022)
    page = client_for("center").get(URL).content.decode()
    assert "拨付到各街镇，下发至各村（社区）二级网格" in page and "下发到位率" not in page


@pytest.mark.slow
def test_a_finalised_year_keeps_its_signed_off_rate_after_later_pass_on(users, roster, followed, evaluation):
    closure = evaluation.indicators.get(name="哨单办结率")
    services.update_indicator(user=users["center"], indicator=closure, data={"source": Source.PASS_ON_RATE})
    sign_off = services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    assert sign_off.figures["values"]["pass_on_rate"] == "96.55" and SENTENCE in sign_off.html

    # The street gives its second community back the 200 after the year was signed off.
    give_back(users, followed, dt.date(2023, 3, 1))
    assert year_values(2022)["pass_on_rate"] == Decimal("100.00")  # 5,800 ÷ 5,800: the data moved on
    evaluation.refresh_from_db()
    assert current_sign_off(evaluation) == sign_off
    json = self_evaluation_json(evaluation)
    assert json["values"]["pass_on_rate"] == "96.55"
    assert next(i for i in json["indicators"] if i["name"] == "哨单办结率")["actual"] == "96.55%"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(self_evaluation_pdf(evaluation))).pages)
    text = text.replace("\n", "").replace(" ", "")
    assert "下发到位率96.55%" in text and "下发到位率100.00%" not in text
