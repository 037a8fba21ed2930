from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import AssessmentPeriod, GridRating, Rating, StreetQuota
from grids.models import Grid, GridLevel


def excellent_counts(period: AssessmentPeriod, level: int) -> tuple[int, dict[int, int]]:
    """Excellent ratings of a level in a quarter: the district total and the count per street."""
    per_street = dict(
        GridRating.objects.filter(period=period, level=level, rating=Rating.EXCELLENT)
        .values_list("street_id")
        .annotate(n=Count("id"))
        .order_by("street_id")
    )
    return sum(per_street.values()), per_street


def street_quotas(period: AssessmentPeriod, level: int) -> dict[int, int]:
    """The street split of a level's excellent quota for the period's year (empty when not split)."""
    return dict(
        StreetQuota.objects.filter(year_id=period.year_id, level=level).values_list("street_id", "quota")
    )


def quota_problem(period: AssessmentPeriod, changes: list[tuple[Grid, str | None, str]]) -> str | None:
    """Why saving these (grid, old rating, new rating) changes would exceed an excellent quota, or None.

    Only a count the save increases is checked: a save that moves an over-quota street (after a
    quota was changed) towards its quota is allowed.
    """
    names = dict(Grid.objects.filter(level=GridLevel.STREET).values_list("pk", "name"))
    for level in (GridLevel.LEVEL3, GridLevel.LEVEL4):
        mine = [c for c in changes if c[0].level == level]
        if not mine:
            continue
        total, per_street = excellent_counts(period, level)
        added: dict[int, int] = {}
        for grid, old, new in mine:
            delta = int(new == Rating.EXCELLENT) - int(old == Rating.EXCELLENT)
            added[grid.street_id] = added.get(grid.street_id, 0) + delta
        for street_id, quota in street_quotas(period, level).items():
            if added.get(street_id, 0) > 0:
                count = per_street.get(street_id, 0) + added[street_id]
                message = rules.quota_error(
                    level=level, where=names.get(street_id, ""), quota=quota, count=count
                )
                if message:
                    return message
        if sum(added.values()) > 0:
            count = total + sum(added.values())
            message = rules.quota_error(
                level=level, where=_("全区"), quota=period.year.quota(level), count=count
            )
            if message:
                return message
    return None


def community_entry(user, period: AssessmentPeriod, community: Grid) -> list[dict]:
    """The level-3 grids of a community, each followed by its level-4 grids, with their current ratings."""
    grids = list(
        Grid.objects.for_user(user)
        .active(on=period.ends_on)
        .filter(community=community, level__in=(GridLevel.LEVEL3, GridLevel.LEVEL4))
        .order_by("code")
        .values("pk", "code", "name", "level", "parent_id")
    )
    ratings = {
        r["grid_id"]: r
        for r in GridRating.objects.filter(period=period, grid__community=community).values(
            "grid_id", "rating", "score", "remark"
        )
    }
    for grid in grids:
        grid["current"] = ratings.get(grid["pk"])
    return grids


def street_progress(user, period: AssessmentPeriod) -> list[dict]:
    """Per street: active level-3/4 grids, how many are rated, and the excellent counts against quotas."""
    grids = (
        Grid.objects.for_user(user)
        .active(on=period.ends_on)
        .staffable()
        .values("street_id")
        .annotate(
            level3=Count("id", filter=Q(level=GridLevel.LEVEL3)),
            level4=Count("id", filter=Q(level=GridLevel.LEVEL4)),
        )
        .order_by()
    )
    totals = {row["street_id"]: row for row in grids}
    rated = defaultdict(lambda: defaultdict(int))
    for row in (
        GridRating.objects.for_user(user)
        .filter(period=period)
        .values("street_id", "level", "rating")
        .annotate(n=Count("id"))
        .order_by()
    ):
        rated[row["street_id"]][(row["level"], row["rating"])] += row["n"]
        rated[row["street_id"]][("rated", row["level"])] += row["n"]
    quotas = {level: street_quotas(period, level) for level in (GridLevel.LEVEL3, GridLevel.LEVEL4)}
    rows = []
    for street in Grid.objects.for_user(user).filter(level=GridLevel.STREET).order_by("code"):
        counts = rated[street.pk]
        total = totals.get(street.pk, {"level3": 0, "level4": 0})
        rows.append(
            {
                "street": street,
                "level3": total["level3"],
                "level4": total["level4"],
                "rated3": counts[("rated", GridLevel.LEVEL3)],
                "rated4": counts[("rated", GridLevel.LEVEL4)],
                "excellent3": counts[(GridLevel.LEVEL3, Rating.EXCELLENT)],
                "excellent4": counts[(GridLevel.LEVEL4, Rating.EXCELLENT)],
                "quota3": quotas[GridLevel.LEVEL3].get(street.pk),
                "quota4": quotas[GridLevel.LEVEL4].get(street.pk),
            }
        )
    return rows


def community_progress(user, period: AssessmentPeriod, street_id: int) -> list[dict]:
    """The villages/communities of a street with their active level-3/4 grids and how many are rated."""
    grids = dict(
        Grid.objects.for_user(user)
        .active(on=period.ends_on)
        .staffable()
        .filter(street_id=street_id)
        .values_list("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rated = dict(
        GridRating.objects.filter(period=period, street_id=street_id)
        .values_list("grid__community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    communities = (
        Grid.objects.for_user(user).filter(level=GridLevel.COMMUNITY, street_id=street_id).order_by("code")
    )
    return [{"community": c, "total": grids.get(c.pk, 0), "rated": rated.get(c.pk, 0)} for c in communities]
