"""How counts, money and dates read on pages and in documents: one place, used by the template filters
(core.templatetags.ui), the tables and the messages.

Pages and documents write dates the Chinese way (2023年4月20日); ISO dates (2023-04-20) are kept only where
a machine reads them: date inputs, URLs and the cells of exported workbooks.
"""

import datetime as dt

from django.utils import timezone

from core.numbers import round2

EMPTY = "—"


def count_text(value) -> str:
    """A count with thousands separators (5,464), as the district's documents write it."""
    if value is None or value == "":
        return EMPTY
    return f"{int(value):,}"


def yuan_text(value) -> str:
    """An amount in 元 with thousands separators and 2 places (891,650.00), rounded half up."""
    if value is None or value == "":
        return EMPTY
    return f"{round2(value):,.2f}"


def date_text(value) -> str:
    """A day as 2023年4月20日 (a moment is first read in local time)."""
    if not value:
        return EMPTY
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def datetime_text(value) -> str:
    """A moment in local time as 2023年4月20日 14:05."""
    if not value:
        return EMPTY
    if not isinstance(value, dt.datetime):  # a day without a time
        return date_text(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{date_text(value)} {value:%H:%M}"


def counted(values: dict) -> dict:
    """A message's values with every count written as count_text does (for `%(n)s` placeholders)."""
    return {
        k: count_text(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in values.items()
    }
