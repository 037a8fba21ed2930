from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Count, FilteredRelation, Q
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


def year_street_quotas(year_id: int, level: int) -> dict[int, int]:
    """The street split of a level's excellent quota for a year (street id → quota; empty when not split)."""
    return dict(StreetQuota.objects.filter(year_id=year_id, level=level).values_list("street_id", "quota"))


def street_quotas(period: AssessmentPeriod, level: int) -> dict[int, int]:
    """The street split of a level's excellent quota for the period's year (empty when not split)."""
    return year_street_quotas(period.year_id, level)


@dataclass(frozen=True)
class QuotaOverrun:
    """An excellent quota a save would exceed: a street's (street_id) or the district's (street_id None)."""

    level: int
    street_id: int | None
    where: str
    quota: int
    count: int

    @property
    def message(self) -> str:
        return rules.quota_error(level=self.level, where=self.where, quota=self.quota, count=self.count)


def _excellent_added(changes: list[tuple[Grid, str | None, str]]) -> dict[int, int]:
    """How many excellent grids each street gains (or loses) through these (grid, old, new) changes."""
    added: dict[int, int] = {}
    for grid, old, new in changes:
        delta = int(new == Rating.EXCELLENT) - int(old == Rating.EXCELLENT)
        added[grid.street_id] = added.get(grid.street_id, 0) + delta
    return added


@dataclass(frozen=True)
class ExcellentStanding:
    """A level's excellent ratings in a quarter (district total, per street) and the street quotas."""

    total: int
    per_street: dict[int, int]
    street_quotas: dict[int, int]


def excellent_standings(
    period: AssessmentPeriod, levels=(GridLevel.LEVEL3, GridLevel.LEVEL4)
) -> dict[int, ExcellentStanding]:
    """Each level's ExcellentStanding, in two queries whatever the number of levels (the rating page asks
    for both on every view and save: a query per level and kind was a fifth of its time under load)."""
    per_street: dict[int, dict[int, int]] = {level: {} for level in levels}
    for level, street_id, n in (
        GridRating.objects.filter(period=period, level__in=levels, rating=Rating.EXCELLENT)
        .values_list("level", "street_id")
        .annotate(n=Count("id"))
        .order_by("level", "street_id")
    ):
        per_street[level][street_id] = n
    quotas: dict[int, dict[int, int]] = {level: {} for level in levels}
    for level, street_id, quota in StreetQuota.objects.filter(
        year_id=period.year_id, level__in=levels
    ).values_list("level", "street_id", "quota"):
        quotas[level][street_id] = quota
    return {
        level: ExcellentStanding(sum(per_street[level].values()), per_street[level], quotas[level])
        for level in levels
    }


def quota_overruns(
    period: AssessmentPeriod,
    changes: list[tuple[Grid, str | None, str]],
    standings: dict[int, ExcellentStanding] | None = None,
) -> list[QuotaOverrun]:
    """Every excellent quota that saving these (grid, old rating, new rating) changes would exceed.

    Only a count the save increases is checked: a save that moves an over-quota street (after a
    quota was changed) towards its quota is allowed. `standings` (level → standing) spares a caller
    that has them already the queries.
    """
    overruns = []
    changed = [
        level for level in (GridLevel.LEVEL3, GridLevel.LEVEL4) if any(c[0].level == level for c in changes)
    ]
    if standings is None and changed:
        standings = excellent_standings(period, changed)
    for level in changed:
        mine = [c for c in changes if c[0].level == level]
        standing = standings[level]
        added = _excellent_added(mine)
        for street_id, quota in standing.street_quotas.items():
            count = standing.per_street.get(street_id, 0) + added.get(street_id, 0)
            if added.get(street_id, 0) > 0 and count > quota:
                overruns.append(QuotaOverrun(level, street_id, "", quota, count))
        count, quota = standing.total + sum(added.values()), period.year.quota(level)
        if sum(added.values()) > 0 and count > quota:
            overruns.append(QuotaOverrun(level, None, _("全区"), quota, count))
    if any(o.street_id for o in overruns):  # street names only when a street's quota is exceeded
        names = dict(Grid.objects.filter(level=GridLevel.STREET).values_list("pk", "name"))
        overruns = [replace(o, where=names.get(o.street_id, "")) if o.street_id else o for o in overruns]
    return overruns


def quota_problem(period: AssessmentPeriod, changes: list[tuple[Grid, str | None, str]]) -> str | None:
    """Why saving these changes would exceed an excellent quota (the first quota exceeded), or None."""
    overruns = quota_overruns(period, changes)
    return overruns[0].message if overruns else None


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


def quota_counter(
    user, period: AssessmentPeriod, community: Grid, chosen: dict[int, str], grids: list[dict] | None = None
) -> dict:
    """The rating page's running counter: the community's grids rated and the street's and district's
    excellent counts against their quotas, as they would stand once the page's choices (grid id →
    rating) were saved, with the message of every quota that save would exceed.

    `grids` is community_entry's list when the caller has it already (with the saved ratings)."""
    if grids is None:
        grids = community_entry(user, period, community)
    saved = {g["pk"]: g["current"]["rating"] if g["current"] else None for g in grids}
    changes = [
        (Grid(pk=g["pk"], level=g["level"], street_id=community.street_id), saved[g["pk"]], chosen[g["pk"]])
        for g in grids
        if chosen.get(g["pk"]) in Rating.values and chosen[g["pk"]] != saved[g["pk"]]
    ]
    standings = excellent_standings(period)
    overruns = quota_overruns(period, changes, standings)
    levels = []
    for level, standing in standings.items():
        added = _excellent_added([c for c in changes if c[0].level == level])
        levels.append(
            {
                "label": level.label,
                "street": standing.per_street.get(community.street_id, 0) + added.get(community.street_id, 0),
                "street_quota": standing.street_quotas.get(community.street_id),
                "district": standing.total + sum(added.values()),
                "district_quota": period.year.quota(level),
                "over": any(o.level == level for o in overruns),
            }
        )
    rated = sum(1 for g in grids if saved[g["pk"]] or chosen.get(g["pk"]) in Rating.values)
    return {
        "street": community.street,
        "rated": rated,
        "total": len(grids),
        "unrated": len(grids) - rated,
        "levels": levels,
        "problems": [o.message for o in overruns],
    }


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


RATED_GRID_FIELDS = (
    "pk",
    "code",
    "name",
    "level",
    "street__code",
    "street__name",
    "community__code",
    "community__name",
    "parent__code",
    "parent__name",
    "rated__rating",
    "rated__score",
    "rated__remark",
)


def rated_grids(user, period: AssessmentPeriod, *, street_id: int | None = None, level: int | None = None):
    """Every level-3/4 grid of the quarter in scope, by code, with its rating (rated__rating None when not
    yet rated): the rows of the ratings workbook and of the API, one query whatever their number.

    The grids are those in service on the quarter's last day, as the rating pages count them; a locked
    quarter's rows stay as they were locked, since its ratings are frozen and no roster date may fall on or
    before a locked day (grids.history).
    """
    grids = Grid.objects.for_user(user).active(on=period.ends_on).staffable()
    if street_id is not None:
        grids = grids.filter(street_id=street_id)
    if level is not None:
        grids = grids.filter(level=level)
    return (
        grids.annotate(rated=FilteredRelation("ratings", condition=Q(ratings__period=period)))
        .order_by("code")
        .values(*RATED_GRID_FIELDS)
    )
