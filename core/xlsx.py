"""Reading user-made workbooks: find the header row, map synonyms, normalise cells, report errors.

Every importer of the project builds on these helpers so that all of them share one set of
conventions: a preview before anything is written, errors named by sheet, row and column, and
a clear message instead of a server error for whatever file a user uploads.
"""

import datetime as dt
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from python_calamine import CalamineWorkbook

from core.normalise import date_window_message, normalise_text, plausible_date
from core.progress import RowProgress, preview_progress

HEADER_SCAN_ROWS = 20
# A workbook's XML packs about 5–15 times (the demo's exports: 9–14); far more than that is a zip bomb,
# not a spreadsheet. Refused: unpacking to more than 20 times the upload limit, or, beyond a few MB
# that any parser handles quickly, to more than 100 times the file itself.
UNPACKED_FACTOR = 20
UNPACKED_RATIO, UNPACKED_RATIO_FROM = 100, 20 * 1024 * 1024
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b]+")
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
# A trailing unit or note in brackets: 拨付金额（元）, 受理时间(北京时间).
_BRACKETED_TAIL = re.compile(r"\([^()]*\)$")
# Rows under the table that are not data: totals, signatures, dates, notes.
FOOTER_WORDS = (
    "合计", "总计", "小计", "共计", "填表人", "填报人", "制表人", "审核人", "负责人", "经办人", "统计人", "报送人",
    "联系人", "制表", "填表", "审核", "填表日期", "填报日期", "制表日期", "日期", "单位负责人",
    "注:", "备注:", "说明:",
)  # fmt: skip
TOTAL_WORDS = ("合计", "总计", "共计")
# A running number carries no data: not worth naming among the unused columns.
SERIAL_HEADERS = ("序号", "编号序", "no", "no.", "#")
# Widest header a sheet may have for reading: a hostile sheet can place a cell in column XFD.
MAX_COLUMNS = 200


class ImportFileError(Exception):
    """The upload cannot be read as a workbook at all."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.label, *self.synonyms)}


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} 第{self.row}行" if self.row else self.sheet
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}"


@dataclass
class SheetRows:
    sheet: str
    header_row: int
    columns: dict[str, str]  # key -> the header text found in the sheet
    rows: list[tuple[int, dict]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # key -> the expected header, for absent columns
    unused: list[str] = field(default_factory=list)  # headers of the sheet that no column reads
    # headers the importer knows and leaves alone: what the app's own export adds for reading only
    for_reading: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # footer rows: (row, first text)
    preamble: list[str] = field(default_factory=list)  # the texts above the header (title, 单位：万元 …)
    # 合计/总计 rows under the table, with their cells in the columns read: (row, record).
    totals: list[tuple[int, dict]] = field(default_factory=list)
    # Each data row's every cell, read or not, as read: two rows are the same only when all of them read
    # as the same text (compared, and so cleaned, only for the rows a duplicate names).
    whole: dict[int, tuple] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)  # every header cell as written, by position

    def differing_columns(self, row: int, other: int) -> list[str]:
        """The headers of the columns, read or not, in which two data rows differ (a 序号 aside)."""
        a, b = (tuple(clean_text(v) for v in self.whole.get(r, ())) for r in (row, other))
        width = max(len(a), len(b))
        a, b = a + ("",) * (width - len(a)), b + ("",) * (width - len(b))
        return [
            (self.headers[i] if i < len(self.headers) and self.headers[i] else _("第%(n)d列") % {"n": i + 1})
            for i in range(width)
            if a[i] != b[i]
            and not (i < len(self.headers) and normalize_header(self.headers[i]) in SERIAL_HEADERS)
        ]

    def notes(self) -> list[str]:
        """What the preview says about the sheet itself: columns left unread, footer rows skipped."""
        notes = []
        if self.unused:
            notes.append(_("未使用的列：%(cols)s。") % {"cols": "、".join(self.unused)})
        if self.for_reading:
            notes.append(
                _("%(cols)s是导出时附上的参考信息，导入时不读取。") % {"cols": "、".join(self.for_reading)}
            )
        if self.skipped:
            rows = "、".join(
                _("第%(row)d行“%(text)s”") % {"row": r, "text": t[:20]} for r, t in self.skipped[:10]
            )
            more = _(" 等 %(n)d 行") % {"n": len(self.skipped)} if len(self.skipped) > 10 else ""
            notes.append(
                _("%(rows)s%(more)s是合计、签名或日期等表尾行，已跳过。") % {"rows": rows, "more": more}
            )
        return notes


def plain(text) -> str:
    """Text as compared: full-width letters, digits and brackets made half-width, every space removed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text or "")))


def normalize_header(text) -> str:
    return plain(text).lstrip("*").rstrip(":").lower()


def clean_text(value) -> str:
    """Return a cell as trimmed text: numbers stored as numbers read as their digits."""
    if value is None:
        return ""
    if type(value) is str:
        # Short texts remembered (streets, levels, roles, dates, names); a long note is cleaned each time,
        # so that a column of free text cannot fill the memory of a worker.
        return _clean_str(value) if len(value) <= CLEAN_MEMO_LENGTH else _clean(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _clean(str(value))


CLEAN_MEMO_LENGTH = 64


def _clean(text: str) -> str:
    return _SPACES.sub(" ", normalise_text(text)).strip()


# clean_text of a short string, remembered: a sheet repeats its streets, levels, roles and dates on every row.
_clean_str = functools.lru_cache(maxsize=1 << 16)(_clean)


def compact_text(value) -> str:
    """Return a cell as text with every kind of space removed (codes, phones, names)."""
    if type(value) is str and len(value) <= CLEAN_MEMO_LENGTH:
        return _compact_str(value)
    return _SPACES.sub("", clean_text(value))


@functools.lru_cache(maxsize=1 << 16)
def _compact_str(text: str) -> str:
    return _SPACES.sub("", _clean_str(text))


def parse_date(value) -> dt.date:
    """Parse a date cell (a real date or text such as 2022-03-31, 2022/3/31, 2022年3月31日) in the
    plausible window (core.normalise.plausible_date)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        text, date = value.isoformat(), value
    else:
        text = compact_text(value)
        match = re.fullmatch(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?", text)
        if not match:
            raise ValueError(_("“%(value)s”不是有效日期（例如 2022-03-31）") % {"value": text})
        try:
            date = dt.date(*(int(g) for g in match.groups()))
        except ValueError as exc:
            raise ValueError(_("“%(value)s”不是有效日期（例如 2022-03-31）") % {"value": text}) from exc
    if not plausible_date(date):
        raise ValueError(f"“{text}”：{date_window_message()}")
    return date


def check_size(size: int) -> None:
    """Refuse an upload larger than MAX_UPLOAD_BYTES with a message giving both sizes."""
    if size > settings.MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("文件过大（%(size).1f MB），上限为 %(limit).0f MB。")
            % {"size": size / 1048576, "limit": settings.MAX_UPLOAD_BYTES / 1048576}
        )


class Sheet:
    """One worksheet of an upload: its title and its rows of cell values counted from A1 (None for an empty
    cell), read when first asked for. The cells come from calamine, a Rust reader: a city-wide 12345
    export of 20,000 rows reads in about 0.3 s, against 2–3 s with openpyxl, which writes the exports."""

    def __init__(self, workbook, index: int, title: str):
        self._workbook, self._index, self.title = workbook, index, title
        self._rows: list[list] | None = None

    def _load(self) -> list[list]:
        if self._rows is None:
            # From A1 (skip_empty_area=False): row and column numbers are the sheet's own.
            self._rows = self._workbook.get_sheet_by_index(self._index).to_python(skip_empty_area=False)
        return self._rows

    @property
    def max_row(self) -> int:
        return len(self._load())

    def iter_rows(
        self, *, min_row: int = 1, max_row: int | None = None, max_col: int | None = None, values_only=True
    ):
        """Rows as tuples of values, like openpyxl's iter_rows(values_only=True)."""
        for values in self._load()[min_row - 1 : max_row]:
            cells = values[:max_col] if max_col is not None else values
            # calamine gives "" for an empty cell, openpyxl None: most rows have one or none.
            yield tuple(None if v == "" else v for v in cells) if "" in cells else tuple(cells)


class Workbook:
    """An upload's sheets, by position and title (see Sheet)."""

    def __init__(self, reader):
        self._reader = reader
        self.worksheets = [Sheet(reader, i, name) for i, name in enumerate(reader.sheet_names)]

    def close(self) -> None:
        self._reader.close()


DAMAGED = gettext_noop("无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式。")


def open_workbook(upload) -> Workbook:
    """Open an uploaded file (bytes or file-like) as a workbook to read, or raise ImportFileError."""
    data = upload if isinstance(upload, bytes) else upload.read()
    check_size(len(data))
    if not data:
        raise ImportFileError(_("上传的文件是空的。"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(_("文件不是 Excel 工作簿（.xlsx）。请在 Excel 中“另存为 .xlsx”后重新上传。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # a damaged central directory fails in many ways
        raise ImportFileError(_(DAMAGED)) from exc
    # zipfile never reads past a member's declared size, so the sum bounds what parsing can unpack.
    if unpacked > UNPACKED_FACTOR * settings.MAX_UPLOAD_BYTES or (
        unpacked > UNPACKED_RATIO_FROM and unpacked > UNPACKED_RATIO * len(data)
    ):
        raise ImportFileError(
            _("文件解压后过大（%(size).0f MB），不像是正常的工作簿。请删除多余的行、格式或图片后重新上传。")
            % {"size": unpacked / 1048576}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_extent(archive.read(info))
        return Workbook(CalamineWorkbook.from_filelike(io.BytesIO(data)))
    except ImportFileError:
        raise
    except Exception as exc:  # the reader raises many kinds for a damaged or foreign zip
        raise ImportFileError(_(DAMAGED)) from exc


# The reader lays a sheet out as a full grid from A1 to its last cell in use, so a sheet whose cells
# reach far (a stray value in XFD1048576) would ask for billions of cells. Refused above this many:
# 60,000 rows of 80 columns is far more than any import reads.
MAX_GRID_CELLS = 5_000_000
# Every cell element's start, with its reference when that is its first attribute (r="AB12", as Excel, WPS,
# LibreOffice and openpyxl write it; any case, leading zeros, either quotes). A sheet with a cell of any
# other shape is laid out by an XML parser instead (_extent_by_position), as the reader would place it.
_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?:\s+r\s*=\s*[\"']([A-Za-z]+)0*([0-9]+)[\"']|[\s/>])")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _check_extent(xml: bytes) -> None:
    cells = _CELL.findall(xml)
    if not cells:
        return
    letters, numbers = zip(*cells, strict=True)
    if b"" not in numbers:
        rows, columns = max(map(int, numbers)), max(map(_column_number, set(letters)))
    else:  # cells without a reference (placed after the one before): laid out as the reader lays them
        rows, columns = _extent_by_position(xml)
    if rows * columns > MAX_GRID_CELLS:
        raise ImportFileError(
            _(
                "工作表的内容延伸到第 %(rows)d 行、第 %(cols)d 列，范围过大。"
                "请删除表格以外的单元格（或把数据复制到新工作表）后重新上传。"
            )
            % {"rows": rows, "cols": columns}
        )


_REF = re.compile(r"\s*([A-Za-z]+)0*([0-9]+)\s*")


def _extent_by_position(xml: bytes) -> tuple[int, int]:
    """The last row and column a sheet's cells reach, each placed by its reference or, without one, after the
    cell (or row) before it. (Python's expat, 2.4 and later, refuses entity-expansion bombs; the XML's size
    is bounded by open_workbook's checks.)"""
    from xml.etree.ElementTree import iterparse

    rows = columns = row = column = 0
    try:
        for _event, element in iterparse(io.BytesIO(xml), events=("start",)):
            name = element.tag.rsplit("}", 1)[-1]
            if name == "row":
                number = element.get("r", "").strip()
                row, column = (int(number) if number.isdigit() else row + 1), 0
            elif name == "c":
                ref = _REF.fullmatch(element.get("r", ""))
                if ref:
                    column, row = _column_number(ref.group(1).encode()), int(ref.group(2))
                else:
                    column += 1
                rows, columns = max(rows, row), max(columns, column)
            element.clear()
    except Exception as exc:  # not well-formed: the reader could not read it either
        raise ImportFileError(_(DAMAGED)) from exc
    return rows, columns


def find_sheet(workbook, names: tuple[str, ...], *, default_first: bool):
    wanted = {normalize_header(n) for n in names}
    for ws in workbook.worksheets:
        if normalize_header(ws.title) in wanted:
            return ws
    return workbook.worksheets[0] if default_first and workbook.worksheets else None


def _column_for(lookup: dict, text) -> "Column | None":
    """The column a header cell names: as written, or without a trailing unit such as （元）."""
    name = normalize_header(text)
    if not name:
        return None
    found = lookup.get(name) or lookup.get(_BRACKETED_TAIL.sub("", name))
    if found is None and re.search(r"[/、]", name):
        # 街道/乡镇, 社区/村: a header naming one thing in two words is that thing when both words agree.
        parts = {_column_for(lookup, part) for part in re.split(r"[/、]", name) if part}
        found = parts.pop() if len(parts) == 1 else None
    return found


def _match_header(lookup: dict, names: list[list]) -> dict:
    """Map column keys to (index, header text): each cell is tried with each of its candidate names.

    A column named by its own label wins over one named by a synonym: in 编号 | 工单编号 the ticket
    number is 工单编号, whichever comes first."""
    found, used = {}, set()
    for by_label in (True, False):
        for index, candidates in enumerate(names):
            if index in used:
                continue
            # The label pass reads a cell's own text only, not a merged group's text carried over it.
            for text in candidates[:1] if by_label else candidates:
                col = _column_for(lookup, text)
                if col is None or col.key in found:
                    continue
                if by_label and normalize_header(text) != normalize_header(col.label):
                    continue
                found[col.key] = (index, clean_text(text))
                used.add(index)
                break
    return found


def _two_row_names(top: tuple, below: tuple) -> list[list]:
    """Names of a header written over two rows with merged cells.

    A cell merged across columns (资金信息 over 金额 | 用途) keeps its text in its first cell only, so it is
    carried right while cells below continue; one merged down (序号) has its text in the top row only.
    """
    width = max(len(top), len(below))
    names, carried = [], ""
    for i in range(width):
        upper = clean_text(top[i]) if i < len(top) else ""
        lower = clean_text(below[i]) if i < len(below) else ""
        carried = upper or (carried if lower else "")
        names.append([n for n in (lower, carried + lower, carried) if n] if lower else [upper])
    return names


def _has_group(top: tuple, below: tuple) -> bool:
    """Whether a row pair looks like a two-row header: some top cell is merged over two or more cells below
    (text above the first, nothing above the next, text under both), beside other header cells. Without
    such a group the row below is data, even when a value in it reads like a header (社区, 楼栋)."""
    for i in range(min(len(top), len(below)) - 1):
        if (
            clean_text(top[i])
            and clean_text(below[i])
            and not clean_text(top[i + 1])
            and clean_text(below[i + 1])
        ):
            return True
    return False


def _is_footer(values, width: int) -> str:
    for value in values[:width]:
        text = clean_text(value)
        if text:
            return text if plain(text).startswith(FOOTER_WORDS) else ""
    return ""


def read_rows(
    ws, columns: list[Column], errors: list[RowError], *, for_reading: frozenset[str] = frozenset()
) -> SheetRows | None:
    """Find the header among the first rows (one row, or two with merged cells) and read the data rows.

    Title rows above the header are ignored; rows of totals, signatures and dates are skipped and
    listed (SheetRows.skipped); headers no column reads are listed (SheetRows.unused), except those named
    in for_reading (a column the app's own export adds to be read by people), listed apart.
    """
    lookup = {}
    for col in columns:
        for name in col.names():
            lookup[name] = col
    scanned = []
    for values in ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True):
        scanned.append(values)
    best = None  # (score, header rows, first header row number, found, names)
    for i, values in enumerate(scanned):
        single = [[v] if v is not None else [] for v in values]
        for rows_used, names in (
            (1, single),
            (
                2,
                _two_row_names(values, scanned[i + 1])
                if i + 1 < len(scanned) and _has_group(values, scanned[i + 1])
                else None,
            ),
        ):
            if names is None:
                continue
            found = _match_header(lookup, names)
            score = (len(found), -rows_used)
            if found and (best is None or score > best[0]):
                best = (score, rows_used, i + 1, found, names)
    if best is None:
        labels = "、".join(c.label for c in columns if c.required)
        errors.append(
            RowError(ws.title, None, "", _("找不到表头行（应包含：%(labels)s）。") % {"labels": labels})
        )
        return None
    _score, rows_used, header_row, found, names = best
    last_header_row = header_row + rows_used - 1
    missing = [c for c in columns if c.required and c.key not in found]
    if missing:
        written = [
            c.label + (_("（或 %(names)s）") % {"names": "、".join(c.synonyms[:4])} if c.synonyms else "")
            for c in missing
        ]
        errors.append(
            RowError(ws.title, header_row, "", _("缺少必需的列：%(cols)s。") % {"cols": "；".join(written)})
        )
        return None
    used = {index for index, _label in found.values()}
    width = min(max(len(names), max(used) + 1), MAX_COLUMNS)
    result = SheetRows(
        sheet=ws.title,
        header_row=header_row,
        columns={k: v[1] for k, v in found.items()},
        labels={c.key: c.label for c in columns},
        unused=[
            clean_text(n[0])
            for i, n in enumerate(names[:width])
            if i not in used
            and n
            and clean_text(n[0])
            and normalize_header(n[0]) not in SERIAL_HEADERS
            and clean_text(n[0]) not in for_reading
        ],
        for_reading=[
            clean_text(n[0])
            for i, n in enumerate(names[:width])
            if i not in used and n and clean_text(n[0]) in for_reading
        ],
    )
    result.headers = [clean_text(n[0]) if n else "" for n in names[:width]]
    result.preamble = [clean_text(v) for values in scanned[: header_row - 1] for v in values if clean_text(v)]
    positions = {key: index for key, (index, _label) in found.items()}
    header_texts = {key: normalize_header(text) for key, text in result.columns.items()}
    limit = settings.MAX_IMPORT_ROWS
    # Going through the rows (footers, repeated headers, blank rows) is a large sheet's reading: a preview
    # job tells how far it has got.
    reading = RowProgress(
        preview_progress(),
        max((ws.max_row or 0) - last_header_row, 0),
        _("读取工作表“%(sheet)s”") % {"sheet": ws.title},
    )
    for row_number, values in enumerate(
        reading.each(ws.iter_rows(min_row=last_header_row + 1, max_col=width, values_only=True)),
        start=last_header_row + 1,
    ):
        footer = _is_footer(values, width)
        if footer:
            result.skipped.append((row_number, footer))
            if plain(footer).startswith(TOTAL_WORDS):
                result.totals.append(
                    (
                        row_number,
                        {key: (values[i] if i < len(values) else None) for key, i in positions.items()},
                    )
                )
            continue
        record = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        if all(clean_text(v) == "" for v in record.values()):
            continue
        if all(normalize_header(record[k]) == t for k, t in header_texts.items()):
            continue  # the header repeated on every printed page of an export
        if len(result.rows) >= limit:
            errors.append(
                RowError(
                    ws.title, None, "", _("工作表超过 %(n)d 行数据，请分成几个文件导入。") % {"n": limit}
                )
            )
            return None
        result.rows.append((row_number, record))
        result.whole[row_number] = values
    reading.finish()
    return result
