"""Writes to the roster: one function per user action, each re-checking permission and scope."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from grids.exceptions import GridError, ImportRejected, InvalidParent
from grids.importers import build_roster_plan
from grids.models import Grid, GridLevel, GridStaff
from grids.rules import ancestors, kind_error, parent_error, staff_role_error

# Streets and villages/communities are district records: the community kind decides its reward.
DISTRICT_LEVELS = (GridLevel.STREET, GridLevel.COMMUNITY)


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


def _place(grid: Grid, parent: Grid | None) -> None:
    """Validate the grid's parent and set its denormalised street and community."""
    problem = parent_error(grid.level, parent.level if parent else None) or kind_error(grid.level, grid.kind)
    if problem:
        raise InvalidParent(problem)
    if parent is not None and not parent.is_active:
        raise InvalidParent(_("上级网格“%(name)s”已撤销，不能在其下设置网格。") % {"name": parent.name})
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


def _retire_subtree(pk: int, level: int, retired_on: dt.date) -> int:
    """Retire a grid and every descendant still active on that date: a child never outlives its parent."""
    subtree = {
        GridLevel.STREET: Q(pk=pk) | Q(street_id=pk),
        GridLevel.COMMUNITY: Q(pk=pk) | Q(community_id=pk),
        GridLevel.LEVEL3: Q(pk=pk) | Q(parent_id=pk),
        GridLevel.LEVEL4: Q(pk=pk),
    }[level]
    later = Q(retired_on__isnull=True) | Q(retired_on__gt=retired_on)
    return Grid.objects.filter(subtree).filter(later).update(retired_on=retired_on, updated_at=timezone.now())


@transaction.atomic
def create_grid(*, user, code: str, name: str, level: int, parent: Grid | None, kind: str = "") -> Grid:
    access.require(user, "grids.add_grid")
    _check_manage(user, level)
    if parent is not None:
        _check_scope(user, parent.street_id_for_scope)
    grid = Grid(code=code, name=name, level=level, kind=kind)
    _place(grid, parent)
    _validated(grid, exclude=["parent", "street", "community"])
    grid.save()
    return grid


@transaction.atomic
def update_grid(*, user, grid: Grid, code: str, name: str, parent: Grid | None, kind: str = "") -> Grid:
    access.require(user, "grids.change_grid")
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    _check_manage(user, grid.level)
    _check_scope(user, grid.street_id_for_scope)
    if parent is not None:
        _check_scope(user, parent.street_id_for_scope)
        if parent.pk == grid.pk:
            raise InvalidParent(_("网格不能以自身为上级。"))
    moved = (parent.pk if parent else None) != grid.parent_id
    grid.code, grid.name, grid.kind = code, name, kind
    if moved:
        _place(grid, parent)
    elif problem := kind_error(grid.level, kind):
        raise InvalidParent(problem)
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
    if grid.retired_on is not None:
        raise GridError(_("该网格已于 %(date)s 撤销。") % {"date": grid.retired_on.isoformat()})
    return _retire_subtree(grid.pk, grid.level, retired_on)


@transaction.atomic
def reinstate_grid(*, user, grid: Grid) -> Grid:
    """Undo a retirement of this grid (its descendants stay as they are)."""
    access.require(user, "grids.change_grid")
    _check_manage(user, grid.level)
    _check_scope(user, grid.street_id_for_scope)
    if grid.parent_id and grid.parent.retired_on is not None:
        raise GridError(_("上级网格已撤销，请先恢复上级网格。"))
    grid.retired_on = None
    grid.save(update_fields=["retired_on", "updated_at"])
    return grid


@dataclass(frozen=True)
class StaffData:
    name: str
    phone: str
    role: str
    active: bool = True


@transaction.atomic
def save_staff(*, user, grid: Grid, data: StaffData, staff: GridStaff | None = None) -> GridStaff:
    """Add a staff member to a grid, or update one already serving it."""
    access.require(user, "grids.change_gridstaff" if staff else "grids.add_gridstaff")
    _check_scope(user, grid.street_id_for_scope)
    problem = staff_role_error(data.role, grid.level)
    if problem:
        raise GridError(problem)
    if data.active and not grid.is_active:
        raise GridError(_("该网格已撤销，不能配备在岗人员。"))
    person = staff or GridStaff(grid=grid)
    if person.grid_id != grid.pk:
        raise GridError(_("该人员不属于此网格。"))
    person.name, person.phone, person.role, person.active = data.name, data.phone, data.role, data.active
    _validated(person)
    person.save()
    return person


@transaction.atomic
def import_roster(*, user, data: bytes):
    """Validate a roster workbook against the current roster and write all of it, or nothing."""
    access.require(user, "grids.import_roster")
    if access.street_scope(user) is not True:
        # The importer reads and writes the whole district's roster.
        raise PermissionDenied(_("花名册导入仅对中心工作人员开放。"))
    plan = build_roster_plan(data)
    if plan.errors:
        raise ImportRejected(plan)
    now = timezone.now()
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
    for level in GridLevel.values:
        updates = [r for r in plan.grid_updates if r.level == level]
        objects = Grid.objects.in_bulk([r.code for r in updates], field_name="code")
        for row in updates:
            grid = objects[row.code]
            parent_pk, street_id, community_id = placed(level, row.parent_code)
            if parent_pk != grid.parent_id:
                moved.add(grid.pk)
            grid.name, grid.kind, grid.retired_on, grid.updated_at = row.name, row.kind, row.retired_on, now
            grid.parent_id, grid.street_id, grid.community_id = parent_pk, street_id, community_id
            state[row.code] = (grid.pk, street_id, community_id)
        Grid.objects.bulk_update(
            objects.values(),
            ["name", "kind", "retired_on", "parent", "street", "community", "updated_at"],
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
                    retired_on=row.retired_on,
                )
            )
        for grid in Grid.objects.bulk_create(creates, batch_size=1000):
            state[grid.code] = (grid.pk, grid.street_id, grid.community_id)
        retired += [
            (state[r.code][0], level, r.retired_on)
            for r in updates
            if "retired_on" in r.changes and r.retired_on
        ]
    _sync_descendants(moved)
    for pk, level, retired_on in retired:
        _retire_subtree(pk, level, retired_on)
    GridStaff.objects.bulk_create(
        [
            GridStaff(grid_id=state[r.grid_code][0], name=r.name, role=r.role, phone=r.phone, active=r.active)
            for r in plan.staff_creates
        ],
        batch_size=1000,
    )
    GridStaff.objects.bulk_update(
        [
            GridStaff(pk=r.existing_id, phone=r.phone, active=r.active, updated_at=now)
            for r in plan.staff_updates
        ],
        ["phone", "active", "updated_at"],
        batch_size=500,
    )
    return plan
