"""Writes to the roster: one function per user action, each re-checking permission and scope."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from grids.exceptions import GridError, ImportRejected, InvalidParent
from grids.importers import build_roster_plan
from grids.models import Grid, GridLevel, GridStaff
from grids.rules import ancestors, kind_error, parent_error, staff_role_error


def _check_scope(user, street_id: int | None) -> None:
    if not access.in_scope(user, street_id):
        raise PermissionDenied(_("该网格不在您的管辖范围内。"))


def _place(grid: Grid, parent: Grid | None) -> None:
    """Validate the grid's parent and set its denormalised street and community."""
    problem = parent_error(grid.level, parent.level if parent else None) or kind_error(grid.level, grid.kind)
    if problem:
        raise InvalidParent(problem)
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


def _full_clean(grid: Grid) -> None:
    try:
        grid.full_clean(exclude=["parent", "street", "community"])
    except ValidationError as exc:
        raise GridError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc


@transaction.atomic
def create_grid(*, user, code: str, name: str, level: int, parent: Grid | None, kind: str = "") -> Grid:
    access.require(user, "grids.add_grid")
    if level == GridLevel.STREET and access.street_scope(user) is not True:
        raise PermissionDenied(_("只有中心工作人员可以新增街镇。"))
    if parent is not None:
        _check_scope(user, parent.street_id_for_scope)
    grid = Grid(code=code, name=name, level=level, kind=kind)
    _place(grid, parent)
    _full_clean(grid)
    grid.save()
    return grid


@transaction.atomic
def update_grid(*, user, grid: Grid, code: str, name: str, parent: Grid | None, kind: str = "") -> Grid:
    access.require(user, "grids.change_grid")
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    _check_scope(user, grid.street_id_for_scope)
    if parent is not None:
        _check_scope(user, parent.street_id_for_scope)
        if parent.pk == grid.pk:
            raise InvalidParent(_("网格不能以自身为上级。"))
    moved = (parent.pk if parent else None) != grid.parent_id
    grid.code, grid.name, grid.kind = code, name, kind
    _place(grid, parent)
    _full_clean(grid)
    grid.save()
    if moved:
        _sync_descendants({grid.pk})
    return grid


@transaction.atomic
def retire_grid(*, user, grid: Grid, retired_on: dt.date) -> int:
    """Retire a grid and its still-active descendants from a date; return how many were retired."""
    access.require(user, "grids.change_grid")
    _check_scope(user, grid.street_id_for_scope)
    if grid.retired_on is not None:
        raise GridError(_("该网格已于 %(date)s 撤销。") % {"date": grid.retired_on.isoformat()})
    subtree = {
        GridLevel.STREET: Q(pk=grid.pk) | Q(street_id=grid.pk),
        GridLevel.COMMUNITY: Q(pk=grid.pk) | Q(community_id=grid.pk),
        GridLevel.LEVEL3: Q(pk=grid.pk) | Q(parent_id=grid.pk),
        GridLevel.LEVEL4: Q(pk=grid.pk),
    }[grid.level]
    return Grid.objects.filter(subtree, retired_on__isnull=True).update(retired_on=retired_on)


@transaction.atomic
def reinstate_grid(*, user, grid: Grid) -> Grid:
    """Undo a retirement of this grid (its descendants stay as they are)."""
    access.require(user, "grids.change_grid")
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
    person = staff or GridStaff(grid=grid)
    if person.grid_id != grid.pk:
        raise GridError(_("该人员不属于此网格。"))
    person.name, person.phone, person.role, person.active = data.name, data.phone, data.role, data.active
    try:
        person.full_clean()
    except ValidationError as exc:
        raise GridError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
    person.save()
    return person


@transaction.atomic
def import_roster(*, user, data: bytes):
    """Validate a roster workbook against the current roster and write all of it, or nothing."""
    access.require(user, "grids.import_roster")
    plan = build_roster_plan(data)
    if plan.errors:
        raise ImportRejected(plan)
    now = timezone.now()
    state = {
        code: [pk, street_id, community_id]
        for pk, code, street_id, community_id in Grid.objects.values_list(
            "pk", "code", "street_id", "community_id"
        )
    }
    moved: set[int] = set()
    for level in GridLevel.values:
        updates = [r for r in plan.grid_updates if r.level == level]
        objects = Grid.objects.in_bulk([r.code for r in updates], field_name="code")
        for row in updates:
            grid = objects[row.code]
            parent_pk, parent_street, parent_community = (
                state[row.parent_code] if row.parent_code else (None,) * 3
            )
            if parent_pk != grid.parent_id:
                moved.add(grid.pk)
            grid.name, grid.kind, grid.retired_on, grid.updated_at = row.name, row.kind, row.retired_on, now
            grid.parent_id = parent_pk
            grid.street_id, grid.community_id = ancestors(level, parent_pk, parent_street, parent_community)
            state[row.code] = [grid.pk, grid.street_id, grid.community_id]
        Grid.objects.bulk_update(
            objects.values(),
            ["name", "kind", "retired_on", "parent", "street", "community", "updated_at"],
            batch_size=500,
        )
        creates = []
        for row in (r for r in plan.grid_creates if r.level == level):
            parent_pk, parent_street, parent_community = (
                state[row.parent_code] if row.parent_code else (None,) * 3
            )
            street_id, community_id = ancestors(level, parent_pk, parent_street, parent_community)
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
            state[grid.code] = [grid.pk, grid.street_id, grid.community_id]
    _sync_descendants(moved)
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
