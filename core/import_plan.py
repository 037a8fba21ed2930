"""What every workbook importer shares: the plan a preview shows, and errors named by sheet, row and column."""

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.normalise import date_window_message, fold, plausible_date
from core.progress import CHECKING, OPENING, Progress, RowProgress, preview_progress
from core.xlsx import (
    Column,
    ImportFileError,
    RowError,
    SheetRows,
    clean_text,
    compact_text,
    open_workbook,
    read_rows,
)


@dataclass
class Plan:
    """What an import would do: rows to create/update, rows left alone, and every problem."""

    errors: list[RowError] = field(default_factory=list)
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # what the preview shows for a row's object, by id

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.creates or self.updates)


class Cells:
    """Records errors against a sheet, row and the header text the user wrote."""

    def __init__(self, sheet: SheetRows, errors: list[RowError]):
        self.sheet, self.errors, self.count = sheet, errors, 0

    def label(self, key: str) -> str:
        """The column's header as the user wrote it, or as expected when the sheet lacks the column."""
        return self.sheet.columns.get(key) or self.sheet.labels.get(key, "")

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(self.sheet.sheet, row, self.label(key), message))
        self.count += 1

    def has(self, key: str) -> bool:
        """Whether the sheet has this column at all (an absent column leaves existing values alone)."""
        return key in self.sheet.columns

    def required(self, row: int, record: dict, key: str, label: str) -> str:
        value = compact_text(record.get(key))
        if not value:
            self.error(row, key, _("%(label)s不能为空。") % {"label": label})
        return value

    def length(self, row: int, key: str, value: str, limit: int) -> None:
        if len(value) > limit:
            self.error(
                row, key, _("内容过长（%(n)d 字），最多 %(limit)d 字。") % {"n": len(value), "limit": limit}
            )

    def datetime(
        self, row: int, record: dict, key: str, label: str, *, required: bool = True
    ) -> dt.datetime | None:
        value = record.get(key)
        if value is None or compact_text(value) == "":
            if required:
                self.error(row, key, _("%(label)s不能为空。") % {"label": label})
            return None
        naive = read_datetime(value)
        if naive is None:
            self.error(
                row,
                key,
                _("“%(value)s”不是有效的时间（例如 2022-03-31 14:05）。") % {"value": clean_text(value)},
            )
            return None
        if not plausible_date(naive):
            self.error(row, key, f"“{clean_text(value)}”：{date_window_message()}")
            return None
        return _aware(naive)


# Text forms of a time seen in real exports, after 年/月/日/时/分/秒, T and / are made uniform.
# re.ASCII: \d is 0-9 only, so Arabic-Indic or other digits are not read as a time.
_DATETIME_TEXT = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?", re.ASCII
)
_DIGITS_ONLY = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?", re.ASCII)
# Excel stores a moment as days since 1899-12-30; a cell formatted as a number shows that serial.
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_SERIALS = (36526, 73051)  # 2000-01-01 to 2100-01-01


def _text_datetime(text: str) -> dt.datetime | None:
    text = compact_text(text) if text.isdigit() else " ".join(text.split())
    match = _DIGITS_ONLY.fullmatch(text)
    if match is None:
        uniform = re.sub(r"(\d)\s*[时点]\s*(\d)", r"\1:\2", text)
        uniform = re.sub(r"(\d)\s*分\s*(\d)", r"\1:\2", uniform)
        uniform = re.sub(r"(\d)\s*[时点]$", r"\1:00", uniform.strip())  # 14时: on the hour
        uniform = re.sub(r"[秒分]$", "", uniform)
        uniform = uniform.replace("年", "-").replace("月", "-").replace("日", " ")
        uniform = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", uniform).replace("T", " ")
        uniform = " ".join(uniform.split())
        match = _DATETIME_TEXT.fullmatch(uniform)
    if match is None:
        return None
    parts = [int(g) if g else 0 for g in match.groups()]
    try:
        return dt.datetime(*parts[:6])
    except ValueError:
        return None


def parse_datetime(value) -> dt.datetime | None:
    """Read a date/time cell as an aware Asia/Shanghai datetime (see read_datetime), or None when it is
    not one or lies outside the plausible window (core.normalise.plausible_date)."""
    naive = read_datetime(value)
    if naive is None or not plausible_date(naive):
        return None
    return _aware(naive)


def _aware(naive: dt.datetime) -> dt.datetime:
    if naive.tzinfo is not None:
        return naive
    return timezone.make_aware(naive.replace(microsecond=0), timezone.get_default_timezone())


def read_datetime(value) -> dt.datetime | None:
    """Read a date/time cell: a real datetime or date, an Excel serial, or text such as
    2023-01-05 09:12:33.0, 2023-01-05T09:12:33, 20230105091233 or 2023年1月5日 9时12分; None if none."""
    if isinstance(value, dt.datetime):
        naive = value
    elif isinstance(value, dt.date):
        naive = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if _EXCEL_SERIALS[0] <= value < _EXCEL_SERIALS[1]:
            # A time, not money: Excel keeps it as a fraction of a day, to the second here.
            seconds = (Decimal(str(value)) * 86400).to_integral_value()
            naive = _EXCEL_EPOCH + dt.timedelta(seconds=int(seconds))
        else:
            # 20230105091233 written as a number: its digits are the text form.
            naive = _text_datetime(str(int(value))) if int(value) == value else None
    else:
        return _text_datetime(fold(value))
    return naive


def read_workbook(data: bytes, plan, read: Callable):
    """Open the workbook and return read(workbook), recording a clear error in plan.errors (and returning
    None) for a file that does not open or whose sheets cannot be read."""
    if (progress := preview_progress()) is not None:
        progress(0, 0, str(OPENING))  # unpacking a large workbook takes a moment before any row is read
    try:
        workbook = open_workbook(data)
    except ImportFileError as exc:
        plan.errors.append(RowError(_("文件"), None, "", str(exc)))
        return None
    try:
        return read(workbook)
    except Exception as exc:  # a workbook that opens but whose cells cannot be read
        plan.errors.append(
            RowError(_("文件"), None, "", _("无法读取工作表内容（%(err)s）。") % {"err": type(exc).__name__})
        )
        return None
    finally:
        workbook.close()


# How long a parsed sheet is kept: the preview parses an upload, and the confirm a little later reads the
# same bytes again; parsing is most of an import's time (openpyxl reads 20,000 rows in about 2 s).
PARSED_SHEET_SECONDS = 2 * 3600


def _parsed_key(data: bytes, columns: list[Column]) -> str:
    digest = hashlib.sha256(data)
    for column in columns:
        digest.update(repr((column.key, sorted(column.names()), column.required)).encode())
    digest.update(str(settings.MAX_IMPORT_ROWS).encode())
    return f"parsed-sheet:{digest.hexdigest()}"


def read_first_sheet(data: bytes, columns: list[Column], plan: Plan) -> SheetRows | None:
    """Open the workbook and read its first sheet, recording a clear error for an unreadable file.

    The parse is a function of the bytes and the columns only, so it is kept in the cache shared by the
    workers: the confirm re-plans against the data of the moment without parsing the workbook again.
    """
    key = _parsed_key(data, columns)
    try:
        cached = cache.get(key)
    except Exception:  # an unreadable cache entry is only a cache miss
        cached = None
    if cached is None:
        errors: list[RowError] = []

        def first_sheet(workbook):
            if not workbook.worksheets:
                errors.append(RowError(_("文件"), None, "", _("工作簿中没有工作表。")))
                return None
            return read_rows(workbook.worksheets[0], columns, errors)

        reading = Plan()
        sheet = read_workbook(data, reading, first_sheet)
        cached = (sheet, [*reading.errors, *errors])
        with contextlib.suppress(Exception):  # a full disk or an unpicklable cell: parse again next time
            cache.set(key, cached, PARSED_SHEET_SECONDS)
    sheet, errors = cached
    plan.errors.extend(errors)
    if sheet is not None:
        plan.notes.extend(sheet.notes())
    if sheet is not None and (progress := preview_progress()) is not None:
        sheet = replace(sheet, rows=CheckedRows(sheet.rows, progress))
    return sheet


class CheckedRows(list):
    """A sheet's data rows that report, as they are gone through, to the job of an import's preview
    (core.progress.reporting_rows): each importer of one sheet goes through sheet.rows once."""

    def __init__(self, rows: list, progress: Progress):
        super().__init__(rows)
        self._progress = progress

    def __iter__(self) -> Iterator:
        checked = RowProgress(self._progress, len(self), str(CHECKING))
        yield from checked.each(super().__iter__())
        checked.finish()

    def __reduce__(self):
        return list, (self[:],)  # kept (a preview's plan) as the plain rows, without the job's callback
