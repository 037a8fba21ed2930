"""The roster as a workbook (export) and the blank import template."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import scope_name
from core.xlsx_write import add_list_validation, add_table_sheet, heading_lines, new_workbook, to_bytes
from grids import rules, selectors
from grids.importers import GRID_SHEET, STAFF_SHEET
from grids.importers.coded import GRID_FOR_READING
from grids.models import CommunityKind, GridLevel, StaffRole, is_in_service, unit_label

GRID_HEADERS = [
    "街镇",
    "村（社区）",
    "层级",
    "网格编码",
    "网格名称",
    "上级网格编码",
    "村（社区）类型",
    "网格类别",
    "设立日期",
    "撤销日期",
    "在岗人员",
]
EXPORT_ONLY_HEADERS = GRID_FOR_READING  # shown to people, not read back by the import
STAFF_HEADERS = ["网格编码", "网格名称", "姓名", "职务", "联系电话", "在岗", "任职日期", "离任日期"]
LEVEL_WORDS = [rules.LEVEL_WORDS[level][2] for level in GridLevel]  # 一级网格 … 四级网格
PROGRESS_EVERY = 1000  # rows between two progress reports of a background export


def _level_word(level: int) -> str:
    return LEVEL_WORDS[level - 1]


def roster_workbook(user, *, grids=None, posts=None, progress=None) -> bytes:
    """Export every grid in the user's scope, one row each with its ancestors, dates and staff serving today;
    and every post, ended ones included, with its dates.

    grids / posts: the grid list's or the staff list's filtered queryset, when the export follows a list's
    filters: then only those grids and their posts, or those posts and their grids, are written.
    progress: called with (rows done, rows in all) as the rows are made (a background export, core.jobs).
    """
    every_grid = selectors.roster_values(user)
    staff = selectors.staff_values(user, posts)
    by_pk = {g[0]: g for g in every_grid}  # ancestors are named even when the filter leaves them out
    if grids is not None:
        shown = set(grids.values_list("pk", flat=True))
        staff = [post for post in staff if post[0] in shown]
    elif posts is not None:
        shown = {post[0] for post in staff}
    grids = every_grid if grids is None and posts is None else [g for g in every_grid if g[0] in shown]
    roles = {k: str(v) for k, v in StaffRole.choices}
    kinds = {k: str(v) for k, v in CommunityKind.choices}
    today = timezone.localdate()
    people: dict[int, list[str]] = {}
    for grid_id, _code, _grid_name, name, role, phone, started_on, ended_on in staff:
        if is_in_service(today, started_on, ended_on):
            people.setdefault(grid_id, []).append(f"{name}（{roles[role]}）{phone}")
    total = len(grids) + len(staff)
    grid_rows = []
    for pk, code, name, level, parent_id, street_id, community_id, kind, established_on, retired_on in grids:
        street = by_pk.get(pk if level == GridLevel.STREET else street_id)
        community = by_pk.get(pk if level == GridLevel.COMMUNITY else community_id)
        parent = by_pk.get(parent_id)
        community_kind = community[7] if community else ""
        grid_rows.append(
            [
                street[2] if street else "",
                community[2] if community else "",
                _level_word(level),
                code,
                name,
                parent[1] if parent else "",
                kinds.get(kind, ""),
                unit_label(level, community_kind),
                established_on,
                retired_on,
                "；".join(people.get(pk, [])),
            ]
        )
        if progress and len(grid_rows) % PROGRESS_EVERY == 0:
            progress(len(grid_rows), total)
    staff_rows = [
        [
            code,
            grid_name,
            name,
            roles[role],
            phone,
            "是" if ended_on is None or ended_on > today else "否",
            started_on,
            ended_on,
        ]
        for _grid_id, code, grid_name, name, role, phone, started_on, ended_on in staff
    ]
    if progress:
        progress(total, total)
    unit = scope_name(user)
    filtered = _("按列表筛选") if grids is not None or posts is not None else ""
    workbook = new_workbook(write_only=True)
    sheets = [
        (GRID_SHEET, GRID_HEADERS, grid_rows, _("%(unit)s网格花名册"), "landscape", (9, 10)),
        (STAFF_SHEET, STAFF_HEADERS, staff_rows, _("%(unit)s网格人员名册"), "portrait", (7, 8)),
    ]
    for title, headers, rows, heading, orientation, dates in sheets:
        add_table_sheet(
            workbook,
            title,
            headers,
            rows,
            widths=dict.fromkeys(dates, 12),  # blank dates would narrow the column below a date's width
            heading=heading_lines(heading % {"unit": unit}, filtered),
            orientation=orientation,
        )
    return to_bytes(workbook)


def import_template() -> bytes:
    """A blank roster workbook with instructions above the header and drop-downs for coded columns."""
    workbook = new_workbook()
    grids = workbook.create_sheet(GRID_SHEET)
    grids.append([_("网格花名册导入模板")])
    grids.append(
        [
            _(
                "说明：每行一个网格。层级填 一级网格/二级网格/三级网格/四级网格；上级网格编码也可用“街镇”“村（社区）”名称代替"
                "（二、三级网格）；二级网格必须填写村（社区）类型；设立日期不填的新网格按导入当天设立；编码已存在的行将更新该网格。"
            )
        ]
    )
    headers = [h for h in GRID_HEADERS if h not in EXPORT_ONLY_HEADERS]
    grids.append(headers)
    for index, width in enumerate([14, 16, 12, 20, 22, 18, 16, 12, 12], start=1):
        grids.column_dimensions[chr(64 + index)].width = width
    add_list_validation(grids, "C", LEVEL_WORDS, first_row=4)
    add_list_validation(grids, "G", [str(k.label) for k in CommunityKind], first_row=4)
    staff = workbook.create_sheet(STAFF_SHEET)
    staff.append(["网格编码", "姓名", "职务", "联系电话", "在岗"])
    for index, width in enumerate([20, 12, 16, 16, 8], start=1):
        staff.column_dimensions[chr(64 + index)].width = width
    add_list_validation(staff, "C", [str(r.label) for r in StaffRole], first_row=2)
    add_list_validation(staff, "E", ["是", "否"], first_row=2)
    for ws in (grids, staff):
        ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)
    return to_bytes(workbook)
