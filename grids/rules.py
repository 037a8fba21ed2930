"""Roster rules as plain functions over plain values, shared by forms, importer and services."""

import functools
import re
from collections.abc import Container, Iterable
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.numbers import percent
from grids.models import CommunityKind, GridLevel, StaffRole, phone_validator

LEVEL_WORDS = {
    GridLevel.STREET: ("1", "一级", "一级网格", "街镇", "街道", "镇"),
    GridLevel.COMMUNITY: ("2", "二级", "二级网格", "村", "社区", "村（社区）", "村(社区)", "村/社区"),
    GridLevel.LEVEL3: ("3", "三级", "三级网格"),
    GridLevel.LEVEL4: ("4", "四级", "四级网格"),
}
KIND_WORDS = {
    CommunityKind.URBAN: ("城市社区", "城市", "urban"),
    CommunityKind.RURAL: (
        "农村村（社区）",
        "农村村(社区)",
        "农村",
        "农村村",
        "农村社区",
        "村",
        "其他",
        "rural",
    ),
}
ROLE_WORDS = {
    StaffRole.WORKER: ("网格员", "专职网格员", "兼职网格员"),
    StaffRole.HEAD: ("网格长",),
    StaffRole.INSTRUCTOR: ("三级网格指导员", "网格指导员", "指导员"),
}
WORD_TABLES = {"level": LEVEL_WORDS, "kind": KIND_WORDS, "role": ROLE_WORDS}
YES_WORDS = ("是", "在岗", "y", "yes", "true", "1", "√")
NO_WORDS = ("否", "离岗", "不在岗", "n", "no", "false", "0", "×")


def _lookup(table: str, text: str):
    return _words(table, get_language()).get(text)


@functools.lru_cache(maxsize=32)
def _words(table: str, language: str | None) -> dict:
    """Every word a table accepts, and each choice's label in the language of the moment, to its choice:
    read once, not per row (an import reads 13,000 rows; a label is a lazy translation)."""
    words: dict = {}
    for value, names in WORD_TABLES[table].items():
        for word in (*names, str(value.label)):
            words.setdefault(word, value)  # an earlier choice keeps a word, as the tables are ordered
    return words


def parse_level(text: str) -> GridLevel | None:
    return _lookup("level", text)


def parse_kind(text: str) -> CommunityKind | None:
    return _lookup("kind", text)


def parse_role(text: str) -> StaffRole | None:
    return _lookup("role", text)


def parse_yes_no(text: str) -> bool | None:
    lowered = text.lower()
    if lowered in YES_WORDS:
        return True
    if lowered in NO_WORDS:
        return False
    return None


def parent_error(level: int, parent_level: int | None) -> str | None:
    """Return why a parent of parent_level cannot hold a grid of level, or None if it can."""
    if level == GridLevel.STREET:
        return _("街镇（一级网格）不能有上级网格。") if parent_level is not None else None
    if parent_level is None:
        return _("%(level)s必须有上级网格。") % {"level": GridLevel(level).label}
    if parent_level != level - 1:
        return _("%(level)s的上级必须是%(expected)s，而不是%(actual)s。") % {
            "level": GridLevel(level).label,
            "expected": GridLevel(level - 1).label,
            "actual": GridLevel(parent_level).label,
        }
    return None


def kind_error(level: int, kind: str) -> str | None:
    if level == GridLevel.COMMUNITY and not kind:
        return _("二级网格（村/社区）必须填写类型：城市社区或农村村（社区）。")
    if level != GridLevel.COMMUNITY and kind:
        return _("只有二级网格（村/社区）有类型。")
    return None


def staff_role_error(role: str, grid_level: int) -> str | None:
    """Why a post of this role cannot be held on a grid of this level, or None.

    In the district a 网格员 serves a level-4 grid (楼栋 or 村（居）民组); a level-3 grid has its 网格长
    and 三级网格指导员 (DOMAIN.md). Pages, services and both roster importers ask this one function.
    """
    if grid_level < GridLevel.COMMUNITY:
        return _("网格人员只能配备在二至四级网格。")
    if role == StaffRole.INSTRUCTOR and grid_level != GridLevel.LEVEL3:
        return _("三级网格指导员只能配备在三级网格。")
    if role == StaffRole.WORKER and grid_level != GridLevel.LEVEL4:
        return _("网格员只能配备在四级网格（楼栋、村（居）民组）；三级网格请配备网格长或三级网格指导员。")
    return None


# The roster's code scheme, as the demo district and the district's own roster use it (grids/demo.py):
# a grid's code is its parent's code followed by a sequence number, 3 digits for streets (under the
# district's 430112) and villages/communities, 2 digits for level-3 and level-4 grids:
# 430112001 高塘岭街道 → 430112001003 a community → 43011200100302 → 4301120010030205.
CODE_DIGITS = {
    GridLevel.STREET: 3,
    GridLevel.COMMUNITY: 3,
    GridLevel.LEVEL3: 2,
    GridLevel.LEVEL4: 2,
}


class ChildCodes:
    """Codes for new grids: the parent's code + the next sequence after its children's highest one.

    Children whose codes do not follow the scheme (typed by hand) are passed over; a code already held by
    any grid, or given out earlier, is skipped, so a new code never collides. A parent with more children
    than the digits hold continues with a longer number (…99, …100).
    """

    def __init__(self, taken: Container[str], children: dict[str, Iterable[str]]):
        """taken: every code in use; children: parent code → the codes of its existing children."""
        self.taken = taken
        self.children = children
        self.given: set[str] = set()
        self.last: dict[str, int] = {}

    def _highest(self, parent_code: str, level: int) -> int:
        form = re.compile(re.escape(parent_code) + rf"(\d{{{CODE_DIGITS[level]},}})")
        numbers = [int(m.group(1)) for c in self.children.get(parent_code, ()) if (m := form.fullmatch(c))]
        return max(numbers, default=0)

    def next(self, parent_code: str, level: int) -> str:
        sequence = self.last.get(parent_code)
        if sequence is None:
            sequence = self._highest(parent_code, level)
        while True:
            sequence += 1
            code = f"{parent_code}{sequence:0{CODE_DIGITS[level]}d}"
            if code not in self.taken and code not in self.given:
                break
        self.last[parent_code] = sequence
        self.given.add(code)
        return code


def phone_error(phone: str) -> str | None:
    """Return why a staff member's phone cannot be stored, or None when it can."""
    if not phone:
        return _("联系电话不能为空。")
    if not phone_validator.regex.search(phone):  # the model's own rule, without raising per row
        return _("联系电话“%(value)s”格式不正确（11位手机号或带区号的固定电话）。") % {"value": phone}
    return None


def ancestors(level: int, parent_id, parent_street_id, parent_community_id) -> tuple:
    """Return the (street_id, community_id) a grid of this level inherits from its parent."""
    if level == GridLevel.STREET:
        return None, None
    if level == GridLevel.COMMUNITY:
        return parent_id, None
    if level == GridLevel.LEVEL3:
        return parent_street_id, parent_id
    return parent_street_id, parent_community_id


def coverage_rate(staffed: int, total: int) -> Decimal:
    """The share of staffed grids as a percentage with 2 places (100.00 when there are none)."""
    return percent(staffed, total)
