"""The 拨付通知's 文号: a per-year sequence drawn when a batch is paid, never reused, never changed."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction

from disbursements.checks import notice_number_format
from disbursements.exceptions import DisbursementError
from disbursements.models import DisbursementBatch, NoticeSequence
from disbursements.services.notice_numbers import (
    assign_notice_number,
    format_notice_no,
    number_paid_batches,
)
from disbursements.services.workflow import apply_transition
from tests.disbursements.receipt_helpers import pay_special


def test_paying_numbers_the_notice_in_the_payment_years_sequence(users, roster, budget, settings):
    settings.NOTICE_NUMBER_FORMAT = "望网格〔{year}〕{number}号"
    community = roster["a"]["community"]
    first = pay_special(users, "一", [(community, "100")], paid_on=dt.date(2022, 4, 22))
    second = pay_special(users, "二", [(community, "100")], paid_on=dt.date(2022, 7, 22))
    # A batch of the 2022 budget paid in January 2023 is a 2023 document and starts that year's sequence.
    third = pay_special(users, "三", [(community, "100")], paid_on=dt.date(2023, 1, 18))
    assert [b.notice_no for b in (first, second, third)] == [
        "望网格〔2022〕1号",
        "望网格〔2022〕2号",
        "望网格〔2023〕1号",
    ]
    assert (third.notice_year, third.notice_seq) == (2023, 1)
    assert "文号 望网格〔2022〕2号" in second.transitions.get(action="pay").comment


def test_a_number_stays_when_the_pattern_changes_and_is_never_given_again(users, roster, budget, settings):
    community = roster["a"]["community"]
    first = pay_special(users, "一", [(community, "100")])
    settings.NOTICE_NUMBER_FORMAT = "望社治拨〔{year}〕第{number}号"
    assert assign_notice_number(batch=first).notice_no == "望网格〔2022〕1号"  # asked again: unchanged
    second = pay_special(users, "二", [(community, "100")])
    assert second.notice_no == "望社治拨〔2022〕第2号"
    assert NoticeSequence.objects.get(year=2022).last == 2


def test_the_database_refuses_a_number_given_twice(users, roster, budget):
    community = roster["a"]["community"]
    first = pay_special(users, "一", [(community, "100")])
    second = pay_special(users, "二", [(community, "100")])
    with pytest.raises(IntegrityError), transaction.atomic():
        DisbursementBatch.objects.filter(pk=second.pk).update(notice_seq=first.notice_seq)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisbursementBatch.objects.filter(pk=second.pk).update(notice_no=first.notice_no)


def test_an_unpaid_batch_gets_no_number(users, roster, budget):
    from disbursements.services.batches import add_special_line, create_special_batch

    batch = create_special_batch(user=users["center"], year=2022, title="待审")
    add_special_line(user=users["center"], batch=batch, payee=roster["a"]["community"], purpose="x", amount=1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    with pytest.raises(DisbursementError, match="登记拨付后才编拨付通知文号"):
        assign_notice_number(batch=batch)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisbursementBatch.objects.filter(pk=batch.pk).update(notice_year=2022, notice_seq=9, notice_no="x")


def test_a_broken_pattern_refuses_the_payment_and_writes_nothing(users, roster, budget, settings):
    settings.NOTICE_NUMBER_FORMAT = "望网格〔{yaer}〕{number}号"
    with pytest.raises(DisbursementError, match=re.escape("须含且只含 {year} 和 {number}")):
        pay_special(users, "一", [(roster["a"]["community"], "100")])
    batch = DisbursementBatch.objects.get(title="一")
    assert (batch.status, batch.paid_on, batch.notice_no) == ("approved", None, "")
    assert not NoticeSequence.objects.exists()


def test_format_notice_no_writes_the_configured_pattern():
    assert format_notice_no(year=2023, number=3, pattern="望网格〔{year}〕{number}号") == "望网格〔2023〕3号"
    assert (
        format_notice_no(year=2023, number=3, pattern="望社治拨〔{year}〕{number:03d}号")
        == "望社治拨〔2023〕003号"
    )


@pytest.mark.parametrize(
    "pattern", ["望网格{number}号", "望网格〔{year}〕号", "望网格〔{year}〕{n}号", "望网格〔{year}〕{number"]
)
def test_a_pattern_without_year_and_number_is_refused_at_start_up(settings, pattern):
    settings.NOTICE_NUMBER_FORMAT = pattern
    errors = notice_number_format()
    assert [e.id for e in errors] == ["disbursements.E001"] and pattern in errors[0].msg
    with pytest.raises(DisbursementError, match="须含且只含"):
        format_notice_no(year=2023, number=1)


def test_batches_paid_before_numbering_are_numbered_in_payment_order(users, roster, budget):
    community = roster["a"]["community"]
    later = pay_special(users, "后", [(community, "100")], paid_on=dt.date(2022, 7, 22))
    earlier = pay_special(users, "先", [(community, "100")], paid_on=dt.date(2022, 4, 22))
    DisbursementBatch.objects.update(notice_year=None, notice_seq=None, notice_no="")
    NoticeSequence.objects.all().delete()
    assert number_paid_batches() == 2
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert (earlier.notice_seq, later.notice_seq) == (1, 2)
    assert number_paid_batches() == 0  # a second run changes nothing


def test_the_batch_page_shows_the_number(client_for, users, roster, budget):
    batch = pay_special(users, "一", [(roster["a"]["community"], "100")])
    page = client_for("street").get(f"/funds/batches/{batch.pk}/").content.decode()
    assert f'<span id="notice-no" class="text-nowrap">{batch.notice_no}</span>' in page
