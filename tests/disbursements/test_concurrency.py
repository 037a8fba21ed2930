"""Concurrent approvals in real transactions on PostgreSQL.

SQLite serialises every write to the whole database, so row locks only matter on PostgreSQL;
this module runs in the PostgreSQL pass of the suite (DATABASE_URL=postgres://...).
"""

import io
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from disbursements.exceptions import BudgetExceeded, InvalidTransition
from disbursements.models import BatchStatus, Budget, DisbursementBatch, NoticeSequence
from disbursements.selectors import committed_total
from disbursements.services.batches import add_special_line, create_special_batch
from disbursements.services.workflow import apply_transition
from tests.assessments.helpers import workbook
from tests.factories import StreetFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are exercised on PostgreSQL"),
]


def run_together(*calls):
    """Start the calls in threads at the same instant; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome is what the test asserts
            results[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def people(db):
    return {
        "center": UserFactory(role="中心工作人员"),
        "finance1": UserFactory(role="财务审核员"),
        "finance2": UserFactory(role="财务审核员"),
    }


def submitted_batch(people, title, amount):
    batch = create_special_batch(user=people["center"], year=2022, title=title)
    add_special_line(user=people["center"], batch=batch, payee=StreetFactory(), purpose="专项", amount=amount)
    return apply_transition(batch=batch, action="submit", user=people["center"])


@pytest.mark.parametrize("attempt", range(5))
def test_two_officers_approving_different_batches_never_exceed_the_budget(people, attempt):
    Budget.objects.create(year=2022, amount=Decimal("1000.00"))
    first = submitted_batch(people, "甲", Decimal("600.00"))
    second = submitted_batch(people, "乙", Decimal("600.00"))
    outcomes = run_together(
        lambda: apply_transition(batch=first, action="approve", user=people["finance1"]),
        lambda: apply_transition(batch=second, action="approve", user=people["finance2"]),
    )
    approved = [o for o in outcomes if isinstance(o, DisbursementBatch)]
    refused = [o for o in outcomes if isinstance(o, BudgetExceeded)]
    assert (len(approved), len(refused)) == (1, 1), outcomes
    assert committed_total(Budget.objects.get(year=2022)) == Decimal("600.00")
    assert DisbursementBatch.objects.filter(status=BatchStatus.APPROVED).count() == 1


@pytest.mark.parametrize("attempt", range(5))
def test_approving_the_same_batch_twice_at_once_has_one_effect(people, attempt):
    Budget.objects.create(year=2022, amount=Decimal("1000.00"))
    batch = submitted_batch(people, "丙", Decimal("600.00"))
    outcomes = run_together(
        lambda: apply_transition(batch=batch, action="approve", user=people["finance1"]),
        lambda: apply_transition(batch=batch, action="approve", user=people["finance2"]),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["DisbursementBatch", "InvalidTransition"], outcomes
    assert batch.transitions.filter(action="approve").count() == 1
    assert committed_total(Budget.objects.get(year=2022)) == Decimal("600.00")
    assert isinstance(next(o for o in outcomes if not isinstance(o, DisbursementBatch)), InvalidTransition)


@pytest.mark.parametrize("attempt", range(3))
def test_a_double_clicked_import_confirm_imports_once(people, attempt):
    """Two confirms of one preview at the same instant: one imports, the other is told it is done."""
    Budget.objects.create(year=2022, amount=Decimal("1000000.00"))
    street = StreetFactory(name="甲街道")
    batch = create_special_batch(user=people["center"], year=2022, title="专项")
    client = Client()
    client.force_login(people["center"])
    upload = io.BytesIO(workbook(["收款单位", "用途", "金额"], [[street.code, "培训", 500]]))
    upload.name = "专项.xlsx"
    preview = client.post(f"/funds/batches/{batch.pk}/lines/import", {"file": upload})["Location"]

    def confirm():
        one = Client()
        one.force_login(people["center"])
        return one.post(preview).status_code

    assert run_together(confirm, confirm) == [302, 302]
    batch.refresh_from_db()
    assert batch.lines.count() == 1
    assert batch.total == Decimal("500.00")


@pytest.mark.parametrize("attempt", range(3))
def test_two_payments_at_once_draw_different_notice_numbers(people, attempt):
    """The first payments of a year race to create its sequence and to draw from it: 1 and 2, no gap."""
    Budget.objects.create(year=2022, amount=Decimal("1000.00"))
    batches = []
    for title in ("丁", "戊"):
        batch = submitted_batch(people, title, Decimal("100.00"))
        batches.append(apply_transition(batch=batch, action="approve", user=people["finance1"]))
    paid_on = timezone.localdate()
    outcomes = run_together(
        *(
            lambda b=b: apply_transition(
                batch=b, action="pay", user=people["finance2"], paid_on=paid_on, voucher_no=b.title
            )
            for b in batches
        )
    )
    assert all(isinstance(o, DisbursementBatch) for o in outcomes), outcomes
    numbers = sorted(DisbursementBatch.objects.values_list("notice_year", "notice_seq"))
    assert numbers == [(paid_on.year, 1), (paid_on.year, 2)]
    assert NoticeSequence.objects.get(year=paid_on.year).last == 2
