"""Writing workbooks the same way everywhere: a bold frozen header, sensible widths, text kept as text."""

import io
import math
import unicodedata

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
TOTAL_FONT = Font(bold=True)
# Page numbers in the printed footer (Excel's and LibreOffice's &P of &N).
PAGE_FOOTER = "第 &P 页，共 &N 页"


def new_workbook(*, write_only: bool = False) -> Workbook:
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    return workbook


MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
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
    heading: list[str] | None = None,
    orientation: str | None = None,
):
    """Append a sheet with a header row and the given rows (write-only friendly).

    formats maps 1-based column numbers to Excel number formats (money stays a number, not text).
    heading: title lines above the header, each merged over the table's width, as a printed table has;
    then rows labelled 合计 or …小计 in the first column are bold. orientation ("portrait" or
    "landscape") lays the sheet out for printing on A4 (print_on_a4), its header repeated on every page.
    """
    ws = workbook.create_sheet(title)
    if (formats or heading) and not workbook.write_only:
        raise ValueError("number formats and headings are applied to write-only workbooks")
    heading = heading or []
    if heading or formats:
        rows = _styled(ws, rows, formats or {}, bold_totals=bool(heading))
    widths = widths or {}
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(index, max(10, len(header) * 2 + 4))
    header_row = len(heading) + 1
    ws.freeze_panes = f"A{header_row + 1}"
    if orientation:  # before the first row: a write-only sheet writes its properties with it
        print_on_a4(ws, orientation=orientation, header_rows=f"{header_row}:{header_row}")
    last_column = get_column_letter(len(headers))
    table_width = sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(headers) + 1))
    for line, text in enumerate(heading, start=1):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = TITLE_FONT if line == 1 else Font()
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merged_cells.add(f"A{line}:{last_column}{line}")
        # Neither Excel nor LibreOffice grows a merged row to its wrapped text: give it the lines it needs.
        size = cell.font.sz or 11
        lines = math.ceil(text_width(text) * size / 11 / table_width)
        ws.row_dimensions[line].height = max(lines, 1) * size * 1.5
        ws.append([cell])
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


def print_on_a4(ws, *, orientation: str, header_rows: str | None = None) -> None:
    """Print the sheet on A4 in the given orientation, fitted to the page's width (as many pages tall as
    it needs), with margins for binding, the header rows on every page and page numbers in the footer."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.7, right=0.5, top=0.7, bottom=0.8, header=0.3, footer=0.4)
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = header_rows
    ws.oddFooter.center.text = PAGE_FOOTER


def fit_row_heights(ws, rows: range) -> None:
    """Give each of the rows (of a normal sheet) the height its wrapped texts need, merged cells included.

    Neither Excel nor LibreOffice grows a row to a merged cell's text, and files differ in whether they
    grow it to any text at all: a printed form sets its heights itself.
    """
    spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
    covered = {(row, col) for r in spans.values() for row, col in r.cells} - set(spans)
    needed: dict[int, float] = {}
    for row in rows:
        for cell in ws[row]:
            if cell.value is None or (row, cell.column) in covered:
                continue
            merged = spans.get((row, cell.column))
            columns = range(cell.column, (merged.max_col if merged else cell.column) + 1)
            height = (merged.max_row - merged.min_row + 1) if merged else 1
            width = sum(ws.column_dimensions[get_column_letter(c)].width or 10 for c in columns)
            size = cell.font.sz or 11
            lines = sum(
                max(1, math.ceil(text_width(part) * size / 11 / max(width - 1, 1)))
                for part in str(cell.value).split("\n")
            )
            needed[row] = max(needed.get(row, 0), lines * size * 1.5 / height)
    for row, height in needed.items():
        ws.row_dimensions[row].height = max(height, 16)


def text_width(text: str) -> int:
    """How many column-width units a text takes at the default font: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def is_total_label(value) -> bool:
    """Whether a first cell labels a total row: 合计, or a subtotal such as “高塘岭街道 小计”."""
    return isinstance(value, str) and (value == "合计" or value.endswith("小计"))


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


def _styled(ws, rows, formats: dict[int, str], *, bold_totals: bool):
    """Wrap cells in write-only cells carrying their column's number format, and a total row's bold."""
    for row in rows:
        cells = list(row)
        bold = bold_totals and bool(cells) and is_total_label(cells[0])
        for index, value in enumerate(cells):
            number_format = formats.get(index + 1)
            if (number_format is None and not bold) or value in (None, ""):
                continue
            cell = WriteOnlyCell(ws, value=storable_text(value))
            if number_format:
                cell.number_format = number_format
            if bold:
                cell.font = TOTAL_FONT
            keep_as_text(cell)  # a formatted column is numbers and dates, but text stays text there too
            cells[index] = cell
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
