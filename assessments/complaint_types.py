"""Which 12345 tickets count towards 零投诉: the rule on a ticket's 诉求类型, as plain functions.

A city platform's export holds every kind of call: 投诉, 咨询, 建议, 求助, 表扬, 举报. Only the types a
year configures as complaints (AssessmentYear.complaint_types, default 投诉) count against a community;
the others are kept, marked 不计入. A ticket without a type counts, as every ticket did before types
were read: a community must never earn a reward because a column was missing.
"""

import re

from django.utils.translation import gettext as _

from core.xlsx import plain

DEFAULT_COMPLAINT_TYPES = ("投诉",)
# The types a 12345 platform uses (长沙 12345 and most provincial platforms).
KNOWN_TYPES = ("投诉", "咨询", "建议", "求助", "表扬", "举报", "其他")
MAX_TYPES = 10
MAX_TYPE_LENGTH = 20
_SEPARATORS = re.compile(r"[、,，;；/\s]+")
# 投诉类, 投诉件: the same type with a word platforms add.
_TAIL = re.compile(r"(?<=..)[类件]$")


def default_complaint_types() -> list[str]:
    """The field default of AssessmentYear.complaint_types (a callable, so no two years share a list)."""
    return list(DEFAULT_COMPLAINT_TYPES)


def type_key(text) -> str:
    """A type as compared: half-width, no spaces, without a trailing 类/件 (投诉类 → 投诉)."""
    return _TAIL.sub("", plain(text))


def counts_as_complaint(complaint_type: str, complaint_types) -> bool:
    """Whether a ticket of this type counts against its community's zero-complaint result."""
    key = type_key(complaint_type)
    return not key or key in {type_key(t) for t in complaint_types}


def parse_types(value) -> list[str]:
    """Read the configured types from text (投诉、举报) or a list; raise ValueError with the message."""
    parts = _SEPARATORS.split(value) if isinstance(value, str) else list(value or ())
    types = []
    for part in parts:
        key = type_key(part)
        if key and key not in types:
            types.append(key)
    if not types:
        raise ValueError(_("请至少填写一个计入投诉的诉求类型（例如：投诉）。"))
    if len(types) > MAX_TYPES:
        raise ValueError(_("计入投诉的诉求类型最多 %(n)d 个。") % {"n": MAX_TYPES})
    too_long = [t for t in types if len(t) > MAX_TYPE_LENGTH]
    if too_long:
        raise ValueError(
            _("诉求类型“%(type)s”过长，最多 %(n)d 字。") % {"type": too_long[0], "n": MAX_TYPE_LENGTH}
        )
    return types
