from collections import defaultdict

from django.db.models import Count, Max, Q
from django.utils import timezone

from assessments import rules
from assessments.models import AssessmentPeriod, TicketStatus, WhistleTicket
from core.days import moments_on
from grids.models import Grid, GridLevel


def tickets_for_table(user):
    return WhistleTicket.objects.for_user(user).select_related("grid", "street").order_by("-collected_at")


def ticket_detail(user, pk: int) -> WhistleTicket:
    return WhistleTicket.objects.for_user(user).select_related("grid", "street", "grid__community").get(pk=pk)


def statistics_period(user, periods: list[AssessmentPeriod]) -> AssessmentPeriod | None:
    """The quarter the statistics open on: the one of the user's latest ticket, else the latest begun one.

    periods: newest first. An empty future quarter would show only zeros.
    """
    latest = WhistleTicket.objects.for_user(user).aggregate(at=Max("collected_at"))["at"]
    day = timezone.localtime(latest).date() if latest else timezone.localdate()
    begun = [p for p in periods if p.starts_on <= day]
    return next(
        (p for p in begun if day <= p.ends_on), begun[0] if begun else periods[-1] if periods else None
    )


def ticket_statistics(user, period: AssessmentPeriod) -> dict:
    """Per street for tickets collected in the quarter: collected, closed, 办结率, median hours to close."""
    tickets = WhistleTicket.objects.for_user(user).filter(
        moments_on("collected_at", period.starts_on, period.ends_on)
    )
    counts = {
        row["street_id"]: row
        for row in tickets.values("street_id")
        .annotate(collected=Count("id"), closed=Count("id", filter=Q(status=TicketStatus.CLOSED)))
        .order_by()
    }
    durations = defaultdict(list)
    for street_id, collected_at, closed_at in tickets.filter(status=TicketStatus.CLOSED).values_list(
        "street_id", "collected_at", "closed_at"
    ):
        durations[street_id].append(closed_at - collected_at)
    rows = []
    for street in Grid.objects.for_user(user).filter(level=GridLevel.STREET).order_by("code"):
        row = counts.get(street.pk, {"collected": 0, "closed": 0})
        rows.append(
            {
                "street": street,
                "collected": row["collected"],
                "closed": row["closed"],
                "rate": rules.closure_rate(row["closed"], row["collected"]),
                "median_hours": rules.median_hours(durations[street.pk]),
            }
        )
    all_durations = [d for items in durations.values() for d in items]
    collected = sum(r["collected"] for r in rows)
    closed = sum(r["closed"] for r in rows)
    total = {
        "collected": collected,
        "closed": closed,
        "rate": rules.closure_rate(closed, collected),
        "median_hours": rules.median_hours(all_durations),
    }
    return {"rows": rows, "total": total}
