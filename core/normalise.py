"""Normalise, then validate: what a form or a workbook cell holds, made plain before it is stored or compared.

One set of rules for every entry path (core.forms.NormalisedForm for forms, core.xlsx.clean_text for
imported cells), so that a value that looks like another one is either the same value or refused:

- text is NFKC-normalised (full-width letters and digits become ASCII, ideographic and non-breaking spaces
  become spaces), loses its invisible format characters (Unicode category Cf: zero-width space, BOM,
  bidirectional controls, soft hyphen) and its surrounding spaces;
- a grid code is ASCII digits (0-9) after that, nothing else;
- an amount is written with ASCII digits, optional thousands separators, ¥ or 元, and at most 2 decimals;
- a date lies between 2000-01-01 and 31 December of next year.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import EARLIEST_YEAR

# Chinese typography typed on purpose in names and prose (一组（北）, 说明：…，…; ①…②…; ……): NFKC would make
# it ASCII (1, ...) and change what the user wrote. Codes and amounts are folded fully all the same.
KEEP_AS_TYPED = "，：；！？（）…" + "".join(map(chr, range(0x2460, 0x2474)))  # ① to ⑳
_KEPT = re.compile(f"([{KEEP_AS_TYPED}])")


def _fold(text: str) -> str:
    # NFKC also makes every kind of space (no-break, ideographic, narrow) a plain space. Format characters
    # (Cf) are never printable: text that is printable (most cells) has none to drop, checked in C.
    if not text.isprintable():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", text)


def fold(value) -> str:
    """NFKC-normalised text without format characters, every space a plain space, trimmed."""
    return _fold(str(value)).strip()


def normalise_text(value) -> str:
    """Text as stored: fold(), keeping the Chinese typography of KEEP_AS_TYPED as written."""
    if value is None:
        return ""
    text = str(value)
    if text.isascii():  # the common case, with nothing to do but trimming
        return text.strip()
    if _KEPT.search(text) is None:  # most names: no typography to keep
        return _fold(text).strip()
    return "".join(p if p in KEEP_AS_TYPED else _fold(p) for p in _KEPT.split(text)).strip()


# --- grid codes ---------------------------------------------------------------------------------------

_ASCII_DIGITS = re.compile(r"[0-9]+")


def grid_code(value) -> str:
    """A grid code as stored: folded, spaces removed, ASCII digits only; ValueError with the reason."""
    code = "".join(fold(value or "").split())
    if problem := code_problem(code):
        raise ValueError(problem)
    return code


def code_problem(code: str) -> str | None:
    """Why a (normalised) grid code cannot be a new grid's code, or None: codes are digits 0-9 only."""
    if code and not _ASCII_DIGITS.fullmatch(code):
        return _("网格编码“%(code)s”只能由数字 0-9 组成。") % {"code": code}
    return None


# --- amounts ------------------------------------------------------------------------------------------

# 1000, 1,000, 6 000, 1,000.5, -12.30: the integer part in groups of three when separated at all (1,5
# is refused, not read as 15: in much of the world it means 1.5).
_AMOUNT = re.compile(r"([+-]?)(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
MAX_AMOUNT = Decimal("1e12")


def read_amount(value, *, places: int = 2) -> Decimal:
    """Read an amount as written, not rounded: a number cell, or text such as 3,000.00, ¥1,000.50,
    1,000元 or １０００；ValueError with the reason for anything else.

    Text may carry at most `places` decimals (an amount in 万元 has 4 more before it is scaled)."""
    if isinstance(value, bool):  # a TRUE/FALSE cell; bool is an int to Python, but never an amount
        raise ValueError(_("金额“%(v)s”不是数字。") % {"v": value})
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):  # a number cell: Excel's binary fractions are rounded by the caller
        amount = Decimal(str(value))
    else:
        amount = _amount_text(fold(value or ""), places)
    if not amount.is_finite():
        raise ValueError(_("金额“%(v)s”不是数字。") % {"v": value})
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(_("金额“%(v)s”过大。") % {"v": value})
    return amount


def _amount_text(text: str, places: int) -> Decimal:
    written = text
    text = text.removesuffix("元").strip()
    sign = text[:1] if text[:1] in ("+", "-") else ""
    text = sign + text.removeprefix(sign).strip().removeprefix("¥").strip()
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(_amount_problem(written))
    if match.group(2) and len(match.group(2)) > places:
        raise ValueError(_("金额“%(v)s”最多保留 %(n)d 位小数。") % {"v": written, "n": places})
    return Decimal(text.replace(",", "").replace(" ", ""))


def _amount_problem(text: str) -> str:
    if "_" in text:
        reason = _("不能含下划线")
    elif any(c.isdigit() and not c.isascii() for c in text):
        reason = _("只能用阿拉伯数字 0-9")
    elif re.fullmatch(r"[+-]?[0-9.,]+[eE][+-]?[0-9]+", text):
        reason = _("不能用科学计数法")
    else:
        reason = _("不是数字")
    return _("金额“%(v)s”%(reason)s，请写成 1,000.50、¥1000 或 1000元 这样的形式。") % {
        "v": text,
        "reason": reason,
    }


_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def is_plain_number(text: str) -> bool:
    """Whether text is a number written with ASCII digits and at most a point (not 1_000, ١٠٠٠ or 1e3)."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def plain_number_problem(text: str) -> str | None:
    """Why a number typed into a form is a look-alike, or None: Python reads 1_000 and ١٠٠٠ as 1000."""
    if "_" in text or any(c.isdigit() and not c.isascii() for c in text):
        return _("“%(v)s”不是有效的数字，请只用阿拉伯数字 0-9。") % {"v": text}
    return None


# --- dates --------------------------------------------------------------------------------------------

EARLIEST_DATE = dt.date(EARLIEST_YEAR, 1, 1)


def latest_date() -> dt.date:
    """The last plausible date: 31 December of next year (a plan or budget is made a year ahead)."""
    return dt.date(timezone.localdate().year + 1, 12, 31)


def plausible_date(value: dt.date | dt.datetime) -> bool:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return EARLIEST_DATE <= value <= latest_date()


def date_window_message() -> str:
    return _("日期应在 %(a)s 至 %(b)s 之间。") % {
        "a": EARLIEST_DATE.isoformat(),
        "b": latest_date().isoformat(),
    }


def validate_plausible_moment(value: dt.date | dt.datetime | None) -> None:
    """Refuse dates outside the life of the programme (typos such as 0202 or 20222, 0001-01-01)."""
    if value is not None and not plausible_date(value):
        raise ValidationError(date_window_message(), code="implausible")
