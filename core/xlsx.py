"""Reading user-made workbooks: find the header row, map synonyms, normalise cells, report errors.

Every importer of the project builds on these helpers so that all of them share one set of
conventions: a preview before anything is written, errors named by sheet, row and column, and
a clear message instead of a server error for whatever file a user uploads.
"""

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

HEADER_SCAN_ROWS = 20
# A workbook's XML packs about 5–15 times (the demo's exports: 9–14); far more than that is a zip bomb,
# not a spreadsheet. Refused: unpacking to more than 20 times the upload limit, or, beyond a few MB
# that any parser handles quickly, to more than 100 times the file itself.
UNPACKED_FACTOR = 20
UNPACKED_RATIO, UNPACKED_RATIO_FROM = 100, 20 * 1024 * 1024
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b]+")
_FULLWIDTH = str.maketrans("（）：，；", "():,;")


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


def normalize_header(text) -> str:
    return _SPACES.sub("", str(text or "")).translate(_FULLWIDTH).lower()


def clean_text(value) -> str:
    """Return a cell as trimmed text: numbers stored as numbers read as their digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _SPACES.sub(" ", str(value)).strip()


def compact_text(value) -> str:
    """Return a cell as text with every kind of space removed (codes, phones, names)."""
    return _SPACES.sub("", clean_text(value))


def parse_date(value) -> dt.date:
    """Parse a date cell (a real date or text such as 2022-03-31, 2022/3/31, 2022年3月31日)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = compact_text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError(_("“%(value)s”不是有效日期（例如 2022-03-31）") % {"value": text})
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise ValueError(_("“%(value)s”不是有效日期（例如 2022-03-31）") % {"value": text}) from exc


def check_size(size: int) -> None:
    """Refuse an upload larger than MAX_UPLOAD_BYTES with a message giving both sizes."""
    if size > settings.MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("文件过大（%(size).1f MB），上限为 %(limit).0f MB。")
            % {"size": size / 1048576, "limit": settings.MAX_UPLOAD_BYTES / 1048576}
        )


def open_workbook(upload) -> "Workbook":  # noqa: F821
    """Open an uploaded file (bytes or file-like) as a read-only workbook or raise ImportFileError."""
    data = upload if isinstance(upload, bytes) else upload.read()
    check_size(len(data))
    if not data:
        raise ImportFileError(_("上传的文件是空的。"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(_("文件不是 Excel 工作簿（.xlsx）。请在 Excel 中“另存为 .xlsx”后重新上传。"))
    damaged = _("无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # a damaged central directory fails in many ways
        raise ImportFileError(damaged) from exc
    # zipfile never reads past a member's declared size, so the sum bounds what parsing can unpack.
    if unpacked > UNPACKED_FACTOR * settings.MAX_UPLOAD_BYTES or (
        unpacked > UNPACKED_RATIO_FROM and unpacked > UNPACKED_RATIO * len(data)
    ):
        raise ImportFileError(
            _("文件解压后过大（%(size).0f MB），不像是正常的工作簿。请删除多余的行、格式或图片后重新上传。")
            % {"size": unpacked / 1048576}
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise ImportFileError(damaged) from exc


def find_sheet(workbook, names: tuple[str, ...], *, default_first: bool):
    wanted = {normalize_header(n) for n in names}
    for ws in workbook.worksheets:
        if normalize_header(ws.title) in wanted:
            return ws
    return workbook.worksheets[0] if default_first and workbook.worksheets else None


def read_rows(ws, columns: list[Column], errors: list[RowError]) -> SheetRows | None:
    """Find the header row among the first rows and return the data rows keyed by column key."""
    lookup = {}
    for col in columns:
        for name in col.names():
            lookup[name] = col
    best = None
    scanned = []
    for row_number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        scanned.append(values)
        found = {}
        for index, cell in enumerate(values):
            col = lookup.get(normalize_header(cell))
            if col and col.key not in found:
                found[col.key] = (index, clean_text(cell))
        if best is None or len(found) > len(best[1]):
            best = (row_number, found)
        if row_number >= HEADER_SCAN_ROWS:
            break
    if best is None or not best[1]:
        labels = "、".join(c.label for c in columns if c.required)
        errors.append(
            RowError(ws.title, None, "", _("找不到表头行（应包含：%(labels)s）。") % {"labels": labels})
        )
        return None
    header_row, found = best
    missing = [c.label for c in columns if c.required and c.key not in found]
    if missing:
        errors.append(
            RowError(ws.title, header_row, "", _("缺少必需的列：%(cols)s。") % {"cols": "、".join(missing)})
        )
        return None
    result = SheetRows(
        sheet=ws.title,
        header_row=header_row,
        columns={k: v[1] for k, v in found.items()},
        labels={c.key: c.label for c in columns},
    )
    positions = {key: index for key, (index, _label) in found.items()}
    # Read only as far right as the last known column: a hostile sheet can place a cell in column XFD
    # of every row, and openpyxl pads each row it returns to that width.
    last_column = max(positions.values()) + 1
    for row_number, values in enumerate(
        ws.iter_rows(min_row=header_row + 1, max_col=last_column, values_only=True), start=header_row + 1
    ):
        record = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        if all(clean_text(v) == "" for v in record.values()):
            continue
        result.rows.append((row_number, record))
    return result
