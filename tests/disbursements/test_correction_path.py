"""A relocked paid quarter leads to its correction from the pages people look at, once, and scoped."""

import pytest

from assessments.services.periods import lock_period, unlock_period
from disbursements.exceptions import NothingChanged
from disbursements.models import BatchKind, DisbursementBatch
from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.corrections import correction_due, corrections_due, generate_correction_batch
from tests.disbursements.test_corrections import paid_q1, reopen_and_correct  # noqa: F401

DUE = "补发 2 条，追回 2 条，净额 -4,769.45 元"


@pytest.fixture
def relocked(users, roster, paid_q1):  # noqa: F811
    """Q1 paid (6,061.10 元), reopened, corrected and locked again: -4,769.45 元 to correct."""
    return reopen_and_correct(users, roster, paid_q1.period)


def test_only_a_relocked_quarter_with_other_results_is_due(users, roster, paid_q1):  # noqa: F811
    period = paid_q1.period
    assert correction_due(period) is None and corrections_due() == []  # paid, never reopened
    unlock_period(user=users["admin"], period=period, reason="复核")
    assert correction_due(period) is None  # open: nothing to correct yet
    lock_period(user=users["center"], period=period)
    assert correction_due(period) is None and corrections_due() == []  # locked again, results unchanged


def test_the_due_correction_counts_supplements_and_recoveries(relocked):
    due = correction_due(relocked)
    assert (due.supplements, due.recoveries, str(due.net)) == (2, 2, "-4769.45")
    assert [d.period for d in corrections_due()] == [relocked]
    assert corrections_due(exclude_years=[2022]) == []


def test_the_quarter_page_offers_the_correction(client_for, users, relocked):
    page = client_for("center").get(f"/assessments/periods/{relocked.pk}/").content.decode()
    assert 'id="correction-due"' in page and DUE in page
    assert 'action="/funds/batches/correct/"' in page
    page = client_for("leader").get(f"/assessments/periods/{relocked.pk}/").content.decode()
    assert DUE in page and 'action="/funds/batches/correct/"' not in page

    generate_correction_batch(user=users["center"], period=relocked)
    page = client_for("center").get(f"/assessments/periods/{relocked.pk}/").content.decode()
    assert 'id="correction-due"' not in page and "考核奖励更正（第1次）" in page


def test_an_unlocked_paid_quarter_says_how_it_is_corrected(client_for, users, paid_q1):  # noqa: F811
    unlock_period(user=users["admin"], period=paid_q1.period, reason="复核")
    page = client_for("center").get(f"/assessments/periods/{paid_q1.period_id}/").content.decode()
    assert 'id="correction-path"' in page and "重新锁定后，可在此生成更正批次" in page


def test_the_unlock_form_warns_that_a_paid_quarter_is_corrected_after_relocking(client_for, paid_q1):  # noqa: F811
    page = client_for("admin").get(f"/assessments/periods/{paid_q1.period_id}/").content.decode()
    assert "/unlock/" in page and "重新锁定后须生成更正批次" in page


def test_an_unpaid_batch_on_its_way_hides_the_unlock_form_and_says_why(client_for, users, locked_q1):
    generate_quarterly_batch(user=users["center"], period=locked_q1)
    page = client_for("admin").get(f"/assessments/periods/{locked_q1.pk}/").content.decode()
    assert 'id="unlock-refused"' in page and "请中心工作人员先作废该批次" in page
    assert f"/assessments/periods/{locked_q1.pk}/unlock/" not in page


def test_the_batch_list_offers_the_correction_until_it_is_generated(client_for, users, relocked):
    client = client_for("center")
    page = client.get("/funds/batches/").content.decode()
    assert 'id="corrections-due"' in page and f'<option value="{relocked.pk}">' in page and DUE in page
    assert 'id="corrections-due"' not in client_for("finance").get("/funds/batches/").content.decode()
    response = client.post("/funds/batches/correct/", {"period": relocked.pk})
    correction = DisbursementBatch.objects.get(kind=BatchKind.CORRECTION)
    assert response["Location"] == f"/funds/batches/{correction.pk}/"
    assert 'id="corrections-due"' not in client.get("/funds/batches/").content.decode()


def test_a_stale_second_click_logs_nothing(client_for, relocked):
    client = client_for("center")
    client.post("/funds/batches/correct/", {"period": relocked.pk})
    correction = DisbursementBatch.objects.get(kind=BatchKind.CORRECTION)
    response = client.post("/funds/batches/correct/", {"period": relocked.pk}, follow=True)
    assert response.redirect_chain[-1][0] == f"/funds/batches/{correction.pk}/"
    assert "没有变化，未重新生成" in response.content.decode()
    assert [t.action for t in correction.transitions.all()] == ["generate"]
    assert correction.lines.count() == 4


def test_regenerating_an_unchanged_quarterly_draft_logs_nothing(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    lines = set(batch.lines.values_list("pk", flat=True))
    with pytest.raises(NothingChanged, match="没有变化，未重新生成") as refused:
        generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert refused.value.batch == batch
    assert [t.action for t in batch.transitions.all()] == ["generate"]
    assert set(batch.lines.values_list("pk", flat=True)) == lines


def test_a_street_admin_sees_its_own_figures_on_a_correction(client_for, users, relocked):
    correction = generate_correction_batch(user=users["center"], period=relocked)
    page = client_for("street").get(f"/funds/batches/{correction.pk}/").content.decode()
    # Street a: paid 5,630.55 of the quarter's 6,061.10; its correction is 零投诉 recovered, a2栋 补发.
    assert "5,630.55" in page and "6,061.10" not in page
    assert "-4,969.45" in page and "-4,769.45" not in page
    page = client_for("street").get(f"/assessments/periods/{relocked.pk}/").content.decode()
    assert "5,630.55" in page and "6,061.10" not in page and 'id="correction-due"' not in page
