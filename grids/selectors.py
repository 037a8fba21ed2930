"""Named reads of the roster for pages, exports and reports."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q

from core import access
from core.changes import remember
from grids.models import CommunityKind, Grid, GridLevel, GridStaff
from grids.rules import coverage_rate


@dataclass
class StreetRow:
    grid: Grid
    communities: int = 0
    urban: int = 0
    level3: int = 0
    level4: int = 0
    staffed: int = 0

    @property
    def staffable(self) -> int:
        return self.level3 + self.level4

    @property
    def coverage(self):
        return coverage_rate(self.staffed, self.staffable)


def _staffed_ids(on: dt.date | None = None):
    """The grids with staff serving on the day (today by default), for counting over many grids.

    An IN subquery is hashed once, where a correlated EXISTS probes the staff index once per grid: at
    city scale (60,000 grids) the planner then costs the query high enough to JIT-compile it, which
    takes longer than running it (0.5 s instead of 40 ms on PostgreSQL 15).
    """
    return GridStaff.objects.serving(on).values("grid_id")


def _counts_by(queryset, key: str) -> dict:
    """Count communities, level-3/4 grids and staffed level-3/4 grids grouped by `key`."""
    rows = (
        queryset.values(key)
        .annotate(
            communities=Count("id", filter=Q(level=GridLevel.COMMUNITY)),
            urban=Count("id", filter=Q(level=GridLevel.COMMUNITY, kind=CommunityKind.URBAN)),
            level3=Count("id", filter=Q(level=GridLevel.LEVEL3)),
            level4=Count("id", filter=Q(level=GridLevel.LEVEL4)),
            staffed=Count("id", filter=Q(level__in=(3, 4), pk__in=_staffed_ids())),
        )
        .order_by()
    )
    return {row.pop(key): row for row in rows}


def roster_overview(user) -> dict:
    """Counts per level and per street, and the coverage of level-3/4 grids, for the user's scope."""
    grids = Grid.objects.for_user(user).active()
    streets = list(grids.filter(level=GridLevel.STREET).order_by("code"))
    counts = _counts_by(grids.filter(level__gte=GridLevel.COMMUNITY), "street_id")
    rows = [StreetRow(grid=s, **counts.get(s.pk, {})) for s in streets]
    total = StreetRow(grid=None)
    for row in rows:
        for name in ("communities", "urban", "level3", "level4", "staffed"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return {
        "streets": rows,
        "total": total,
        "levels": [
            (GridLevel.STREET.label, len(streets)),
            (GridLevel.COMMUNITY.label, total.communities),
            (GridLevel.LEVEL3.label, total.level3),
            (GridLevel.LEVEL4.label, total.level4),
        ],
        "coverage": total.coverage,
    }


def coverage(on: dt.date | None = None, user=None) -> dict:
    """Return the level-3/4 grids active on the day (today by default), how many had staff serving that
    day, and the coverage rate."""
    grids = Grid.objects.active(on).staffable()
    if user is not None:
        grids = grids.for_user(user)
    result = grids.aggregate(total=Count("id"), staffed=Count("id", filter=Q(pk__in=_staffed_ids(on))))
    result["rate"] = coverage_rate(result["staffed"], result["total"])
    return result


@dataclass
class TreeNode:
    grid: Grid
    children: list["TreeNode"] = field(default_factory=list)
    level3: int = 0
    level4: int = 0
    staffed: int = 0


def upper_labels() -> dict[int, tuple[str, str]]:
    """Every street's and village/community's (name, code) by id, kept until the roster changes
    (core.changes): the few hundred names that tables of a batch's or a year's money carry."""
    return remember(
        "grid-upper-labels",
        lambda: {
            pk: (name, code)
            for pk, name, code in Grid.objects.filter(level__lte=GridLevel.COMMUNITY).values_list(
                "pk", "name", "code"
            )
        },
    )


def roster_tree(user, *, community_id: int | None = None) -> dict:
    """Return the streets and communities in scope with their counts, and one community's grids.

    Each layer is loaded in one query and assembled here, never walked node by node.
    """
    grids = Grid.objects.for_user(user).active()
    upper = list(grids.filter(level__lte=GridLevel.COMMUNITY).order_by("level", "code"))
    counts = _counts_by(grids.filter(level__gte=GridLevel.LEVEL3), "community_id")
    streets: dict[int, TreeNode] = {}
    communities: dict[int, TreeNode] = {}
    for grid in upper:
        if grid.level == GridLevel.STREET:
            streets[grid.pk] = TreeNode(grid)
        else:
            c = counts.get(grid.pk, {})
            node = TreeNode(
                grid, level3=c.get("level3", 0), level4=c.get("level4", 0), staffed=c.get("staffed", 0)
            )
            communities[grid.pk] = node
            parent = streets.get(grid.parent_id)
            if parent:
                parent.children.append(node)
                parent.level3 += node.level3
                parent.level4 += node.level4
                parent.staffed += node.staffed

    selected = communities.get(community_id) if community_id else None
    if selected:
        lower = grids.filter(community_id=community_id).with_staffed().order_by("level", "code")
        level3: dict[int, TreeNode] = {}
        for grid in lower:
            node = TreeNode(grid)
            if grid.level == GridLevel.LEVEL3:
                level3[grid.pk] = node
                selected.children.append(node)
            elif grid.parent_id in level3:
                level3[grid.parent_id].children.append(node)
    return {"streets": list(streets.values()), "selected": selected}


def grid_detail(user, pk: int) -> Grid:
    """Return one grid in the user's scope with its ancestors (raises Grid.DoesNotExist)."""
    return Grid.objects.for_user(user).select_related("parent", "street", "community").get(pk=pk)


def grid_children(grid: Grid):
    return grid.children.for_table().order_by("code")


def grid_staff(grid: Grid):
    """The grid's posts, those not yet ended first, then by role, name and latest start."""
    return grid.staff.order_by(F("ended_on").desc(nulls_first=True), "role", "name", "-started_on")


def staff_for_table(user):
    return access.scope(user, GridStaff.objects.all(), "grid__street").select_related(
        "grid", "grid__street", "grid__community"
    )


def roster_with_posts(
    user, *, level: int | None = None, street_id: int | None = None, on: dt.date | None = None
):
    """The grids in scope by code with their ancestors and their posts, in one query for the grids and one
    for the posts of those read, whatever their number.

    With `on`, the roster as it stood that day: the grids in service and the posts held then; without,
    every grid and every post, retired and ended ones too, each with its dates. A street's grids
    (street_id) include the street itself.
    """
    grids = Grid.objects.for_user(user).select_related("parent", "street", "community")
    posts = GridStaff.objects.order_by("role", "name", "started_on", "pk")
    if on is not None:
        grids, posts = grids.active(on), posts.serving(on)
    if level is not None:
        grids = grids.filter(level=level)
    if street_id is not None:
        grids = grids.filter(Q(street_id=street_id) | Q(pk=street_id))
    return grids.order_by("code").prefetch_related(Prefetch("staff", queryset=posts))


def streets_for(user):
    return Grid.objects.for_user(user).filter(level=GridLevel.STREET).order_by("code")


def communities_for(user):
    return Grid.objects.for_user(user).filter(level=GridLevel.COMMUNITY).order_by("code")


ROSTER_FIELDS = (
    "pk",
    "code",
    "name",
    "level",
    "parent_id",
    "street_id",
    "community_id",
    "kind",
    "established_on",
    "retired_on",
)
STAFF_FIELDS = ("grid_id", "grid__code", "grid__name", "name", "role", "phone", "started_on", "ended_on")


def roster_values(user) -> list[tuple]:
    """Every grid in scope as a plain tuple of ROSTER_FIELDS, ordered by code (fast for 6,000+ rows)."""
    return list(Grid.objects.for_user(user).order_by("code").values_list(*ROSTER_FIELDS))


def staff_values(user, posts=None) -> list[tuple]:
    """Every staff member in scope (or of `posts`, a list's filtered posts) as a plain tuple of
    STAFF_FIELDS, ordered by grid, role and name."""
    if posts is None:
        posts = access.scope(user, GridStaff.objects.all(), "grid__street")
    return list(posts.order_by("grid__code", "role", "name", "started_on").values_list(*STAFF_FIELDS))
