"""The actual values of the indicators that come from the application's own data, for a year."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q

from assessments.models import AssessmentPeriod, PeriodStatus, TicketStatus, WhistleTicket
from core.money import ZERO
from core.numbers import percent
from disbursements.models import Budget
from disbursements.selectors import paid_total
from disbursements.selectors_receipts import year_pass_on_totals
from grids.models import Grid, GridLevel
from grids.selectors import coverage


def year_values(year: int) -> dict[str, Decimal]:
    """Every computed source of the year, in a handful of queries.

    Also the amounts behind 下发到位率, which the report quotes (not sources themselves): paid_to_streets,
    of it kept_by_streets (lines paid to a street itself, nothing to pass on), and passed_to_communities.
    """
    year_end = dt.date(year, 12, 31)
    levels = dict(Grid.objects.active(on=year_end).values_list("level").annotate(n=Count("id")).order_by())
    tickets = WhistleTicket.objects.filter(collected_at__year=year).aggregate(
        collected=Count("id"), closed=Count("id", filter=Q(status=TicketStatus.CLOSED))
    )
    budget = Budget.objects.filter(year=year).first()
    executed = paid_total(budget) if budget is not None else ZERO  # net of any 追回
    pass_on = year_pass_on_totals(year)
    return {
        "grids_level1": Decimal(levels.get(GridLevel.STREET, 0)),
        "grids_level2": Decimal(levels.get(GridLevel.COMMUNITY, 0)),
        "grids_level3": Decimal(levels.get(GridLevel.LEVEL3, 0)),
        "grids_level4": Decimal(levels.get(GridLevel.LEVEL4, 0)),
        "whistle_tickets": Decimal(tickets["collected"]),
        "coverage": coverage(year_end)["rate"],
        "closure_rate": percent(tickets["closed"], tickets["collected"], when_empty=Decimal("0.00")),
        "quarters_locked": Decimal(
            AssessmentPeriod.objects.filter(year__year=year, status=PeriodStatus.LOCKED).count()
        ),
        "executed": executed,
        # Passed on to the villages/communities ÷ what was theirs of the money paid to the streets (the
        # lines paid to a street itself are the street's own: nothing to pass on), from the 到账与下发 totals.
        "pass_on_rate": percent(
            pass_on["passed"], pass_on["paid"] - pass_on["own"], when_empty=Decimal("0.00")
        ),
        "paid_to_streets": pass_on["paid"],
        "kept_by_streets": pass_on["own"],
        "passed_to_communities": pass_on["passed"],
    }
