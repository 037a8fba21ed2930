"""The roster workbook importer: read, validate everything, preview, then write all or nothing.

Two layouts are read: the district's template, grids and staff named by code on two sheets
(grids.importers.coded), and a street's own one-sheet roster naming grids by their path, with staff
on the grid's row and no codes (grids.importers.named). A sheet with a 层级 or 网格编码 column, or a
workbook with a 网格人员 sheet beside it, is the template.
"""

import contextlib
import hashlib

from django.conf import settings
from django.core.cache import cache

from core.import_plan import PARSED_SHEET_SECONDS, read_workbook
from core.progress import rows_checked
from core.xlsx import find_sheet, normalize_header
from grids.importers import coded, named
from grids.importers.coded import GRID_SHEET, STAFF_SHEET
from grids.importers.plan import GridRow, RosterPlan, StaffRow

__all__ = ["GRID_SHEET", "STAFF_SHEET", "GridRow", "RosterPlan", "StaffRow", "build_roster_plan"]

# Headers only the template has: its 层级 column (any of its names) and its codes.
CODED_MARKERS = {
    *next(c for c in coded.GRID_COLUMNS if c.key == "level").names(),
    normalize_header("网格编码"),
    normalize_header("上级网格编码"),
}


# A sheet of staff alone, as a street sends who serves where: a person's name and their grid's code, and no
# 层级 (the template's grid sheet has a level; a street's named roster has no codes).
STAFF_NAMES = next(c for c in coded.STAFF_COLUMNS if c.key == "name").names()
STAFF_CODES = next(c for c in coded.STAFF_COLUMNS if c.key == "grid_code").names()
LEVEL_NAMES = next(c for c in coded.GRID_COLUMNS if c.key == "level").names()


def _staff_sheet_alone(workbook, grid_ws) -> bool:
    """Whether the workbook is a staff sheet without a grid sheet (its first sheet, named or not)."""
    if grid_ws is None or find_sheet(workbook, coded.GRID_SHEETS, default_first=False) is not None:
        return False
    return any(
        texts & STAFF_NAMES and texts & STAFF_CODES and not texts & LEVEL_NAMES
        for texts in named.header_rows(grid_ws)
    )


def _is_named_layout(workbook, grid_ws) -> bool:
    if grid_ws is None:
        return False
    staff_ws = find_sheet(workbook, coded.STAFF_SHEETS, default_first=False)
    if staff_ws is not None and staff_ws is not grid_ws:
        return False
    return not any(texts & CODED_MARKERS for texts in named.header_rows(grid_ws))


def build_roster_plan(data: bytes) -> RosterPlan:
    """Read a roster workbook in either layout and work out every change it asks for, or every problem."""
    plan = RosterPlan()
    layout, sheets, errors, notes = _parsed(data)
    plan.errors.extend(errors)
    plan.notes.extend(notes)
    if layout is not None and sheets is not None:
        module = LAYOUTS[layout]
        checked = rows_checked(module.row_count(sheets))  # told to the preview's job, if in one
        module.resolve(sheets, plan, checked)
        checked.finish()
    return plan


LAYOUTS = {"coded": coded, "named": named}


def _parsed(data: bytes) -> tuple[str | None, object, list, list]:
    """(layout, its sheets, the reading's errors and notes) of a workbook, parsed once: the preview parses
    an upload and the confirm a little later plans the same bytes again, against the roster of the moment,
    from the parse kept in the cache shared by the workers (as core.import_plan.read_first_sheet does)."""
    digest = hashlib.sha256(data)
    digest.update(f"{settings.MAX_IMPORT_ROWS}".encode())
    key = f"parsed-roster:4:{digest.hexdigest()}"  # 4: a staff sheet alone read as staff
    try:
        cached = cache.get(key)
    except Exception:  # an unreadable cache entry is only a cache miss
        cached = None
    if cached is not None:
        return cached
    reading = RosterPlan()

    def read(workbook):
        grid_ws = find_sheet(workbook, coded.GRID_SHEETS, default_first=True)
        if _staff_sheet_alone(workbook, grid_ws):
            return "coded", coded.read_sheets(workbook, None, reading, staff_ws=grid_ws)
        if _is_named_layout(workbook, grid_ws):
            return "named", named.read_sheet(workbook, grid_ws, reading)
        return "coded", coded.read_sheets(workbook, grid_ws, reading)

    layout, sheets = read_workbook(data, reading, read) or (None, None)
    parsed = (layout, sheets, reading.errors, reading.notes)
    with contextlib.suppress(Exception):  # a full disk or an unpicklable cell: parse again next time
        cache.set(key, parsed, PARSED_SHEET_SECONDS)
    return parsed
