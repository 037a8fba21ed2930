"""The roster as the district's template lays it out: grids and staff named by code.

The workbook has a sheet 网格 (one row per grid) and an optional sheet 网格人员 (one row per staff
member). A parent is named by 上级网格编码 or, for communities and level-3 grids, by the 街镇 and
村（社区） names, which is how the district's own spreadsheets are usually laid out.
"""

from dataclasses import dataclass, replace
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formats import date_text
from core.import_plan import Cells
from core.normalise import code_problem
from core.progress import RowProgress
from core.xlsx import (
    Column,
    RowError,
    SheetRows,
    clean_text,
    compact_text,
    find_sheet,
    parse_date,
    read_rows,
)
from grids import history
from grids.importers.plan import GridRow, RosterPlan, StaffRow, staff_on_roster
from grids.models import Grid, GridLevel, GridStaff
from grids.rules import (
    kind_error,
    parent_error,
    parse_kind,
    parse_level,
    parse_role,
    parse_yes_no,
    phone_error,
    staff_role_error,
)

GRID_SHEET = "网格"
STAFF_SHEET = "网格人员"
GRID_SHEETS = (GRID_SHEET, "网格花名册", "网格信息")
STAFF_SHEETS = (STAFF_SHEET, "人员", "网格员")

GRID_COLUMNS = [
    Column("code", "网格编码", ("编码", "网格代码", "网格编号"), required=True),
    Column("name", "网格名称", ("名称", "网格名"), required=True),
    Column("level", "层级", ("网格层级", "级别", "网格级别"), required=True),
    Column("parent_code", "上级网格编码", ("上级编码", "上级网格代码", "父级编码", "上级网格编号")),
    Column("street", "街镇", ("街道（镇）", "街道", "镇街", "街道/镇", "所属街镇", "街镇名称")),
    Column(
        "community", "村（社区）", ("村社区", "社区", "村", "村/社区", "所属村（社区）", "村（社区）名称")
    ),
    Column("level3", "三级网格", ("三级网格名称", "所属三级网格")),
    Column("kind", "村（社区）类型", ("类型", "社区类型", "村社区类型")),
    Column("established_on", "设立日期", ("成立日期", "设立时间")),
    Column("retired_on", "撤销日期", ("撤销时间", "停用日期")),
]
# What the roster export adds for people to read (grids.exports): a file exported and imported again says
# these are not read, rather than calling them unused.
GRID_FOR_READING = frozenset({"网格类别", "在岗人员"})
STAFF_FOR_READING = frozenset({"网格名称"})
NAME_PATH = ("street", "community", "level3")  # the name columns leading down to a grid's parent
STAFF_COLUMNS = [
    Column("grid_code", "网格编码", ("编码", "网格代码", "网格编号", "所在网格编码"), required=True),
    Column("name", "姓名", ("人员姓名", "网格员姓名"), required=True),
    Column("role", "职务", ("角色", "岗位", "人员类型", "人员职务"), required=True),
    Column("phone", "联系电话", ("电话", "手机", "手机号码", "手机号", "联系方式"), required=True),
    Column("active", "在岗", ("是否在岗", "在岗状态")),
]


@dataclass(frozen=True)
class Existing:
    pk: int
    level: int
    name: str
    parent_code: str
    kind: str
    retired_on: object
    established_on: object


def _existing_grids() -> dict[str, Existing]:
    rows = list(
        Grid.objects.values_list(
            "pk", "code", "level", "name", "parent__code", "kind", "retired_on", "established_on"
        )
    )
    return {
        code: Existing(pk, level, name, parent or "", kind, retired, established)
        for pk, code, level, name, parent, kind, retired, established in rows
    }


def _parse_grid_rows(sheet: SheetRows, errors: list[RowError]) -> list[GridRow]:
    """The grid sheet's rows as GridRows, or the problems of their cells: a function of the file alone,
    so part of the parse the confirm reuses (grids.importers._parsed)."""
    cells = Cells(sheet, errors)
    rows: list[GridRow] = []
    seen: dict[str, int] = {}
    for number, record in sheet.rows:
        before = cells.count
        code = compact_text(record.get("code"))
        if not code:
            cells.error(number, "code", _("网格编码不能为空。"))
            continue
        if code in seen:
            cells.error(
                number, "code", _("网格编码“%(code)s”与第%(row)d行重复。") % {"code": code, "row": seen[code]}
            )
            continue
        seen[code] = number
        name = clean_text(record.get("name"))
        if not name:
            cells.error(number, "name", _("网格名称不能为空。"))
        cells.length(number, "code", code, Grid._meta.get_field("code").max_length)
        cells.length(number, "name", name, Grid._meta.get_field("name").max_length)
        level_text = compact_text(record.get("level"))
        level = parse_level(level_text)
        if level is None:
            cells.error(
                number,
                "level",
                _("层级不能为空。")
                if not level_text
                else _("未知层级“%(value)s”，应为 一级/二级/三级/四级。") % {"value": level_text},
            )
        kind_text = compact_text(record.get("kind"))
        kind = parse_kind(kind_text) if kind_text else ""
        if kind is None:
            cells.error(
                number,
                "kind",
                _("未知村（社区）类型“%(value)s”，应为 城市社区 或 农村村（社区）。") % {"value": kind_text},
            )
        dates = {}
        for key in ("established_on", "retired_on"):
            dates[key] = None
            if clean_text(record.get(key)):
                try:
                    dates[key] = parse_date(record.get(key))
                except ValueError as exc:
                    cells.error(number, key, str(exc))
        if cells.count == before:
            rows.append(
                GridRow(
                    row=number,
                    code=code,
                    name=name,
                    level=int(level),
                    parent_code=compact_text(record.get("parent_code")),
                    kind=str(kind),
                    retired_on=dates["retired_on"],
                    established_on=dates["established_on"],
                    names=tuple(compact_text(record.get(key)) for key in NAME_PATH),
                )
            )
    return rows


def _resolve_grid_rows(
    rows: list[GridRow],
    sheet: SheetRows,
    existing: dict[str, Existing],
    plan: RosterPlan,
    checked: RowProgress,
):
    """Find each row's parent (by code or by names), check levels, kinds and dates, diff against the roster."""
    cells = Cells(sheet, plan.errors)
    in_file = {r.code: r for r in rows}

    def level_of(code: str) -> int | None:
        if code in in_file:
            return in_file[code].level
        return existing[code].level if code in existing else None

    def name_of(code: str) -> str:
        return in_file[code].name if code in in_file else existing[code].name

    def dates_of(code: str) -> dict:
        """The parent's dates for history.lifetime_error, as the file leaves them."""
        grid = in_file[code] if code in in_file else existing[code]
        return {
            "parent_name": grid.name,
            "parent_established_on": grid.established_on,
            "parent_retired_on": grid.retired_on,
        }

    shut = history.closed()
    today = timezone.localdate()

    # (parent code, name) -> code, for finding a parent by the names of its ancestors.
    by_name = {(e.parent_code, compact_text(e.name)): code for code, e in existing.items()}

    def parent_by_names(row: GridRow) -> str:
        parent_code = ""
        for key, name in list(zip(NAME_PATH, row.names, strict=True))[: row.level - 1]:
            if not name:
                return ""
            found = by_name.get((parent_code, name))
            if found is None:
                where = name_of(parent_code) + " 下" if parent_code else ""
                cells.error(row.row, key, _("%(where)s找不到“%(name)s”。") % {"where": where, "name": name})
                return ""
            parent_code = found
        return parent_code

    for level in GridLevel.values:
        for row in checked.each(r for r in rows if r.level == level):
            before = cells.count
            old = existing.get(row.code)
            if old is None and (problem := code_problem(row.code)):
                cells.error(row.row, "code", problem)  # a stored code stays usable; a new one is digits
                continue
            if old and old.level != row.level:
                cells.error(
                    row.row,
                    "level",
                    _("网格“%(code)s”已存在且为%(old)s，不能改为%(new)s。")
                    % {
                        "code": row.code,
                        "old": GridLevel(old.level).label,
                        "new": GridLevel(row.level).label,
                    },
                )
                continue
            if not row.parent_code and level > GridLevel.STREET:
                row.parent_code = parent_by_names(row)
            if cells.count > before:
                continue
            if not row.parent_code and old and not (cells.has("parent_code") or cells.has("street")):
                row.parent_code = old.parent_code
            if row.parent_code and level_of(row.parent_code) is None:
                cells.error(
                    row.row, "parent_code", _("上级网格编码“%(code)s”不存在。") % {"code": row.parent_code}
                )
                continue
            problem = parent_error(level, level_of(row.parent_code) if row.parent_code else None)
            if problem:
                cells.error(row.row, "parent_code", problem)
            if old and not cells.has("kind"):
                row.kind = old.kind
            problem = kind_error(level, row.kind)
            if problem:
                cells.error(row.row, "kind", problem)
            if old and not cells.has("retired_on"):
                row.retired_on = old.retired_on
            if row.established_on is None:
                row.established_on = old.established_on if old else today
            parent = dates_of(row.parent_code) if row.parent_code else {}
            if cells.count == before:
                _check_dates(row, old, shut, parent, cells)
            parent_retired = parent.get("parent_retired_on")
            if (
                cells.count == before
                and parent_retired
                and (row.retired_on is None or row.retired_on > parent_retired)
            ):
                cells.error(
                    row.row,
                    "retired_on",
                    _("上级网格已于 %(date)s 撤销，本网格须同时或更早撤销。")
                    % {"date": date_text(parent_retired)},
                )
            if cells.count > before:
                continue
            by_name[(row.parent_code, compact_text(row.name))] = row.code
            if old is None:
                plan.grid_creates.append(row)
                continue
            new_values = {
                "name": row.name,
                "parent_code": row.parent_code,
                "kind": row.kind,
                "established_on": row.established_on,
                "retired_on": row.retired_on,
            }
            row.changes = {
                key: (getattr(old, key), value)
                for key, value in new_values.items()
                if getattr(old, key) != value
            }
            if row.changes:
                plan.grid_updates.append(row)
            else:
                plan.grid_unchanged += 1
    return {r.code: r.level for r in rows} | {c: e.level for c, e in existing.items() if c not in in_file}


# Named in a row's problem only: translated then, not for each of 13,000 rows.
ESTABLISHED, RETIRED = gettext_lazy("设立日期"), gettext_lazy("撤销日期")


def _check_dates(row: GridRow, old: Existing | None, shut, parent: dict, cells: Cells) -> None:
    """The bounds of grids.history on a row's 设立日期, 撤销日期 and parent, as the services apply them."""
    established, retired = ESTABLISHED, RETIRED
    if old is None:
        problems = [
            ("established_on", history.date_error(row.established_on, established, shut)),
            ("retired_on", row.retired_on and history.date_error(row.retired_on, retired, shut)),
        ]
    else:
        problems = [
            (
                "parent_code",
                row.parent_code != old.parent_code and history.move_error(old.established_on, shut),
            ),
            (
                "established_on",
                history.change_error(old.established_on, row.established_on, established, shut),
            ),
            ("retired_on", history.change_error(old.retired_on, row.retired_on, retired, shut)),
        ]
    problems.append(("established_on", history.lifetime_error(row.established_on, row.retired_on, **parent)))
    for key, problem in problems:
        if problem:
            cells.error(row.row, key, problem)
            return


class StaffCells(NamedTuple):
    """A staff row's cells as read (a function of the file alone, so part of the parse the confirm reuses)."""

    number: int
    grid_code: str
    name: str
    role_text: str
    role: str | None  # the StaffRole its 职务 names, or None
    phone: str
    phone_ok: bool
    active_text: str
    active: bool | None  # None: 在岗 says neither yes nor no


def _parse_staff_rows(sheet: SheetRows) -> list[StaffCells]:
    rows = []
    for number, record in sheet.rows:
        role_text = compact_text(record.get("role"))
        role = parse_role(role_text)
        phone = compact_text(record.get("phone"))
        active_text = compact_text(record.get("active"))
        rows.append(
            StaffCells(
                number,
                compact_text(record.get("grid_code")),
                compact_text(record.get("name")),
                role_text,
                None if role is None else str(role),
                phone,
                phone_error(phone) is None,
                active_text,
                parse_yes_no(active_text) if active_text else True,
            )
        )
    return rows


def _resolve_staff_rows(
    sheet: SheetRows, rows: list[StaffCells], levels: dict[str, int], plan: RosterPlan, checked: RowProgress
) -> None:
    cells = Cells(sheet, plan.errors)
    existing = staff_on_roster("grid__code")
    seen: dict[tuple, int] = {}
    for number, grid_code, name, role_text, role, phone, phone_ok, active_text, active in checked.each(rows):
        before = cells.count
        if not grid_code:
            cells.error(number, "grid_code", _("网格编码不能为空。"))
        elif grid_code not in levels:
            cells.error(number, "grid_code", _("网格编码“%(code)s”不存在。") % {"code": grid_code})
        if not name:
            cells.error(number, "name", _("姓名不能为空。"))
        cells.length(number, "name", name, GridStaff._meta.get_field("name").max_length)
        if role is None:
            cells.error(
                number,
                "role",
                _("职务不能为空。")
                if not role_text
                else _("未知职务“%(value)s”，应为 网格员、网格长 或 三级网格指导员。") % {"value": role_text},
            )
        elif grid_code in levels:
            problem = staff_role_error(role, levels[grid_code])
            if problem:
                cells.error(number, "role", problem)
        if not phone_ok:
            cells.error(number, "phone", phone_error(phone))
        if active is None:
            cells.error(
                number, "active", _("“%(value)s”无法识别，请填写 是 或 否。") % {"value": active_text}
            )
        elif not active and (grid_code, name, role) not in existing:
            cells.error(number, "active", _("花名册中没有此人员，不在岗的人员无需导入。"))
        key = (grid_code, name, role)
        if cells.count == before and key in seen:
            cells.error(number, "name", _("与第%(row)d行是同一网格的同一人员。") % {"row": seen[key]})
        if cells.count > before:
            continue
        seen[key] = number
        plan.add_staff(StaffRow(number, grid_code, name, role, phone, active), existing.get(key))


class Sheets(NamedTuple):
    """What the parse of the template keeps: its two sheets (either may be missing) and their rows' cells."""

    grid: SheetRows | None
    grid_rows: list[GridRow]
    staff: SheetRows | None
    staff_rows: list[StaffCells]


def read_sheets(workbook, grid_ws, plan: RosterPlan, *, staff_ws=None) -> Sheets:
    """Read the sheets 网格 and 网格人员 (either may be missing; staff_ws: the staff sheet, whatever its name),
    and their rows' cells."""
    staff_ws = staff_ws or find_sheet(workbook, STAFF_SHEETS, default_first=False)
    grid_sheet = (
        read_rows(grid_ws, GRID_COLUMNS, plan.errors, for_reading=GRID_FOR_READING) if grid_ws else None
    )
    staff_sheet = (
        read_rows(staff_ws, STAFF_COLUMNS, plan.errors, for_reading=STAFF_FOR_READING)
        if staff_ws and staff_ws is not grid_ws
        else None
    )
    for sheet in (grid_sheet, staff_sheet):
        if sheet is not None:
            plan.notes.extend(f"{sheet.sheet}：{note}" for note in sheet.notes())
    grid_rows = _parse_grid_rows(grid_sheet, plan.errors) if grid_sheet else []
    staff_rows = _parse_staff_rows(staff_sheet) if staff_sheet else []
    # Kept without their raw records, read into rows above: half the parse the cache stores and the
    # confirm loads.
    return Sheets(_headers_only(grid_sheet), grid_rows, _headers_only(staff_sheet), staff_rows)


def _headers_only(sheet: SheetRows | None) -> SheetRows | None:
    return None if sheet is None else replace(sheet, rows=[], whole={})


def row_count(sheets: Sheets) -> int:
    """The grid rows and the staff rows, which resolve goes through once each."""
    return len(sheets.grid_rows) + len(sheets.staff_rows)


def resolve(sheets: Sheets, plan: RosterPlan, checked: RowProgress) -> None:
    """Work out every change the two sheets ask for, or every problem they have (each row counted in
    checked as it is gone through)."""
    existing = _existing_grids()
    levels = {c: e.level for c, e in existing.items()}
    if sheets.grid:
        levels = _resolve_grid_rows(sheets.grid_rows, sheets.grid, existing, plan, checked)
    if sheets.staff:
        _resolve_staff_rows(sheets.staff, sheets.staff_rows, levels, plan, checked)
    sheet_order = {GRID_SHEET: 0, STAFF_SHEET: 1}
    plan.errors.sort(key=lambda e: (sheet_order.get(e.sheet, -1), e.row or 0))
