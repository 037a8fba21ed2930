from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count, Q

from assessments.models import AssessmentPeriod, AssessmentYear, GridRating, Rating
from assessments.selectors.unmatched import unresolved_by_quarter
from core import access
from grids.models import Grid, GridLevel


def years():
    return AssessmentYear.objects.order_by("-year")


def periods_overview(user, settings: AssessmentYear) -> list[dict]:
    """Each quarter of a year with its rating progress and open problems, in the user's scope.

    Unmatched tickets are counted only for users who can resolve them (not a street admin).
    """
    periods = list(settings.periods.order_by("quarter"))
    rated = {
        row["period_id"]: row
        for row in GridRating.objects.for_user(user)
        .filter(period__in=periods)
        .values("period_id")
        .annotate(
            rated=Count("id"),
            excellent3=Count("id", filter=Q(level=3, rating=Rating.EXCELLENT)),
            excellent4=Count("id", filter=Q(level=4, rating=Rating.EXCELLENT)),
        )
        .order_by()
    }
    unmatched = unresolved_by_quarter(user, settings.year)
    quotas = {3: settings.level3_excellent_quota, 4: settings.level4_excellent_quota}
    scope = access.street_scope(user)
    if scope is not True:
        # A street admin sees its own street's share (or the district quota when there is no split).
        quotas.update(settings.street_quotas.filter(street_id=scope).values_list("level", "quota"))
    rows = []
    for period in periods:
        total = Grid.objects.for_user(user).active(on=period.ends_on).staffable().count()
        stats = rated.get(period.pk, {"rated": 0, "excellent3": 0, "excellent4": 0})
        rows.append(
            {
                "period": period,
                "total": total,
                "unmatched": unmatched.get(period.quarter, 0),
                "quota3": quotas[3],
                "quota4": quotas[4],
                **stats,
            }
        )
    return rows


def street_quota_table(user, settings: AssessmentYear) -> list[dict]:
    """Each level's excellent quota with its split between streets (name, quota), in street code order.

    A street admin sees its own street's share, not the others' (core.access policy)."""
    split = defaultdict(list)
    shares = access.scope(user, settings.street_quotas.all()).order_by("level", "street__code")
    for level, name, quota in shares.values_list("level", "street__name", "quota"):
        split[level].append((name, quota))
    return [
        {"level": level, "label": level.label, "quotas": split[level], "total": settings.quota(level)}
        for level in (GridLevel.LEVEL3, GridLevel.LEVEL4)
    ]


def period_detail(pk: int) -> AssessmentPeriod:
    return AssessmentPeriod.objects.select_related("year", "locked_by").get(pk=pk)


def period_history(period: AssessmentPeriod):
    return period.history.select_related("history_user").order_by("-history_date")


# Panels that higher apps add to a quarter's page (AppConfig.ready), e.g. disbursements: the quarter's
# batches and the way to a correction once it is paid. Each is called as panel(period, user) and returns
# the context of its template, with the template's name under "template", or None.
PERIOD_PANELS: list[Callable[[AssessmentPeriod, object], dict | None]] = []


def period_panels(period: AssessmentPeriod, user) -> list[dict]:
    return [found for panel in PERIOD_PANELS if (found := panel(period, user)) is not None]
