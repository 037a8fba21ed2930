"""Demo disbursements for 2022: the budget and five paid batches.

Each quarterly batch is computed by the real generator from the locked demo quarters and carried
through the real workflow (prepared by center staff, approved and paid by a finance officer); its
total is whatever the generator computes (891,650 / 709,200 / 717,750 / 999,000 元 for 2022).
The year-end special batch holds the report's 示范社区“雷锋哨”阵地建设经费 and 三级网格指导员奖励资金.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessments.models import AssessmentPeriod
from core.apportion import apportion
from core.models import User
from disbursements.models import BatchKind, Budget, DisbursementBatch
from disbursements.services.batches import add_special_line, create_special_batch, generate_quarterly_batch
from disbursements.services.workflow import apply_transition
from grids.models import CommunityKind, Grid, GridLevel, GridStaff, StaffRole

BUDGETS = {2022: Decimal("4000000.00")}
PAY_DATES = {
    1: dt.date(2022, 4, 22),
    2: dt.date(2022, 7, 22),
    3: dt.date(2022, 10, 21),
    4: dt.date(2023, 1, 18),
}
SPECIAL_TITLE = "2022年度示范社区“雷锋哨”阵地建设经费及三级网格指导员奖励资金"
SPECIAL_PAID_ON = dt.date(2023, 1, 20)
MODEL_COMMUNITIES = 20
MODEL_COMMUNITY_FUNDS = Decimal("10000.00")
INSTRUCTOR_FUNDS = 200000


# How many days before the payment each step of a demo batch is dated, and its preparation.
DAYS_BEFORE_PAYMENT = {"submit": 7, "approve": 5, "pay": 0}
PREPARED_DAYS_BEFORE = 9


def carry_to_paid(
    batch: DisbursementBatch, center, finance, paid_on: dt.date, voucher: str
) -> DisbursementBatch:
    """Submit, approve and pay a batch on a past day, dating its timeline around the payment day.

    For replaying a past year (the demo, the benchmarks, tests): the steps before the payment are
    dated first, as a payment may not precede its approval.
    """
    apply_transition(batch=batch, action="submit", user=center)
    apply_transition(batch=batch, action="approve", user=finance, comment="经审核，金额与考核结果一致。")
    _date_steps(batch, paid_on)
    batch = apply_transition(batch=batch, action="pay", user=finance, paid_on=paid_on, voucher_no=voucher)
    _date_steps(batch, paid_on)
    return batch


def _date_steps(batch: DisbursementBatch, paid_on: dt.date) -> None:
    zone = timezone.get_default_timezone()

    def before(days: int) -> dt.datetime:
        return dt.datetime.combine(paid_on - dt.timedelta(days=days), dt.time(10, 30), tzinfo=zone)

    batch.transitions.exclude(action__in=DAYS_BEFORE_PAYMENT).update(at=before(PREPARED_DAYS_BEFORE))
    for action, days in DAYS_BEFORE_PAYMENT.items():
        batch.transitions.filter(action=action).update(at=before(days))


def _special_lines(batch, center) -> None:
    urban = Grid.objects.filter(level=GridLevel.COMMUNITY, kind=CommunityKind.URBAN).order_by("code")
    for community in urban[:MODEL_COMMUNITIES]:
        add_special_line(
            user=center,
            batch=batch,
            payee=community,
            purpose="示范社区“雷锋哨”阵地建设经费",
            amount=MODEL_COMMUNITY_FUNDS,
        )
    streets = list(Grid.objects.filter(level=GridLevel.STREET).order_by("code"))
    instructors = dict(
        GridStaff.objects.serving(dt.date(batch.budget.year, 12, 31))
        .filter(role=StaffRole.INSTRUCTOR)
        .values_list("grid__street_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    shares = apportion(INSTRUCTOR_FUNDS, [instructors.get(s.pk, 0) for s in streets])
    for street, share in zip(streets, shares, strict=True):
        if share:
            add_special_line(
                user=center,
                batch=batch,
                payee=street,
                purpose=f"三级网格指导员奖励资金（{instructors.get(street.pk, 0)} 名）",
                amount=Decimal(share),
            )


@transaction.atomic
def seed_disbursements(year: int) -> dict:
    """Create the year's budget and carry each locked quarter (and the special batch) to paid, where missing."""
    center = User.objects.get(username="center")
    finance = User.objects.get(username="finance")
    budget, _created = Budget.objects.get_or_create(year=year, defaults={"amount": BUDGETS[year]})
    paid = 0
    for period in AssessmentPeriod.objects.filter(year__year=year, status="locked").order_by("quarter"):
        if DisbursementBatch.objects.live().filter(period=period).exists():
            continue
        batch = generate_quarterly_batch(user=center, period=period)
        carry_to_paid(batch, center, finance, PAY_DATES[period.quarter], f"{year}-JL-{period.quarter:02d}")
        paid += 1
    if not budget.batches.live().filter(kind=BatchKind.SPECIAL, title=SPECIAL_TITLE).exists():
        batch = create_special_batch(user=center, year=year, title=SPECIAL_TITLE)
        _special_lines(batch, center)
        carry_to_paid(batch, center, finance, SPECIAL_PAID_ON, f"{year}-ZX-01")
        paid += 1
    # The next year's budget is made when reports opens it (reports.demo.seed_next_year).
    return {"paid batches": paid}
