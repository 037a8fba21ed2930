"""The leaders' dashboard and the monthly bulletin: reads over a year, each in a few queries."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    AssessmentPeriod,
    GridRating,
    HotlineComplaint,
    Rating,
    TicketStatus,
    WhistleTicket,
    ZeroComplaintResult,
)
from assessments.rules import closure_rate
from core.charts import chart_value
from core.days import day_start, moments_on, month_bounds
from disbursements.models import Budget
from disbursements.selectors import budget_summary, disbursement_chart
from disbursements.selectors_receipts import StreetHolding, street_holdings, street_parts
from grids.models import Grid, GridLevel

MONTHS = [f"{m}月" for m in range(1, 13)]
RATING_ORDER = [Rating.EXCELLENT, Rating.QUALIFIED, Rating.BASIC, Rating.UNQUALIFIED]


def monthly_tickets(year: int) -> dict[int, dict]:
    """Whistle tickets collected in each month of the year, and how many of them are closed.

    Each ticket's month is found by comparing its moment with the months' first moments in local time
    (core.days): extracting the month of every row would call a Python function per ticket on SQLite
    (5× slower on the demo's 12,857 tickets)."""
    months = [
        When(collected_at__lt=day_start(month_bounds(year, m)[1] + dt.timedelta(days=1)), then=Value(m))
        for m in range(1, 13)
    ]
    return {
        row["month"]: row
        for row in WhistleTicket.objects.filter(
            moments_on("collected_at", dt.date(year, 1, 1), dt.date(year, 12, 31))
        )
        .annotate(month=Case(*months, output_field=IntegerField()))
        .values("month")
        .annotate(collected=Count("id"), closed=Count("id", filter=Q(status=TicketStatus.CLOSED)))
        .order_by()
    }


def tickets_by_month(year: int) -> list[int]:
    counts = monthly_tickets(year)
    return [counts[m]["collected"] if m in counts else 0 for m in range(1, 13)]


def dashboard(year: int) -> dict:
    """The figures and chart data of the leaders' home page for a year."""
    budget = Budget.objects.filter(year=year).first()
    summary = budget_summary(budget) if budget else None
    periods = list(AssessmentPeriod.objects.filter(year__year=year).order_by("quarter"))
    zero = defaultdict(int)
    zero_by_street = defaultdict(int)
    for quarter, street, n in (
        ZeroComplaintResult.objects.filter(period__in=periods, is_zero=True)
        .values_list("period__quarter", "street__name")
        .annotate(n=Count("id"))
        .order_by()
    ):
        zero[quarter] += n
        zero_by_street[street] += n
    streets = list(
        Grid.objects.filter(level=GridLevel.STREET).order_by("code").values_list("name", flat=True)
    )
    ratings = defaultdict(int)
    for quarter, rating, n in (
        GridRating.objects.filter(period__in=periods)
        .values_list("period__quarter", "rating")
        .annotate(n=Count("id"))
        .order_by()
    ):
        ratings[(quarter, rating)] += n
    tickets = monthly_tickets(year)
    quarters = [f"第{q}季度" for q in range(1, 5)]
    charts = {
        "disbursed": disbursement_chart(summary)
        if summary
        else {"type": "bar", "labels": [], "datasets": []},
        "zero": {
            "type": "bar",
            "labels": quarters,
            "datasets": [{"label": "零投诉村（社区）数", "data": [zero.get(q, 0) for q in range(1, 5)]}],
        },
        "zero_streets": {
            "type": "bar",
            "labels": streets,
            "datasets": [
                {
                    "label": "全年零投诉村（社区）次数",
                    "data": [zero_by_street.get(s, 0) for s in streets],
                    "color": "#2e7d32",
                }
            ],
            "options": {"indexAxis": "y"},
        },
        "ratings": {
            "type": "bar",
            "labels": quarters,
            "datasets": [
                {"label": str(r.label), "data": [ratings.get((q, r.value), 0) for q in range(1, 5)]}
                for r in RATING_ORDER
            ],
            "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
        },
        "tickets": {
            "type": "bar",
            "labels": MONTHS,
            "datasets": [
                {
                    "label": "采集哨单",
                    "data": [tickets.get(m, {}).get("collected", 0) for m in range(1, 13)],
                    "yAxisID": "y",
                },
                {
                    "label": "办结率（%）",
                    "type": "line",
                    "data": [
                        chart_value(closure_rate(tickets[m]["closed"], tickets[m]["collected"]))
                        if m in tickets
                        else None
                        for m in range(1, 13)
                    ],
                    "yAxisID": "rate",
                    "color": "#1565c0",
                },
            ],
            "options": {"scales": {"rate": {"position": "right", "min": 0, "max": 100}}},
        },
    }
    collected = sum(row["collected"] for row in tickets.values())
    closed = sum(row["closed"] for row in tickets.values())
    return {
        "year": year,
        "summary": summary,
        "charts": charts,
        "zero_total": sum(zero.values()),
        "periods_locked": sum(1 for p in periods if p.is_locked),
        "tickets_collected": collected,
        "tickets_rate": closure_rate(closed, collected),
    }


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def pass_on_status(user, *, year: int, end: dt.date) -> dict:
    """Each street's 下发 as it stood at the bulletin's end (today, for the running month).

    The parts paid from 1 January up to that day, with the receipts and 下发 dated by then, so a past
    month's bulletin reads the same after later steps are recorded; street admins see their own street.
    """
    day = min(end, timezone.localdate())
    rows = street_holdings(street_parts(user, paid_since=dt.date(year, 1, 1), as_of=day))
    total = StreetHolding(0, _("合计"))
    for row in rows:
        for name in ("paid", "received", "passed", "owed", "open_parts", "overdue_parts"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        if row.oldest_open_days is not None:
            total.oldest_open_days = max(total.oldest_open_days or 0, row.oldest_open_days)
    return {"day": day, "rows": rows, "total": total, "overdue_days": settings.PASS_ON_OVERDUE_DAYS}


def monthly_bulletin(year: int, month: int, *, user) -> dict:
    """月度通报: per street, the month's complaints, complaint-free communities, tickets and closure rate, ranked;
    and each street's 下发 of the year's money so far, as far as the user may see it."""
    start, end = month_range(year, month)
    complaints = dict(
        HotlineComplaint.objects.counted()
        .filter(received_on__gte=start, received_on__lte=end, street__isnull=False)
        .values_list("street_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    with_complaints = defaultdict(set)
    for street_id, community_id in (
        HotlineComplaint.objects.counted()
        .filter(received_on__gte=start, received_on__lte=end, community__isnull=False)
        .values_list("street_id", "community_id")
        .distinct()
    ):
        with_complaints[street_id].add(community_id)
    communities = dict(
        Grid.objects.active(on=end)
        .filter(level=GridLevel.COMMUNITY)
        .values_list("street_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    tickets = {
        row["street_id"]: row
        for row in WhistleTicket.objects.filter(moments_on("collected_at", start, end))
        .values("street_id")
        .annotate(collected=Count("id"), closed=Count("id", filter=Q(status=TicketStatus.CLOSED)))
        .order_by()
    }
    rows = []
    for street in Grid.objects.active(on=end).filter(level=GridLevel.STREET).order_by("code"):
        t = tickets.get(street.pk, {"collected": 0, "closed": 0})
        total = communities.get(street.pk, 0)
        rows.append(
            {
                "street": street.name,
                "complaints": complaints.get(street.pk, 0),
                "communities": total,
                "zero": total - len(with_complaints[street.pk]),
                "collected": t["collected"],
                "closed": t["closed"],
                "rate": closure_rate(t["closed"], t["collected"]),
            }
        )

    # Rank: fewer complaints per community first, then the higher closure rate.
    def key(row):
        per = Decimal(row["complaints"]) / row["communities"] if row["communities"] else Decimal(0)
        return (per, -(row["rate"] or Decimal(0)))

    for rank, row in enumerate(sorted(rows, key=key), start=1):
        row["rank"] = rank
    totals = {
        "complaints": sum(r["complaints"] for r in rows),
        "communities": sum(r["communities"] for r in rows),
        "zero": sum(r["zero"] for r in rows),
        "collected": sum(r["collected"] for r in rows),
        "closed": sum(r["closed"] for r in rows),
    }
    totals["rate"] = closure_rate(totals["closed"], totals["collected"])
    return {
        "year": year,
        "month": month,
        "start": start,
        "end": end,
        "rows": rows,
        "totals": totals,
        "pass_on": pass_on_status(user, year=year, end=end),
    }
