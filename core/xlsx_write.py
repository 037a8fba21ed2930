"""Writing workbooks the same way everywhere: a bold frozen header, sensible widths, text kept as text.

An export that people print (every one the pages offer) is a printable table: title lines saying what it is,
for which year/quarter/batch and unit, and the day it was made (heading_lines); columns as wide as their
content, the longest texts wrapped; numbers formatted; bold 合计 rows; on A4, fitted to the page's width with
the header repeated on every page and page numbers in the footer. tests/test_printed_workbooks.py prints
them with LibreOffice and reads the pages.
"""

import datetime as dt
import io
import math
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from core.formats import date_text

# Named: a font without a name is the spreadsheet's own default (LibreOffice: a serif), not the book's Calibri.
FONT_NAME = "Calibri"
HEADER_FONT = Font(name=FONT_NAME, bold=True)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
TOTAL_FONT = Font(name=FONT_NAME, bold=True)
# Page numbers in the printed footer (Excel's and LibreOffice's &P of &N). LibreOffice counts &N over the
# whole workbook, so a workbook of several sheets names the sheet (&A) and numbers its pages from 1 instead.
PAGE_FOOTER = "第 &P 页，共 &N 页"
SHEET_PAGE_FOOTER = "&A　第 &P 页"


def new_workbook(*, write_only: bool = False) -> Workbook:
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    return workbook


MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"  # of a fraction: 0.9512 shows as 95.12%
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
# A column is made as wide as its widest cell up to this (in character widths); longer texts wrap in it.
WIDEST_COLUMN = 40
NARROWEST_COLUMN = 6
WRAPPED = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(horizontal="center")


def heading_lines(title: str, *facts: str) -> list[str]:
    """A printed table's heading: its title, then one line of its facts (scope, unit, state) and the day
    it was made, which a printed copy otherwise does not show."""
    made = _("生成日期：%(day)s") % {"day": date_text(timezone.localdate())}
    return [title, "　".join([*(fact for fact in facts if fact), made])]


def add_table_sheet(
    workbook: Workbook,
    title: str,
    headers: list[str],
    rows,
    *,
    widths: dict[int, int] | None = None,
    formats: dict[int, str] | None = None,
    heading: list[str] | None = None,
    footing: list[str] | None = None,
    orientation: str | None = None,
    centred: frozenset[int] = frozenset(),
):
    """Append a sheet with a header row and the given rows (write-only friendly).

    formats maps 1-based column numbers to Excel number formats (money stays a number, not text).
    heading: title lines above the header, each merged over the table's width, as a printed table has;
    then rows labelled 合计 or …小计 in their first or second column are bold. footing: lines under the
    table, merged likewise (the 大写 of a total). orientation ("portrait" or "landscape") lays the sheet
    out for printing on A4 (print_on_a4), its header repeated on every page.
    rows given as a list size the columns to their content (widths, when given, win), a longer text than
    WIDEST_COLUMN wrapping; rows from a generator are not read ahead: widths then come from the headers.
    centred: columns of short words (是/否) centred, which would otherwise print against the number before them.
    """
    ws = workbook.create_sheet(title)
    if (formats or heading or footing) and not workbook.write_only:
        raise ValueError("number formats and headings are applied to write-only workbooks")
    heading, footing, formats = heading or [], footing or [], formats or {}
    fitted = fitted_widths(headers, rows, formats) if isinstance(rows, list | tuple) else {}
    wrapped = {
        column for column, width in fitted.items() if width >= WIDEST_COLUMN and column not in (widths or {})
    }
    fitted |= widths or {}
    for index, header in enumerate(headers, start=1):
        default = max(10, text_width(header) + 4)
        ws.column_dimensions[get_column_letter(index)].width = fitted.get(index, default)
    header_row = len(heading) + 1
    if heading or formats or wrapped or centred:
        rows = _styled(
            ws,
            rows,
            formats,
            wrapped=wrapped,
            centred=centred,
            bold_totals=bool(heading),
            first_row=header_row + 1,
        )
    ws.freeze_panes = f"A{header_row + 1}"
    if orientation:  # before the first row: a write-only sheet writes its properties with it
        print_on_a4(ws, orientation=orientation, header_rows=f"{header_row}:{header_row}")
    for line, text in enumerate(heading, start=1):
        _merged_line(
            ws, line, text, len(headers), font=TITLE_FONT if line == 1 else Font(name=FONT_NAME), centred=True
        )
    if workbook.write_only:
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            header_cells.append(cell)
        ws.append(header_cells)
    else:
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    written = header_row
    for row in rows:
        ws.append([_literal(ws, value) for value in row])
        written += 1
    for offset, text in enumerate(footing, start=written + 1):
        _merged_line(ws, offset, text, len(headers), font=TOTAL_FONT, centred=False)
    return ws


def _merged_line(ws, row: int, text: str, columns: int, *, font: Font, centred: bool) -> None:
    """Write a line of text merged over the table's width at the sheet's next row (which is `row`)."""
    cell = WriteOnlyCell(ws, value=text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center" if centred else "left", vertical="center", wrap_text=True)
    ws.merged_cells.add(f"A{row}:{get_column_letter(columns)}{row}")
    # Neither Excel nor LibreOffice grows a merged row to its wrapped text: give it the lines it needs.
    table_width = sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, columns + 1))
    size = font.sz or 11
    lines = math.ceil(text_width(text) * size / 11 / table_width)
    ws.row_dimensions[row].height = max(lines, 1) * size * 1.5
    ws.append([cell])


def fitted_widths(headers: list[str], rows, formats: dict[int, str]) -> dict[int, int]:
    """Each column's width (1-based) for its header and its widest cell as shown, within NARROWEST_COLUMN and
    WIDEST_COLUMN. A bold header takes about a tenth more room than its characters."""
    widest = [math.ceil(text_width(header) * 1.1) for header in headers]
    for row in rows:
        for index, value in enumerate(row):
            if value is None or value == "" or index >= len(widest):
                continue
            width = _shown_width(value, formats.get(index + 1))
            if width > widest[index]:
                widest[index] = width
    return {
        index: min(max(width + 2, NARROWEST_COLUMN), WIDEST_COLUMN) for index, width in enumerate(widest, 1)
    }


def _shown_width(value, number_format: str | None) -> int:
    """How many character widths a cell's value takes as the spreadsheet shows it (roughly, for numbers)."""
    if isinstance(value, str):
        return text_width(value)
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float | Decimal):
        if number_format == PERCENT_FORMAT:
            return len(f"{value * 100:.2f}%")
        if number_format and number_format.startswith("#,##0"):
            places = 2 if number_format.endswith(".00") else 0
            return len(f"{value:,.{places}f}")
        return len(str(value))
    return len(str(value))


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
    ws.page_setup.firstPageNumber, ws.page_setup.useFirstPageNumber = 1, True  # each sheet from its page 1


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


LINE_HEIGHT = 15  # points, a line of 11-point text as the spreadsheet spaces it


def _lines(text: str, width: float) -> int:
    """How many lines a text takes wrapped in a column of the given width."""
    return sum(max(1, math.ceil(text_width(part) / max(width - 1, 1))) for part in text.split("\n"))


def text_width(text: str) -> int:
    """How many column-width units a text takes at the default font: two for a Chinese character.

    Wide characters are those of Unicode's East Asian Wide and Fullwidth ranges (_WIDE), matched by a
    regular expression: the roster's 6,000 rows are measured in a few milliseconds.
    """
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


# East Asian Wide (W) and Fullwidth (F) characters of the Basic Multilingual Plane (unicodedata's "W"/"F").
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6]"
)


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


def _styled(
    ws,
    rows,
    formats: dict[int, str],
    *,
    wrapped: set[int],
    bold_totals: bool,
    first_row: int,
    centred: frozenset[int] = frozenset(),
):
    """Wrap cells in write-only cells carrying their column's number format or wrapping, and a total row's
    bold (a 合计 in the first column, or in the second beside a blank 排名 or 序号).

    A row whose wrapped text takes several lines is given their height as it is written: neither Excel nor
    LibreOffice grows a row of a generated file to its text when opening it.
    """
    column_widths = {c: ws.column_dimensions[get_column_letter(c)].width for c in wrapped}
    for number, row in enumerate(rows, start=first_row):
        cells = list(row)
        # Only a text longer than its column wraps: styling every cell of the column would slow the roster.
        wrap = {
            c
            for c in wrapped
            if c <= len(cells)
            and isinstance(cells[c - 1], str)
            and _lines(cells[c - 1], column_widths[c]) > 1
        }
        if wrap:
            lines = max(_lines(cells[c - 1], column_widths[c]) for c in wrap)
            ws.row_dimensions[number].height = lines * LINE_HEIGHT
        bold = bold_totals and any(is_total_label(value) for value in cells[:2])
        for column in range(1, len(cells) + 1) if bold else sorted(set(formats) | wrap | centred):
            value = cells[column - 1] if column <= len(cells) else None
            if value is None or value == "":
                continue
            cell = WriteOnlyCell(ws, value=storable_text(value))
            if column in formats:
                cell.number_format = formats[column]
            if column in wrap:
                cell.alignment = WRAPPED
            elif column in centred:
                cell.alignment = CENTRED
            if bold:
                cell.font = TOTAL_FONT
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
    if len(workbook.worksheets) > 1:  # a write-only sheet writes its footer when the workbook is saved
        for ws in workbook.worksheets:
            if ws.oddFooter.center.text == PAGE_FOOTER:
                ws.oddFooter.center.text = SHEET_PAGE_FOOTER
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
