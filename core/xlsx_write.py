"""Writing workbooks the same way everywhere: a bold frozen header, sensible widths, text kept as text."""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def new_workbook(*, write_only: bool = False) -> Workbook:
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    return workbook


MONEY_FORMAT = "#,##0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


def add_table_sheet(
    workbook: Workbook,
    title: str,
    headers: list[str],
    rows,
    *,
    widths: dict[int, int] | None = None,
    formats: dict[int, str] | None = None,
):
    """Append a sheet with a header row and the given rows (write-only friendly).

    formats maps 1-based column numbers to Excel number formats (money stays a number, not text).
    """
    ws = workbook.create_sheet(title)
    if formats:
        if not workbook.write_only:
            raise ValueError("number formats are applied to write-only workbooks")
        rows = _formatted(ws, rows, formats)
    widths = widths or {}
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(index, max(10, len(header) * 2 + 4))
    ws.freeze_panes = "A2"
    if workbook.write_only:
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            header_cells.append(cell)
        ws.append(header_cells)
    else:
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in rows:
        ws.append([_literal(ws, value) for value in row])
    return ws


def _literal(ws, value):
    """Keep text as text: openpyxl writes '=...' as a live formula and '#N/A' as an error value.

    Names, remarks and descriptions come from users and imported workbooks; a '=HYPERLINK(...)' or
    "=cmd|'...'" typed there must reach whoever opens the export as the text it was, never as a formula.
    Control characters, which Excel cannot hold, are dropped rather than failing the whole export.
    """
    if not isinstance(value, str):
        return value
    value = storable_text(value)
    if not _reads_as_formula(value):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def storable_text(value):
    """Text without the control characters Excel cannot hold (other values unchanged)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _reads_as_formula(value) -> bool:
    return isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)


def keep_as_text(cell) -> None:
    """A cell of a normal (not write-only) sheet holding user text shows that text, never a formula."""
    if _reads_as_formula(cell.value):
        cell.data_type = "s"


def _formatted(ws, rows, formats: dict[int, str]):
    """Wrap the cells of formatted columns in write-only cells carrying their number format."""
    for row in rows:
        cells = list(row)
        for column, number_format in formats.items():
            if cells[column - 1] not in (None, ""):
                cell = WriteOnlyCell(ws, value=storable_text(cells[column - 1]))
                cell.number_format = number_format
                keep_as_text(cell)  # a formatted column is numbers and dates, but text stays text there too
                cells[column - 1] = cell
        yield cells


def add_list_validation(ws, column_letter: str, options: list[str], *, first_row: int, last_row: int = 5000):
    """Offer a drop-down of allowed values for a column (the importer accepts the same words)."""
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="请从下拉列表中选择。",
    )
    validation.add(f"{column_letter}{first_row}:{column_letter}{last_row}")
    ws.data_validations.append(validation)  # what add_data_validation does; write-only sheets lack the method


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
