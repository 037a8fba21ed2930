"""Names as people write them: the one home for matching streets, villages/communities and grids.

Every importer finds units through this module, so a name that matches in one place matches in all:
the 12345 platform's 金山桥街道铺井村村民委员会, a street's 铺井村 and a finance list's 铺井 are one
village. Codes are matched first; names only when no code is given, and a name that fits two units
is reported as ambiguous, never guessed.
"""

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from core.xlsx import Column, clean_text, plain
from grids.models import Grid, GridLevel

# Longest first: the first suffix that fits is removed, then the next one (港坡村村民委员会 → 港坡村 → 港坡).
STREET_SUFFIXES = ("街道办事处", "镇人民政府", "乡人民政府", "人民政府", "办事处", "街道", "镇", "乡")
COMMUNITY_SUFFIXES = (
    "社区居民委员会",
    "社区居委会",
    "村民委员会",
    "居民委员会",
    "村委会",
    "居委会",
    "社区",
    "村",
)
DISTRICT_SUFFIXES = ("区", "县", "市")
# What a city-wide export writes before the district: 湖南省长沙市望城区…
_PROVINCE_CITY = re.compile(r"^(?:[^省市]{2,3}省)?(?:[^市区县]{2,4}市)?(?=.)")
MIN_KEY = 2  # a suffix is never stripped down to one character: 新村 stays 新村, not 新


def normalize(text) -> str:
    """Full-width letters and brackets to half-width, every kind of space removed: （ｓ１ ） → (s1)."""
    return plain(text)


def _strip(name: str, suffixes: Sequence[str]) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) - len(suffix) >= MIN_KEY:
                name, changed = name[: -len(suffix)], True
                break
    return name


def street_key(name) -> str:
    """The base of a street/town name: 高塘岭街道办事处, 高塘岭街道 and 高塘岭 all give 高塘岭."""
    return _strip(normalize(name), STREET_SUFFIXES)


def community_key(name) -> str:
    """The base of a village/community name: 月坡社区居委会, 月坡社区 and ' 月坡 社区' all give 月坡."""
    return _strip(normalize(name), COMMUNITY_SUFFIXES)


def grid_key(name) -> str:
    """A level-3/4 grid's name compared without spaces and with half-width characters."""
    return normalize(name)


def district_key(name) -> str:
    """A district's base name: 长沙市望城区, 望城区 and 望城 all give 望城."""
    text = normalize(name)
    text = text[_PROVINCE_CITY.match(text).end() :] if text else text
    return _strip(text, DISTRICT_SUFFIXES)


def is_own_district(name) -> bool | None:
    """Whether a 所属区县 cell names this district (settings.DISTRICT_NAME); None when it is blank."""
    key = district_key(name)
    if not key:
        return None
    return key == district_key(settings.DISTRICT_NAME)


def strip_district(text: str) -> str:
    """Remove a leading province/city/district (湖南省长沙市望城区…) from a place name."""
    text = normalize(text)
    rest = text[_PROVINCE_CITY.match(text).end() :] if text else text
    own = normalize(settings.DISTRICT_NAME)
    for prefix in (own, district_key(own) + "区", district_key(own) + "县"):
        if prefix and rest.startswith(prefix) and len(rest) > len(prefix):
            return rest[len(prefix) :]
    return rest


@dataclass(frozen=True)
class Unit:
    pk: int
    code: str
    name: str
    level: int
    street_id: int | None
    street_name: str

    @property
    def label(self) -> str:
        """How a unit is shown where the street matters: 高塘岭街道月坡社区; a street by its own name."""
        return self.name if self.level == GridLevel.STREET else f"{self.street_name}{self.name}"


@dataclass(frozen=True)
class Found:
    """The outcome of a look-up: one unit, or why there is none (empty when nothing fits at all)."""

    unit: Unit | None = None
    candidates: tuple[Unit, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.unit is None and len(self.candidates) > 1

    def problem(self, text: str) -> str:
        if self.ambiguous:
            where = "、".join(c.label for c in self.candidates[:5])
            return _("“%(text)s”有多个同名单位（%(where)s），请写明街镇或填写编码。") % {
                "text": text,
                "where": where,
            }
        return _("找不到“%(text)s”。") % {"text": text}


def _found(units: Iterable[Unit]) -> Found:
    unique = tuple({u.pk: u for u in units}.values())
    return Found(unique[0], unique) if len(unique) == 1 else Found(None, unique)


@dataclass
class UnitIndex:
    """Streets and villages/communities, loaded in one query, found by code or by name as people write it."""

    units: list[Unit] = field(default_factory=list)

    def __post_init__(self):
        self.by_code = {u.code.lower(): u for u in self.units}
        self.streets: dict[str, list[Unit]] = {}
        self.communities: dict[str, list[Unit]] = {}
        self.street_forms: list[tuple[str, Unit]] = []  # 高塘岭街道, 高塘岭街道办事处 … for prefixes
        for unit in self.units:
            if unit.level == GridLevel.STREET:
                key = street_key(unit.name)
                self.streets.setdefault(key, []).append(unit)
                # The bare 金山桥 too, tried last (longest first) and only when the whole text matched nothing.
                forms = {normalize(unit.name), key, *(key + s for s in STREET_SUFFIXES)}
                self.street_forms.extend((form, unit) for form in forms)
            else:
                self.communities.setdefault(community_key(unit.name), []).append(unit)
        self.street_forms.sort(key=lambda pair: -len(pair[0]))  # 高塘岭街道办事处 before 高塘岭街道

    @classmethod
    def load(cls, queryset=None) -> "UnitIndex":
        queryset = Grid.objects.all() if queryset is None else queryset
        rows = queryset.filter(level__in=(GridLevel.STREET, GridLevel.COMMUNITY)).values_list(
            "pk", "code", "name", "level", "street_id", "street__name"
        )
        return cls(
            [
                Unit(pk, code, name, level, pk if level == GridLevel.STREET else street, street_name or name)
                for pk, code, name, level, street, street_name in rows
            ]
        )

    def code(self, text) -> Unit | None:
        return self.by_code.get(normalize(text).lower()) if text else None

    def street(self, text) -> Found:
        """A street by code or name (any suffix, with or without the district in front)."""
        unit = self.code(text)
        if unit is not None and unit.level == GridLevel.STREET:
            return Found(unit, (unit,))
        key = street_key(strip_district(text))
        return _found(self.streets.get(key, ())) if key else Found()

    def split_street(self, text: str) -> tuple[Unit | None, str]:
        """Split a street written in front of a community (金山桥街道铺井村村民委员会) from the rest."""
        text = strip_district(text)
        for form, unit in self.street_forms:
            if text.startswith(form) and len(text) - len(form) >= MIN_KEY:
                return unit, text[len(form) :]
        return None, text

    def community(self, name="", *, street="", code="") -> Found:
        """A village/community by code, or by name within the street when one is given.

        The name may carry the district and/or street in front and any of the usual suffixes.
        """
        unit = self.code(code) if code else None
        if unit is not None and unit.level == GridLevel.COMMUNITY:
            return Found(unit, (unit,))
        street_unit = None
        if street:
            street_found = self.street(street)
            if street_found.unit is None:
                return Found()
            street_unit = street_found.unit
        text = strip_district(name)
        if not text:
            return Found()
        candidates = self.communities.get(community_key(text), [])
        if not candidates:
            prefixed, rest = self.split_street(text)
            if prefixed is not None:
                if street_unit is not None and prefixed.pk != street_unit.pk:
                    return Found()
                street_unit = prefixed
                candidates = self.communities.get(community_key(rest), [])
        if street_unit is not None:
            candidates = [c for c in candidates if c.street_id == street_unit.pk]
        return _found(candidates)

    def payee(self, text) -> Found:
        """A street or village/community named in one cell: a code, 高塘岭街道, 月坡社区 or 高塘岭街道月坡社区."""
        unit = self.code(text)
        if unit is not None:
            return Found(unit, (unit,))
        written = normalize(text)
        exact = [u for u in self.units if normalize(u.name) == written or normalize(u.label) == written]
        if exact:
            return _found(exact)
        community = self.community(written)
        if community.unit is not None or community.ambiguous:
            return community
        return self.street(written)


@dataclass(frozen=True)
class GridNode:
    pk: int
    code: str
    name: str
    level: int
    parent_id: int | None
    street_id: int | None


PATH_KEYS = {
    GridLevel.STREET: street_key,
    GridLevel.COMMUNITY: community_key,
    GridLevel.LEVEL3: grid_key,
    GridLevel.LEVEL4: grid_key,
}


class GridIndex:
    """Grids of every level, loaded in one query, found by code or by the names of their path."""

    def __init__(self, nodes: Iterable[GridNode]):
        self.nodes = {n.pk: n for n in nodes}
        self.by_code = {n.code.lower(): n for n in self.nodes.values()}
        self.children: dict[tuple[int | None, str], list[GridNode]] = {}
        self.keys: dict[tuple[int, str], str] = {}  # (level, name as written) → key, see named()
        for node in self.nodes.values():
            key = PATH_KEYS[node.level](node.name)
            self.children.setdefault((node.parent_id, key), []).append(node)

    @classmethod
    def load(cls, queryset=None) -> "GridIndex":
        queryset = Grid.objects.all() if queryset is None else queryset
        rows = queryset.values_list("pk", "code", "name", "level", "parent_id", "street_id")
        return cls(GridNode(*row) for row in rows)

    def code(self, text) -> GridNode | None:
        return self.by_code.get(normalize(text).lower()) if text else None

    def lineage(self, node: GridNode) -> list[GridNode]:
        """The grid's ancestors from its street down, and the grid itself last."""
        nodes = [node]
        while nodes[-1].parent_id is not None and nodes[-1].parent_id in self.nodes:
            nodes.append(self.nodes[nodes[-1].parent_id])
        return nodes[::-1]

    def label(self, node: GridNode) -> str:
        """A grid as its path of names: a街道/a社区/a小区/a1栋."""
        return "/".join(n.name for n in self.lineage(node))

    def add(self, node: GridNode) -> None:
        """Register a grid an import is about to create, so that later rows of the file find it."""
        self.nodes[node.pk] = node
        self.by_code[node.code.lower()] = node
        self.children.setdefault((node.parent_id, PATH_KEYS[node.level](node.name)), []).append(node)

    def named(self, parent_id: int | None, level: int, name: str) -> list[GridNode]:
        """The grids of a level under parent_id (None for streets) that a name, as people write it, fits."""
        key = self.keys.get((level, name))
        if key is None:  # a sheet repeats its street and community on every row: each is normalised once
            text = strip_district(name) if level == GridLevel.STREET else name
            key = self.keys[(level, name)] = PATH_KEYS[level](text)
        found = self.children.get((parent_id, key), [])
        if len(found) > 1:
            # 黄金村 and 黄金社区 under one street share the key 黄金: the name written in full tells them apart.
            written = normalize(strip_district(name) if level == GridLevel.STREET else name)
            return [n for n in found if normalize(n.name) == written] or found
        if level == GridLevel.COMMUNITY and not found and parent_id is not None:
            # 金山桥街道铺井村 under 金山桥街道: the street written again in front of the village
            street = self.nodes[parent_id].name
            rest = normalize(name)
            for form in {normalize(street), street_key(street) + "街道", street_key(street) + "镇"}:
                if rest.startswith(form) and len(rest) - len(form) >= MIN_KEY:
                    return self.children.get((parent_id, community_key(rest[len(form) :])), [])
        return found

    def fits(self, node: GridNode, name: str) -> bool:
        """Whether a name, as people write it, is this grid's (a sheet's 网格名称 beside its 网格编码)."""
        return any(n.pk == node.pk for n in self.named(node.parent_id, node.level, name))

    def problem(self, parent_id: int | None, level: int, name: str, count: int) -> str:
        """Why a name did not lead to one grid: none or `count` grids of that level fit it under the parent."""
        where = _("%(name)s下") % {"name": self.nodes[parent_id].name} if parent_id else ""
        if count > 1:
            why = _("%(where)s有 %(n)d 个名为“%(name)s”的%(level)s，请填写网格编码。")
        else:
            why = _("%(where)s找不到%(level)s“%(name)s”。")
        return why % {"where": where, "n": count, "name": name, "level": GridLevel(level).label}

    def path(self, names: Sequence[str]) -> tuple[GridNode | None, int, str]:
        """Follow names from the street down (街镇, 村（社区）, 三级网格, 四级网格; trailing blanks allowed).

        Returns (grid, 0, "") or (None, index of the name that failed, why).
        """
        names = list(names)
        while names and not normalize(names[-1]):
            names.pop()
        if not names:
            return None, 0, _("没有填写网格编码或网格名称。")
        parent_id: int | None = None
        node = None
        for index, name in enumerate(names):
            level = GridLevel(index + 1)
            if not normalize(name):
                return None, index, _("请填写%(level)s名称。") % {"level": level.label}
            found = self.named(parent_id, level, name)
            if len(found) != 1:
                return None, index, self.problem(parent_id, level, name, len(found))
            node = found[0]
            parent_id = node.pk
        return node, 0, ""


# A grid named in a workbook by its code, or by the names of its path as a street's own sheets write them:
# one table of headers for every importer that names grids, so that a header read in one is read in all.
GRID_CODE_COLUMN = Column("grid_code", "网格编码", ("编码", "网格代码", "网格编号", "所在网格编码"))
GRID_PATH_COLUMNS = (
    Column(
        "street_name",
        "街镇",
        (
            "街道",
            "街道（镇）",
            "镇（街道）",
            "街道/镇",
            "镇街",
            "街镇名称",
            "所属街镇",
            "所属街道",
            "乡镇",
            "乡镇（街道）",
        ),
    ),
    Column(
        "community_name",
        "村（社区）",
        (
            "社区",
            "村",
            "村社区",
            "村/社区",
            "村（居）",
            "村居",
            "村（社区）名称",
            "所属村（社区）",
            "所属社区",
            "社区名称",
            "村名称",
        ),
    ),
    # The demo's own level names are headers too: 第一党支部片区 sits under 党支部片区, 一组 under 村民小组.
    Column(
        "level3_name",
        "三级网格",
        (
            "三级网格名称",
            "网格（小区/片区）",
            "小区/片区",
            "小区（片区）",
            "片区/小区",
            "片区",
            "小区",
            "党支部片区",
            "党支部服务片区",
        ),
    ),
    Column(
        "level4_name",
        "四级网格",
        (
            "四级网格名称",
            "楼栋/村民组",
            "楼栋/村（居）民组",
            "楼栋",
            "楼栋（组）",
            "村（居）民组",
            "村（居）民小组",
            "村民小组",
            "村民组",
            "居民组",
            "组",
        ),
    ),
)
GRID_COLUMNS = (GRID_CODE_COLUMN, *GRID_PATH_COLUMNS)


def missing_grid_columns(found: Collection[str], *, street_known: bool = False) -> str | None:
    """The missing-column message when a sheet names its grids neither by code nor by name path.

    street_known: the street is implied (a street admin's own sheet often has no 街镇 column).
    """
    if GRID_CODE_COLUMN.key in found:
        return None
    if "community_name" in found and ("street_name" in found or street_known):
        return None
    return _("缺少必需的列：网格编码，或 街镇/村（社区）/三级网格（/四级网格）。")


def path_names(record: dict) -> list[str]:
    """The names of a row's grid path (街镇, 村（社区）, 三级网格, 四级网格), blank where not given."""
    return [clean_text(record.get(column.key)) for column in GRID_PATH_COLUMNS]


class MergedNames:
    """Names left blank under a cell merged down over several rows, read from the row above.

    A street's sheet merges its 村（社区） (and 三级网格) cells over the rows of their grids; the rows below
    the first then read blank. A blank name above a written one is taken from the previous row, and
    the rows so completed are listed (note()) so that the preview says so.
    """

    def __init__(self):
        self.last = ["", "", "", ""]
        self.filled: list[int] = []

    def fill_names(self, row: int, names: list[str], *, repeat_when_blank: bool = False) -> list[str]:
        """The path names with the blanks above the deepest written one taken from the row above.

        A name written differently from the row above starts another branch: nothing below it is taken
        from that row. repeat_when_blank: a row with no name at all (another person of the grid above,
        its cells merged) takes the whole path of the row above.
        """
        names = list(names)
        written = [i for i, name in enumerate(names) if normalize(name)]
        if not written:
            if repeat_when_blank and any(self.last):
                self.filled.append(row)
                return list(self.last)
            return names
        filled = False
        for i in range(written[-1]):
            if normalize(names[i]):
                if normalize(names[i]) != normalize(self.last[i]):
                    break
            elif normalize(self.last[i]):
                names[i], filled = self.last[i], True
        if filled:
            self.filled.append(row)
        self.last = names
        return names

    def fill(self, row: int, record: dict) -> dict:
        """The record with its blank path names above the deepest written one taken from the row above."""
        names = path_names(record)
        completed = self.fill_names(row, names)
        if completed == names:
            return record
        return {
            **record,
            **{column.key: name for column, name in zip(GRID_PATH_COLUMNS, completed, strict=True)},
        }

    def note(self) -> str | None:
        if not self.filled:
            return None
        rows = "、".join(str(r) for r in self.filled[:10]) + (_(" 等") if len(self.filled) > 10 else "")
        return _(
            "%(n)d 行的街镇、村（社区）或三级网格为空（合并单元格），已沿用上一行的名称：第%(rows)s行。"
        ) % {"n": len(self.filled), "rows": rows}


def locate_grid(
    index: GridIndex, record: dict, *, street: GridNode | None = None
) -> tuple[GridNode | None, str, str]:
    """The grid a row names by code or by name path: (grid, "", "") or (None, column key at fault, why).

    The code wins when both are given, but names leading elsewhere are an error naming both, never a
    guess. street: the street a blank 街镇 stands for (a street admin's own sheet).
    """
    code = normalize(record.get(GRID_CODE_COLUMN.key))
    names = path_names(record)
    if street is not None and not normalize(names[0]) and any(normalize(n) for n in names[1:]):
        names[0] = street.name
    written = [n for n in names if normalize(n)]
    by_code = index.code(code) if code else None
    if code and by_code is None:
        return None, GRID_CODE_COLUMN.key, _("网格编码“%(code)s”不存在。") % {"code": code}
    if not written:
        if by_code is not None:
            return by_code, "", ""
        if any(column.key in record for column in GRID_PATH_COLUMNS):
            return None, GRID_CODE_COLUMN.key, _("没有填写网格编码或网格名称。")
        return None, GRID_CODE_COLUMN.key, _("网格编码不能为空。")
    by_path, failed, why = index.path(names)
    if by_code is None:
        return by_path, ("" if by_path else GRID_PATH_COLUMNS[failed].key), why
    if by_path is None or by_path.pk not in {node.pk for node in index.lineage(by_code)}:
        return (
            None,
            GRID_CODE_COLUMN.key,
            _("网格编码“%(code)s”是“%(grid)s”，与所填名称“%(names)s”不符，请核对。")
            % {"code": code, "grid": index.label(by_code), "names": "/".join(written)},
        )
    return by_code, "", ""
