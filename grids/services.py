"""Writes to the roster: one function per user action, each re-checking permission and scope."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.bulk import insert_rows
from core.formats import date_text
from core.progress import WRITING, no_progress
from grids import history
from grids.exceptions import GridError, ImportRejected, InvalidParent
from grids.importers import build_roster_plan
from grids.models import Grid, GridLevel, GridStaff
from grids.rules import ancestors, kind_error, parent_error, staff_role_error

# Streets and villages/communities are district records: the community kind decides its reward.
DISTRICT_LEVELS = (GridLevel.STREET, GridLevel.COMMUNITY)
# Keys asked for in one IN (...): within a statement's parameter limit, whatever the SQLite build allows.
IN_CHUNK = 900


def _in_chunks(values: list) -> list[list]:
    """values in slices of IN_CHUNK, each for one IN (...)."""
    return [values[start : start + IN_CHUNK] for start in range(0, len(values), IN_CHUNK)]


def may_manage(user, level: int) -> bool:
    """Return whether the user may create, edit or retire grids of this level (scope aside)."""
    if not access.can(user, "grids.change_grid"):
        return False
    return level not in DISTRICT_LEVELS or access.street_scope(user) is True


def _check_manage(user, level: int) -> None:
    if not may_manage(user, level):
        raise PermissionDenied(_("街镇和村（社区）由中心工作人员维护。"))


def _check_scope(user, street_id: int | None) -> None:
    if not access.in_scope(user, street_id):
        raise PermissionDenied(_("该网格不在您的管辖范围内。"))


def _validated(instance: models.Model, exclude=()) -> None:
    """Run model validation and turn its messages into one GridError."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise GridError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc


def _refuse(problem: str | None) -> None:
    if problem:
        raise GridError(problem)


def _parent_dates(parent: Grid | None) -> dict:
    if parent is None:
        return {}
    return {
        "parent_name": parent.name,
        "parent_established_on": parent.established_on,
        "parent_retired_on": parent.retired_on,
    }


def _place(grid: Grid, parent: Grid | None) -> None:
    """Validate the grid's parent and set its denormalised street and community."""
    problem = parent_error(grid.level, parent.level if parent else None) or kind_error(grid.level, grid.kind)
    if problem:
        raise InvalidParent(problem)
    if parent is not None and parent.retired_on is not None:
        raise InvalidParent(
            _("上级网格“%(name)s”已于 %(date)s 撤销，不能在其下设置网格。")
            % {"name": parent.name, "date": date_text(parent.retired_on)}
        )
    grid.parent = parent
    grid.street_id, grid.community_id = ancestors(
        grid.level,
        parent.pk if parent else None,
        parent.street_id if parent else None,
        parent.community_id if parent else None,
    )


def _sync_descendants(grid_ids: set[int]) -> None:
    """Re-derive street and community of the grids below moved grids, one level at a time."""
    if not grid_ids:
        return
    parent_of = Grid.objects.filter(pk=OuterRef("parent_id"))
    below = Q(parent_id__in=grid_ids) | Q(parent__parent_id__in=grid_ids)
    Grid.objects.filter(below, level=GridLevel.LEVEL3).update(
        street_id=Subquery(parent_of.values("street_id")[:1]), community_id=F("parent_id")
    )
    Grid.objects.filter(below, level=GridLevel.LEVEL4).update(
        street_id=Subquery(parent_of.values("street_id")[:1]),
        community_id=Subquery(parent_of.values("community_id")[:1]),
    )


def _subtree(pk: int, level: int) -> Q:
    return {
        GridLevel.STREET: Q(pk=pk) | Q(street_id=pk),
        GridLevel.COMMUNITY: Q(pk=pk) | Q(community_id=pk),
        GridLevel.LEVEL3: Q(pk=pk) | Q(parent_id=pk),
        GridLevel.LEVEL4: Q(pk=pk),
    }[level]


def _earliest_below(grid: Grid) -> dt.date | None:
    """The earliest 设立日期 of the grid's children and 任职日期 of its posts: its own may not be later."""
    days = [
        *grid.children.aggregate(day=Min("established_on")).values(),
        *grid.staff.aggregate(day=Min("started_on")).values(),
    ]
    return min((d for d in days if d is not None), default=None)


def _retire_subtree(pk: int, level: int, retired_on: dt.date) -> int:
    """Retire a grid and every descendant still active on that date, and end the posts held on them.

    A child never outlives its parent, nor a post its grid. A grid or post starting on or after the date
    would end before it began: that is refused, to be corrected first.
    """
    subtree = Grid.objects.filter(_subtree(pk, level))
    late = subtree.filter(established_on__gte=retired_on).order_by("established_on").first()
    if late is not None:
        raise GridError(
            _("下级网格“%(name)s”于 %(day)s 设立，撤销日期须晚于该日期。")
            % {"name": late.name, "day": date_text(late.established_on)}
        )
    posts = GridStaff.objects.filter(grid__in=subtree.values("pk"))
    late_post = posts.filter(started_on__gte=retired_on).order_by("started_on").first()
    if late_post is not None:
        raise GridError(
            _("%(name)s于 %(day)s 任职，撤销日期须晚于该日期。")
            % {"name": late_post.name, "day": date_text(late_post.started_on)}
        )
    posts.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=retired_on)).update(
        ended_on=retired_on, updated_at=timezone.now()
    )
    later = Q(retired_on__isnull=True) | Q(retired_on__gt=retired_on)
    return subtree.filter(later).update(retired_on=retired_on, updated_at=timezone.now())


@transaction.atomic
def create_grid(
    *, user, code: str, name: str, level: int, parent: Grid | None, established_on: dt.date, kind: str = ""
) -> Grid:
    access.require(user, "grids.add_grid")
    _check_manage(user, level)
    if parent is not None:
        _check_scope(user, parent.street_id_for_scope)
    grid = Grid(code=code, name=name, level=level, kind=kind, established_on=established_on)
    _place(grid, parent)
    shut = history.closed(lock=True)
    _refuse(
        history.date_error(established_on, _("设立日期"), shut)
        or history.lifetime_error(established_on, None, **_parent_dates(parent))
    )
    _validated(grid, exclude=["parent", "street", "community"])
    grid.save()
    return grid


@transaction.atomic
def update_grid(
    *,
    user,
    grid: Grid,
    code: str,
    name: str,
    parent: Grid | None,
    established_on: dt.date,
    kind: str = "",
) -> Grid:
    """Edit a grid. Renaming is always possible; its code, 设立日期 and parent only where no closed period saw them."""
    access.require(user, "grids.change_grid")
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    _check_manage(user, grid.level)
    _check_scope(user, grid.street_id_for_scope)
    if parent is not None:
        _check_scope(user, parent.street_id_for_scope)
        if parent.pk == grid.pk:
            raise InvalidParent(_("网格不能以自身为上级。"))
    moved = (parent.pk if parent else None) != grid.parent_id
    shut = history.closed(lock=True)
    if moved:
        _refuse(history.move_error(grid.established_on, shut))
    if code != grid.code:
        _refuse(history.code_error(grid.established_on, shut))
    _refuse(history.change_error(grid.established_on, established_on, _("设立日期"), shut))
    grid.code, grid.name, grid.kind = code, name, kind
    if moved:
        _place(grid, parent)
    elif problem := kind_error(grid.level, kind):
        raise InvalidParent(problem)
    if established_on != grid.established_on:
        earliest = _earliest_below(grid)
        if earliest is not None and established_on > earliest:
            raise GridError(
                _("本网格的下级网格或人员最早于 %(day)s 开始，设立日期不能晚于该日期。")
                % {"day": date_text(earliest)}
            )
    grid.established_on = established_on
    _refuse(history.lifetime_error(established_on, grid.retired_on, **_parent_dates(grid.parent)))
    _validated(grid, exclude=["parent", "street", "community"])
    grid.save()
    if moved:
        _sync_descendants({grid.pk})
    return grid


@transaction.atomic
def retire_grid(*, user, grid: Grid, retired_on: dt.date) -> int:
    """Retire a grid and its still-active descendants from a date; return how many were retired."""
    access.require(user, "grids.change_grid")
    _check_manage(user, grid.level)
    _check_scope(user, grid.street_id_for_scope)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if grid.retired_on is not None:
        raise GridError(_("该网格已于 %(date)s 撤销。") % {"date": date_text(grid.retired_on)})
    shut = history.closed(lock=True)
    _refuse(
        history.date_error(retired_on, _("撤销日期"), shut)
        or history.lifetime_error(grid.established_on, retired_on)
    )
    return _retire_subtree(grid.pk, grid.level, retired_on)


@transaction.atomic
def reinstate_grid(*, user, grid: Grid) -> Grid:
    """Undo a retirement of this grid not yet counted by a closed period (its descendants stay as they are)."""
    access.require(user, "grids.change_grid")
    _check_manage(user, grid.level)
    _check_scope(user, grid.street_id_for_scope)
    grid = Grid.objects.select_for_update(of=("self",)).select_related("parent").get(pk=grid.pk)
    if grid.retired_on is None:
        return grid
    if grid.parent_id and grid.parent.retired_on is not None:
        raise GridError(_("上级网格已撤销，请先恢复上级网格。"))
    _refuse(history.reinstate_error(grid.retired_on, history.closed(lock=True)))
    grid.retired_on = None
    grid.save(update_fields=["retired_on", "updated_at"])
    return grid


@dataclass(frozen=True)
class StaffData:
    name: str
    phone: str
    role: str
    started_on: dt.date


@transaction.atomic
def save_staff(*, user, grid: Grid, data: StaffData, staff: GridStaff | None = None) -> GridStaff:
    """Give a grid a new post, or correct one (name, phone, role, 任职日期)."""
    access.require(user, "grids.change_gridstaff" if staff else "grids.add_gridstaff")
    _check_scope(user, grid.street_id_for_scope)
    problem = staff_role_error(data.role, grid.level)
    if problem:
        raise GridError(problem)
    # The stored post, not the caller's copy: a bound ModelForm has already written the new 任职日期
    # onto its instance, and the closed-period check must compare against what is on the roster.
    person = GridStaff.objects.select_for_update().get(pk=staff.pk) if staff else GridStaff(grid=grid)
    if person.grid_id != grid.pk:
        raise GridError(_("该人员不属于此网格。"))
    shut = history.closed(lock=True)
    if staff is None:
        _refuse(history.date_error(data.started_on, _("任职日期"), shut))
    else:
        _refuse(history.change_error(person.started_on, data.started_on, _("任职日期"), shut))
    _refuse(
        history.post_error(
            data.started_on,
            person.ended_on,
            grid_established_on=grid.established_on,
            grid_retired_on=grid.retired_on,
        )
    )
    person.name, person.phone, person.role, person.started_on = (
        data.name,
        data.phone,
        data.role,
        data.started_on,
    )
    _validated(person)
    person.save()
    return person


@transaction.atomic
def end_post(*, user, staff: GridStaff, ended_on: dt.date) -> GridStaff:
    """A person leaves a post from a date (离任日期); the post stays on the roster as history."""
    access.require(user, "grids.change_gridstaff")
    staff = GridStaff.objects.select_for_update().select_related("grid").get(pk=staff.pk)
    _check_scope(user, staff.grid.street_id_for_scope)
    if staff.ended_on is not None:
        raise GridError(_("%(name)s已于 %(date)s 离任。") % {"name": staff.name, "date": staff.ended_on})
    _refuse(
        history.date_error(ended_on, _("离任日期"), history.closed(lock=True))
        or history.post_error(
            staff.started_on,
            ended_on,
            grid_established_on=staff.grid.established_on,
            grid_retired_on=staff.grid.retired_on,
        )
    )
    staff.ended_on = ended_on
    staff.save(update_fields=["ended_on", "updated_at"])
    return staff


@transaction.atomic
def import_roster(*, user, data: bytes, progress=None):
    """Validate a roster workbook against the current roster and write all of it, or nothing.

    progress: called with (rows written, rows to write) as each level of grids, then the staff, is written
    (a confirm in the background, core.jobs)."""
    access.require(user, "grids.import_roster")
    if access.street_scope(user) is not True:
        # The importer reads and writes the whole district's roster.
        raise PermissionDenied(_("花名册导入仅对中心工作人员开放。"))
    shut = history.closed(lock=True)  # the plan is checked against what is closed while it is written
    plan = build_roster_plan(data)
    if plan.errors:
        raise ImportRejected(plan)
    now, today = timezone.now(), timezone.localdate()
    state = {
        code: (pk, street_id, community_id)
        for pk, code, street_id, community_id in Grid.objects.values_list(
            "pk", "code", "street_id", "community_id"
        )
    }

    def placed(level: int, parent_code: str) -> tuple:
        parent_pk, parent_street, parent_community = state[parent_code] if parent_code else (None, None, None)
        return (parent_pk, *ancestors(level, parent_pk, parent_street, parent_community))

    moved: set[int] = set()
    retired: list[tuple[int, int, dt.date]] = []
    grid_rows = len(plan.grid_creates) + len(plan.grid_updates)
    total = grid_rows + len(plan.staff_creates) + len(plan.staff_updates)
    written = 0
    report = progress or no_progress
    report(0, total, str(WRITING))
    for level in GridLevel.values:
        updates = [r for r in plan.grid_updates if r.level == level]
        objects = Grid.objects.in_bulk([r.code for r in updates], field_name="code")
        for row in updates:
            grid = objects[row.code]
            parent_pk, street_id, community_id = placed(level, row.parent_code)
            if parent_pk != grid.parent_id:
                moved.add(grid.pk)
            grid.name, grid.kind, grid.updated_at = row.name, row.kind, now
            grid.established_on, grid.retired_on = row.established_on, row.retired_on
            grid.parent_id, grid.street_id, grid.community_id = parent_pk, street_id, community_id
            state[row.code] = (grid.pk, street_id, community_id)
        Grid.objects.bulk_update(
            objects.values(),
            ["name", "kind", "established_on", "retired_on", "parent", "street", "community", "updated_at"],
            batch_size=500,
        )
        creates = []
        for row in (r for r in plan.grid_creates if r.level == level):
            parent_pk, street_id, community_id = placed(level, row.parent_code)
            creates.append(
                Grid(
                    code=row.code,
                    name=row.name,
                    level=level,
                    parent_id=parent_pk,
                    street_id=street_id,
                    community_id=community_id,
                    kind=row.kind,
                    established_on=row.established_on,
                    retired_on=row.retired_on,
                )
            )
        insert_rows(Grid, creates)  # keys read back by code: the next level's rows name these as parents
        places = {grid.code: (grid.street_id, grid.community_id) for grid in creates}
        for chunk in _in_chunks(list(places)):
            for code, pk in Grid.objects.filter(level=level, code__in=chunk).values_list("code", "pk"):
                state[code] = (pk, *places[code])
        retired += [
            (state[r.code][0], level, r.retired_on)
            for r in updates
            if "retired_on" in r.changes and r.retired_on
        ]
        written += len(updates) + len(creates)
        report(written, total, str(WRITING))
    _sync_descendants(moved)
    for pk, level, retired_on in retired:
        _retire_subtree(pk, level, retired_on)
    _apply_staff(plan, state, shut, today, now)
    report(total, total, str(WRITING))
    return plan


def _apply_staff(plan, state: dict, shut, today: dt.date, now) -> None:
    """Write the plan's posts as of today: new posts start today, a person marked 不在岗 leaves today,
    and one back in post starts a new post today (the ended one stays as history)."""
    starting = [
        *plan.staff_creates,
        *(r for r in plan.staff_updates if r.changes.get("active") == (False, True)),
    ]
    ending = [r for r in plan.staff_updates if r.changes.get("active") == (True, False)]
    if starting:
        _refuse(history.date_error(today, _("任职日期"), shut))
    if ending:
        _refuse(history.date_error(today, _("离任日期"), shut))
    grid_ids = list({state[r.grid_code][0] for r in starting})
    dates = {}  # grid id -> (established, retired): all a post's dates are checked against
    for chunk in _in_chunks(grid_ids):
        rows = Grid.objects.filter(pk__in=chunk)
        dates.update(
            (pk, (on, off)) for pk, on, off in rows.values_list("pk", "established_on", "retired_on")
        )
    posts = []
    for row in starting:
        grid_id = state[row.grid_code][0]
        established_on, retired_on = dates[grid_id]
        started_on = max(today, established_on)  # a post on a grid set up later starts with it
        problem = history.post_error(
            started_on, None, grid_established_on=established_on, grid_retired_on=retired_on
        )
        if problem:
            raise GridError(_("第%(row)d行：%(problem)s") % {"row": row.row, "problem": problem})
        posts.append(
            GridStaff(grid_id=grid_id, name=row.name, role=row.role, phone=row.phone, started_on=started_on)
        )
    insert_rows(GridStaff, posts)
    GridStaff.objects.bulk_update(
        [
            GridStaff(pk=r.existing_id, phone=r.phone, updated_at=now)
            for r in plan.staff_updates
            if "phone" in r.changes
        ],
        ["phone", "updated_at"],
        batch_size=500,
    )
    GridStaff.objects.filter(pk__in=[r.existing_id for r in ending]).update(ended_on=today, updated_at=now)
