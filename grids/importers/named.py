"""The roster as a street keeps it: one sheet, grids named by their path, staff on the grid's row, no codes.

    街镇 | 村（社区） | 三级网格 | 四级网格 | 网格员 | 联系电话 | (网格长 | 电话) | (三级网格指导员 | 电话) | (村（社区）类型)

Each row names a path; what the path names is matched by name (grids.matching, suffixes, spaces and
full-width characters tolerated), what is missing under it is created. The choices (README, 网格花名册):
- 街镇 must exist. A 村（社区） is created only when one of its rows gives 村（社区）类型, since its kind
  decides its reward; a type that contradicts an existing one is an error, not a change.
- New grids get their codes from grids.rules.ChildCodes (parent code + the next sequence number).
- 网格员 serves the deepest grid named on the row, which must be a level-4 grid (grids.rules.staff_role_error);
  网格长 and 三级网格指导员 serve the row's level-3 grid. A row stopping at its village/community is an error.
  The same person (grid, name, role) already on the roster is unchanged; another phone is an update; a
  person whose post has ended starts a new post today. Staff not in the file are left as they are.
- Grids created from a row are established on its 设立日期 (optional column), today when blank; the
  bounds of grids.history apply (no date on or before a closed period's last day).
- A blank 街镇, 村（社区） or 三级网格 above a filled cell is the cell of the row above: a merged cell spans
  the rows of its grids and is read as blank on all but its first row.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils import timezone
from django.utils.translation import gettext as _

from core.import_plan import Cells
from core.progress import RowProgress
from core.xlsx import (
    HEADER_SCAN_ROWS,
    Column,
    SheetRows,
    clean_text,
    compact_text,
    normalize_header,
    parse_date,
    read_rows,
)
from grids import history
from grids.importers.plan import GridRow, RosterPlan, StaffRow, staff_on_roster
from grids.matching import (
    GRID_PATH_COLUMNS,
    GridIndex,
    GridNode,
    MergedNames,
    community_key,
    normalize,
    street_key,
    strip_district,
)
from grids.models import CommunityKind, Grid, GridLevel, GridStaff, StaffRole, is_in_service
from grids.rules import ChildCodes, kind_error, parse_kind, phone_error, staff_role_error

PHONE_WORDS = ("联系电话", "电话", "手机", "手机号码", "手机号", "联系方式", "电话号码")
NAME_WORDS = ("姓名",)


@dataclass(frozen=True)
class StaffColumns:
    """The name and phone columns of one role, e.g. 网格长 | 网格长电话."""

    role: StaffRole
    words: tuple[str, ...]  # how a header names the role: 网格长, 网格长姓名 …
    serves_level3: bool  # True: the row's level-3 grid; False: the deepest grid on the row

    @property
    def key(self) -> str:
        return str(self.role)

    def columns(self, *, bare: bool) -> list[Column]:
        """bare: 姓名 and 联系电话 on their own also name this role's columns (the 网格员's, when no group
        header such as 网格长 over 姓名 | 联系电话 makes them ambiguous)."""
        first = self.words[0]
        names = (*self.words[1:], *(w + n for w in self.words for n in NAME_WORDS))
        phones = tuple(w + p for w in self.words for p in PHONE_WORDS)
        return [
            Column(f"{self.key}_name", first, names + (NAME_WORDS if bare else ())),
            Column(f"{self.key}_phone", f"{first}联系电话", phones[1:] + (PHONE_WORDS if bare else ())),
        ]


STAFF = (
    StaffColumns(StaffRole.WORKER, ("网格员", "专职网格员", "四级网格员"), serves_level3=False),
    StaffColumns(StaffRole.HEAD, ("网格长", "三级网格长"), serves_level3=True),
    StaffColumns(StaffRole.INSTRUCTOR, ("三级网格指导员", "网格指导员", "指导员"), serves_level3=True),
)
KIND = Column("kind", "村（社区）类型", ("类型", "社区类型", "村社区类型", "村（社区）性质"))
ESTABLISHED = Column("established_on", "设立日期", ("成立日期", "设立时间"))
PATH_KEYS = [c.key for c in GRID_PATH_COLUMNS]
LEVEL3 = GridLevel.LEVEL3 - 1  # the position of 三级网格 in a path


def header_rows(ws) -> list[set[str]]:
    """The texts of the rows a header may be on, as header names are compared."""
    return [
        {normalize_header(v) for v in values if v is not None}
        for values in ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)
    ]


def _grouped(rows: list[set[str]]) -> bool:
    """Whether a role is written over 姓名 | 联系电话 in a two-row header (网格长 merged over two cells)."""
    roles = {normalize_header(w) for s in STAFF for w in s.words}
    bare = {normalize_header(w) for w in (*NAME_WORDS, *PHONE_WORDS)}
    return any(upper & roles and lower & bare for upper, lower in pairwise(rows))


def columns_for(rows: list[set[str]]) -> list[Column]:
    bare = not _grouped(rows)
    path = [Column(c.key, c.label, c.synonyms, required=c.key == "community_name") for c in GRID_PATH_COLUMNS]
    staff = [column for s in STAFF for column in s.columns(bare=bare and s.role == StaffRole.WORKER)]
    return [*path, KIND, ESTABLISHED, *staff]


@dataclass
class NamedRow:
    row: int
    names: list[str]  # 街镇, 村（社区）, 三级网格, 四级网格 as written, '' where blank
    kind_text: str
    kind: CommunityKind | None  # None when blank or unknown
    staff: list[tuple[StaffColumns, str, str]]  # (role, name, phone) as written
    established_on: dt.date | None = None  # for the grids the row creates (today when blank)


@dataclass
class NamedSheet:
    sheet: SheetRows
    rows: list[NamedRow] = field(default_factory=list)


def read_sheet(workbook, ws, plan: RosterPlan) -> NamedSheet | None:
    """Read the one-sheet roster: header, rows with merged path cells filled down, notes."""
    sheet = read_rows(ws, columns_for(header_rows(ws)), plan.errors)
    if sheet is None:
        return None
    plan.notes.extend(sheet.notes())
    others = [w.title for w in workbook.worksheets if w is not ws and w.max_row and w.max_row > 1]
    if others:
        plan.notes.append(
            _("只读取了工作表“%(sheet)s”；其他工作表（%(others)s）未读取。")
            % {"sheet": ws.title, "others": "、".join(others)}
        )
    named = NamedSheet(sheet)
    cells = Cells(sheet, plan.errors)
    merged = MergedNames()
    kinds: dict[str, CommunityKind | None] = {}  # a community's kind is repeated on each of its rows
    for number, record in sheet.rows:
        names = [clean_text(record.get(key)) for key in PATH_KEYS]
        staff = [
            (s, compact_text(record.get(f"{s.key}_name")), compact_text(record.get(f"{s.key}_phone")))
            for s in STAFF
        ]
        staff = [(s, name, phone) for s, name, phone in staff if name or phone]
        names = merged.fill_names(number, names, repeat_when_blank=bool(staff))
        kind_text = compact_text(record.get("kind"))
        if kind_text not in kinds:
            kinds[kind_text] = parse_kind(kind_text) if kind_text else None
        established_on = None
        if clean_text(record.get("established_on")):
            try:
                established_on = parse_date(record.get("established_on"))
            except ValueError as exc:
                cells.error(number, "established_on", str(exc))
        named.rows.append(NamedRow(number, names, kind_text, kinds[kind_text], staff, established_on))
    if merged.note():
        plan.notes.append(merged.note())
    return named


@dataclass
class _Roster:
    """The roster as the import builds it: the grid index with the grids planned so far, and their codes."""

    index: GridIndex
    codes: ChildCodes
    kinds: dict[int, str]  # community pk → kind (planned communities included, by their provisional pk)
    staff: dict[tuple[int, str, str], tuple[int, str, bool]]  # (grid pk, name, role) → (pk, phone, in post)
    established: dict[int, dt.date]  # grid pk → 设立日期 (planned grids included)
    closed: history.Closed | None

    @classmethod
    def load(cls) -> "_Roster":
        rows = list(
            Grid.objects.values_list(
                "pk",
                "code",
                "name",
                "level",
                "parent_id",
                "street_id",
                "kind",
                "retired_on",
                "established_on",
            )
        )
        # Only grids in service are matched: a retired 3栋 named again is a new grid, with a new code.
        on = timezone.localdate()
        index = GridIndex(GridNode(*r[:6]) for r in rows if is_in_service(on, r[8], r[7]))
        code_of = {r[0]: r[1] for r in rows}
        children = defaultdict(list)
        for _pk, code, _name, _level, parent_id, *_rest in rows:
            if parent_id is not None:
                children[code_of[parent_id]].append(code)
        kinds = {r[0]: r[6] for r in rows if r[3] == GridLevel.COMMUNITY}
        established = {r[0]: r[8] for r in rows}
        codes = ChildCodes(set(code_of.values()), children)
        return cls(index, codes, kinds, staff_on_roster("grid_id"), established, history.closed())


def row_count(named: NamedSheet) -> int:
    return len(named.rows)


def resolve(named: NamedSheet, plan: RosterPlan, checked: RowProgress) -> None:
    """Match every row's path, plan the grids missing along it and the staff on it, or name every problem
    (each row counted in checked as it is gone through)."""
    roster = _Roster.load()
    cells = Cells(named.sheet, plan.errors)
    has_kind = cells.has("kind")
    new_kinds = _kinds_of_new_communities(named, cells)
    unchanged: set[int] = set()
    seen_staff: dict[tuple[int, str, str], tuple[int, str]] = {}
    for row in checked.each(named.rows):
        nodes = _path(row, roster, cells, plan, new_kinds if has_kind else {})
        for node in nodes or ():
            if node.pk > 0:
                unchanged.add(node.pk)
        _staff(row, nodes, roster, cells, plan, seen_staff)
    plan.grid_unchanged = len(unchanged)
    if plan.grid_creates:
        plan.notes.append(
            _(
                "新网格的编码按“上级网格编码 + 顺序号”生成（村（社区）3 位，三级、四级网格 2 位），接在上级已有的最大编号之后。"
            )
        )
    plan.errors.sort(key=lambda e: e.row or 0)


def _kinds_of_new_communities(named: NamedSheet, cells: Cells) -> dict[tuple[str, str], str]:
    """The kind each community is given on any of its rows, (street key, community key) → kind."""
    kinds: dict[tuple[str, str], tuple[str, int]] = {}
    keys: dict[tuple[str, str], tuple[str, str]] = {}  # a community is named on each of its rows
    for row in named.rows:
        if not row.kind_text:
            continue
        if row.kind is None:
            cells.error(
                row.row,
                "kind",
                _("未知村（社区）类型“%(value)s”，应为 城市社区 或 农村村（社区）。")
                % {"value": row.kind_text},
            )
            continue
        written = (row.names[0], row.names[1])
        key = keys.get(written) or keys.setdefault(written, _community_key(*written))
        if key in kinds and kinds[key][0] != row.kind:
            cells.error(row.row, "kind", _("与第%(row)d行的村（社区）类型不同。") % {"row": kinds[key][1]})
        kinds.setdefault(key, (str(row.kind), row.row))
    return {key: kind for key, (kind, _row) in kinds.items()}


def _community_key(street: str, community: str) -> tuple[str, str]:
    return (street_key(strip_district(street)), community_key(community))


def _path(row: NamedRow, roster: _Roster, cells: Cells, plan: RosterPlan, new_kinds: dict) -> list[GridNode]:
    """The grids the row names, from the street down, planning the missing ones; [] after an error."""
    written = list(row.names)
    while written and not written[-1]:
        written.pop()
    if not written:
        cells.error(row.row, "street_name", _("没有填写网格名称。"))
        return []
    nodes: list[GridNode] = []
    parent: GridNode | None = None
    if not cells.has("street_name") and len(written) > 1:
        # A street's own sheet often has no 街镇 column: the village/community says which street it is.
        if not written[1]:
            level = GridLevel.COMMUNITY.label
            cells.error(row.row, "community_name", _("请填写%(level)s名称。") % {"level": level})
            return []
        street = _street_of(written[1], roster, row, cells)
        if street is None:
            return []
        written[0] = street.name
    for position, name in enumerate(written):
        level = GridLevel(position + 1)
        key = PATH_KEYS[position]
        if not name:
            cells.error(row.row, key, _("请填写%(level)s名称。") % {"level": level.label})
            return []
        parent_id = parent.pk if parent else None
        found = roster.index.named(parent_id, level, name)
        if len(found) > 1:
            cells.error(row.row, key, _ambiguous(roster.index, parent_id, level, name, found))
            return []
        if not found and level == GridLevel.STREET:
            cells.error(row.row, key, roster.index.problem(parent_id, level, name, 0))
            return []
        if found:
            node = found[0]
            if level == GridLevel.COMMUNITY and not _kind_agrees(row, node, roster, cells):
                return []
        else:
            kind = ""
            if level == GridLevel.COMMUNITY:
                kind = new_kinds.get(_community_key(row.names[0], name), "")
                if not kind:
                    cells.error(
                        row.row,
                        key,
                        roster.index.problem(parent_id, level, name, 0)
                        + _("新的村（社区）须在“村（社区）类型”列填写城市社区或农村村（社区）。"),
                    )
                    return []
            node = _plan_grid(row, parent, level, name, kind, roster, cells, plan)
            if node is None:
                return []
        nodes.append(node)
        parent = node
    return nodes


def _ambiguous(index: GridIndex, parent_id: int | None, level: int, name: str, found: list[GridNode]) -> str:
    """Why a name fits several grids, and what the sheet, having no code column, can do about it."""
    where = _("%(name)s下") % {"name": index.nodes[parent_id].name} if parent_id else ""
    values = {"where": where, "n": len(found), "name": name, "level": GridLevel(level).label}
    if len({normalize(n.name) for n in found}) > 1:  # 黄金村 and 黄金社区 written as 黄金
        values["names"] = "、".join(n.name for n in found[:5])
        return _("%(where)s有 %(n)d 个%(level)s与“%(name)s”相符（%(names)s），请写出完整名称。") % values
    values["codes"] = "、".join(n.code for n in found[:5])
    return (
        _(
            "%(where)s有 %(n)d 个名为“%(name)s”的%(level)s（编码 %(codes)s），名称仅差空格或全角字符，"
            "按名称无法区分：请先在网格页面修改其中一个的名称（或撤销重复的网格）。"
        )
        % values
    )


def _street_of(community: str, roster: _Roster, row: NamedRow, cells: Cells) -> GridNode | None:
    streets = [n for n in roster.index.nodes.values() if n.level == GridLevel.STREET]
    found = [c for s in streets for c in roster.index.named(s.pk, GridLevel.COMMUNITY, community)]
    if len(found) == 1:
        return roster.index.nodes[found[0].parent_id]
    if found:
        where = "、".join(roster.index.label(c) for c in found[:5])
        problem = _("“%(name)s”有多个同名村（社区）（%(where)s），请增加“街镇”列。")
    else:
        where = ""
        problem = _("找不到村（社区）“%(name)s”；表中没有“街镇”列时，只能填写已有的村（社区）。")
    cells.error(row.row, "community_name", problem % {"name": community, "where": where})
    return None


def _kind_agrees(row: NamedRow, community: GridNode, roster: _Roster, cells: Cells) -> bool:
    kind = row.kind
    if kind is None or kind == roster.kinds.get(community.pk):
        return True
    cells.error(
        row.row,
        "kind",
        _("“%(name)s”在花名册中是%(old)s；村（社区）类型请在网格页面修改。")
        % {"name": community.name, "old": CommunityKind(roster.kinds[community.pk]).label},
    )
    return False


def _plan_grid(row, parent: GridNode, level, name, kind, roster: _Roster, cells, plan) -> GridNode | None:
    code = roster.codes.next(parent.code, level)
    before = cells.count
    key = PATH_KEYS[level - 1]
    cells.length(row.row, key, name, Grid._meta.get_field("name").max_length)
    if len(code) > Grid._meta.get_field("code").max_length:
        cells.error(row.row, key, _("上级网格编码过长，无法为新网格生成编码，请先缩短上级网格编码。"))
    problem = kind_error(level, kind)
    if problem:
        cells.error(row.row, "kind", problem)
    established_on = row.established_on or timezone.localdate()
    problem = history.date_error(established_on, _("设立日期"), roster.closed) or history.lifetime_error(
        established_on,
        None,
        parent_name=parent.name,
        parent_established_on=roster.established[parent.pk],
    )
    if problem:
        cells.error(row.row, "established_on" if cells.has("established_on") else key, problem)
    if cells.count > before:
        return None
    node = GridNode(
        pk=-(len(plan.grid_creates) + 1),  # provisional: the grid exists only in the plan
        code=code,
        name=name,
        level=level,
        parent_id=parent.pk,
        street_id=parent.pk if level == GridLevel.COMMUNITY else parent.street_id,
    )
    roster.index.add(node)
    roster.established[node.pk] = established_on
    if level == GridLevel.COMMUNITY:
        roster.kinds[node.pk] = kind
    plan.grid_creates.append(
        GridRow(
            row=row.row,
            code=code,
            name=name,
            level=level,
            parent_code=parent.code,
            kind=kind,
            retired_on=None,
            established_on=established_on,
            parent_label=roster.index.label(parent),
        )
    )
    return node


def _below_community(columns: StaffColumns, deepest: GridNode) -> str:
    """Why the staff of a row that stops above level 3 have no grid to serve.

    A 网格员 serves a level-4 grid; put on the village/community the row stops at, every
    worker of a village listed without its 片区/组 columns would silently become the village's own.
    """
    level = GRID_PATH_COLUMNS[deepest.level - 1].label  # 村（社区）, as the sheet's header says it
    values = {"role": columns.role.label, "level": level, "name": deepest.name}
    if columns.serves_level3:
        return _("%(role)s配备在三级网格：本行只写到%(level)s“%(name)s”，请填写三级网格名称。") % values
    return (
        _("%(role)s应配备在四级网格：本行只写到%(level)s“%(name)s”，请填写三级网格及四级网格名称。") % values
    )


def _staff(
    row: NamedRow, nodes: list[GridNode], roster: _Roster, cells: Cells, plan: RosterPlan, seen
) -> None:
    """Plan the people on the row: each role's name and phone, on the grid its column serves."""
    for columns, name, phone in row.staff:
        name_key, phone_key = f"{columns.key}_name", f"{columns.key}_phone"
        before = cells.count
        if not name:
            cells.error(row.row, name_key, _("姓名不能为空。"))
        cells.length(row.row, name_key, name, GridStaff._meta.get_field("name").max_length)
        problem = phone_error(phone)
        if problem:
            cells.error(row.row, phone_key, problem)
        grid = None
        if nodes:
            grid = nodes[LEVEL3] if columns.serves_level3 and len(nodes) > LEVEL3 else nodes[-1]
            if len(nodes) <= LEVEL3:
                cells.error(row.row, name_key, _below_community(columns, nodes[-1]))
            elif problem := staff_role_error(columns.role, grid.level):
                cells.error(row.row, name_key, problem)
        if cells.count > before or grid is None:
            continue
        key = (grid.pk, name, str(columns.role))
        if key in seen:
            first_row, first_phone = seen[key]
            if first_phone != phone:
                cells.error(
                    row.row,
                    phone_key,
                    _("第%(row)d行已列出%(name)s，联系电话却不同（%(phone)s）。")
                    % {"row": first_row, "name": name, "phone": first_phone},
                )
            continue  # the same person listed on every row of the grid
        seen[key] = (row.row, phone)
        person = StaffRow(
            row.row, grid.code, name, str(columns.role), phone, True, grid_label=roster.index.label(grid)
        )
        plan.add_staff(person, roster.staff.get(key))
