"""Demo disbursements for 2022: the budget and five paid batches, each received and passed on in full.

Each quarterly batch is computed by the real generator from the locked demo quarters and carried
through the real workflow (prepared by center staff, approved and paid by a finance officer); its
total is whatever the generator computes (891,650 / 709,200 / 717,750 / 999,000 元 for 2022).
The year-end special batch holds the report's 示范社区“雷锋哨”阵地建设经费 and 三级网格指导员奖励资金.
Every street confirms its part of each batch 2 to 6 days after payment and passes every village's or
community's share on in full 2 to 7 days later, so that the money is followed to the end within two weeks.
In the next year, opened by reports, one paid batch is still held by two streets (seed_held_money).
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessments.models import AssessmentPeriod
from core.apportion import apportion
from core.models import User
from core.roles import Role
from disbursements.models import BatchKind, Budget, DisbursementBatch
from disbursements.selectors_receipts import street_parts
from disbursements.services.batches import add_special_line, create_special_batch, generate_quarterly_batch
from disbursements.services.notice_numbers import number_paid_batches
from disbursements.services.receipts import PassOnEntry, confirm_receipt, pass_on
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
    # Paying numbers a batch's notice; this also numbers batches paid before notices had a 文号.
    numbered = number_paid_batches()
    return {"paid batches": paid, "notices numbered": numbered, **seed_receipts(year)}


def _street_clerk(street: Grid) -> User:
    """The street's demo admin (street, street2), or a clerk account that cannot log in for the others."""
    clerk = (
        User.objects.filter(street=street, groups__name=Role.STREET_ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )
    if clerk is None:
        clerk = User(username=f"clerk-{street.code}", name=f"{street.name}经办人（演示）", street=street)
        clerk.set_unusable_password()
        clerk.save()
        clerk.groups.add(Group.objects.get(name=Role.STREET_ADMIN))
    return clerk


def _date_last_step(batch: DisbursementBatch, action: str, day: dt.date) -> None:
    step = batch.transitions.filter(action=action).order_by("-pk").first()
    step.at = dt.datetime.combine(day, dt.time(15, 0), tzinfo=timezone.get_default_timezone())
    step.save(update_fields=["at"])


def seed_receipts(year: int, *, holding: dict[str, int | None] | None = None) -> dict:
    """Have every street confirm its part of each paid batch of the year and pass each share on in full.

    holding: streets (by name) that keep money back: None has not confirmed receipt, n has confirmed and
    left its last n communities' shares unpassed.
    """
    holding = holding or {}
    center = User.objects.get(username="center")
    streets = Grid.objects.filter(level=GridLevel.STREET).in_bulk()
    clerks: dict[int, User] = {}
    received = passed = 0
    for part in street_parts(center, year=year):
        if part.receipt and not part.pending:
            continue
        street = streets[part.street_id]
        if street.name in holding and holding[street.name] is None:
            continue
        if street.pk not in clerks:
            clerks[street.pk] = _street_clerk(street)
        clerk = clerks[street.pk]
        # Spread over the streets, deterministic: received 2 to 6 days after payment, passed on 2 to 7 later.
        offset = int(street.code[-2:]) if street.code[-2:].isdigit() else street.pk
        received_on = part.batch.paid_on + dt.timedelta(days=2 + offset % 5)
        passed_on = received_on + dt.timedelta(days=2 + offset % 6)
        receipt = part.receipt
        if receipt is None:
            receipt = confirm_receipt(
                user=clerk,
                batch=part.batch,
                street=street,
                received_on=received_on,
                voucher_no=f"HZ{received_on:%Y%m%d}-{street.code}",
            )
            _date_last_step(part.batch, "receive", received_on)
            received += 1
        pending = part.pending[: len(part.pending) - holding.get(street.name, 0)]
        entries = [PassOnEntry(share.community_id, share.due) for share in pending]
        if entries:
            pass_on(
                user=clerk,
                receipt=receipt,
                passed_on=passed_on,
                voucher_no=f"XF{passed_on:%Y%m%d}-{street.code}",
                entries=entries,
            )
            _date_last_step(part.batch, "pass_on", passed_on)
            passed += len(entries)
    return {"street receipts": received, "passed on": passed}


HELD_TITLE = "{year}年村（社区）“雷锋哨”阵地运维补助（第一批）"
HELD_PER_COMMUNITY = Decimal("1500.00")
# Who still holds the next year's money: the two demo street admins' streets, so that each sees its to-do
# and the center's overdue list is not empty. 高塘岭 confirmed receipt and kept three shares back; 喻家坡 has
# not confirmed receipt.
HOLDING = {"高塘岭街道": 3, "喻家坡街道": None}


@transaction.atomic
def seed_held_money(year: int) -> dict:
    """A paid special batch of the newly opened year: every community's share, passed on by all but two streets."""
    budget = Budget.objects.get(year=year)
    title = HELD_TITLE.format(year=year)
    if budget.batches.live().filter(title=title).exists():
        return {"paid batches": 0}
    center = User.objects.get(username="center")
    paid_on = dt.date(year, 4, 14)
    batch = create_special_batch(user=center, year=year, title=title)
    for community in Grid.objects.active(on=paid_on).filter(level=GridLevel.COMMUNITY).order_by("code"):
        add_special_line(
            user=center,
            batch=batch,
            payee=community,
            purpose="“雷锋哨”阵地运维补助",
            amount=HELD_PER_COMMUNITY,
        )
    carry_to_paid(batch, center, User.objects.get(username="finance"), paid_on, f"{year}-ZX-01")
    return {"paid batches": 1, **seed_receipts(year, holding=HOLDING)}
