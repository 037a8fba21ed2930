import datetime as dt

import pytest

from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.workflow import apply_transition
from reports.demo import seed_evaluation
from reports.models import SelfEvaluation
from tests.factories import date_approval


@pytest.fixture
def evaluation(users, locked_q1):
    """The 2022 self-evaluation with the demo's indicators over a paid Q1 of 6,060.00 元."""
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    date_approval(batch, dt.date(2022, 4, 22))
    apply_transition(
        batch=batch, action="pay", user=users["finance"], paid_on=dt.date(2022, 4, 22), voucher_no="v1"
    )
    seed_evaluation(2022)
    return SelfEvaluation.objects.get(year=2022)
