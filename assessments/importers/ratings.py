"""Import of a quarter's grid ratings: one row per level-3/4 grid, named by its code or by its name path.

A street's own ratings sheet names its grids (社区 / 小区 / 楼栋) rather than coding them; both are read
through grids.matching, so a grid is found the same way here as in every other importer.
"""

from django.utils.translation import gettext as _

from assessments import rules
from assessments.entries import RatingInput
from assessments.models import AssessmentPeriod, GridRating, Rating
from assessments.selectors.ratings import QuotaOverrun, quota_overruns
from core import access
from core.import_plan import Cells, Plan, read_first_sheet
from core.xlsx import Column, RowError, clean_text, compact_text
from grids.matching import (
    GRID_COLUMNS,
    GRID_PATH_COLUMNS,
    GridIndex,
    GridNode,
    MergedNames,
    locate_grid,
    missing_grid_columns,
    path_names,
)
from grids.models import Grid, GridLevel
from grids.rules import parse_level

COLUMNS = [
    *GRID_COLUMNS,
    # Read so that it is checked, and so that its 三级网格/四级网格 values are never taken for a header.
    Column("level", "层级", ("网格层级", "级别", "网格级别")),
    Column(
        "rating",
        "考核等次",
        ("等次", "考核结果", "评定等次", "评定结果", "等级", "考核等级", "评定等级", "考核评定等次"),
        required=True,
    ),
    Column("score", "得分", ("分数", "考核得分", "综合得分", "评分")),
    Column("remark", "备注", ("说明",)),
]
# How many of the grids behind an exceeded quota its message names; the count is always given.
GRIDS_NAMED = 10


def build_rating_plan(data: bytes, *, user, period: AssessmentPeriod) -> Plan:
    """Read a ratings workbook for a quarter: entries to save (as RatingInput), unchanged rows, errors.

    Every problem is reported at once, the excellent quotas included: a quota the file would exceed
    is checked over the rows that name a grid and a rating, whatever else is wrong with them.
    """
    plan = Plan()
    if period.is_locked:
        plan.errors.append(
            RowError(_("文件"), None, "", _("%(period)s已锁定，不能导入。") % {"period": period})
        )
        return plan
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    scope = access.street_scope(user)
    own_street = None if scope is True else scope
    missing = missing_grid_columns(sheet.columns, street_known=bool(own_street))
    if missing:
        plan.errors.append(RowError(sheet.sheet, sheet.header_row, "", missing))
        return plan
    cells = Cells(sheet, plan.errors)
    index = GridIndex.load(Grid.objects.active(on=period.ends_on))
    street = index.nodes.get(own_street) if own_street else None
    existing = {
        r["grid_id"]: r
        for r in GridRating.objects.filter(period=period).values("grid_id", "rating", "score", "remark")
    }
    seen: dict[int, int] = {}
    rated: list[tuple[int, GridNode, str | None, str]] = []  # (row, grid, old, new) for the quota check
    merged = MergedNames()
    for number, record in sheet.rows:
        before = cells.count
        record = merged.fill(number, record)
        grid = _rated_grid(cells, index, number, record, street=street, user=user)
        if grid is not None and grid.pk in seen:
            cells.error(
                number,
                "grid_code",
                _("网格“%(grid)s”与第%(row)d行重复。") % {"grid": index.label(grid), "row": seen[grid.pk]},
            )
            continue
        if grid is not None:
            seen[grid.pk] = number
        rating_text = compact_text(record.get("rating"))
        rating = rules.parse_rating(rating_text)
        if rating_text and rating is None:
            cells.error(
                number,
                "rating",
                _("未知考核等次“%(value)s”，应为 优秀、合格、基本合格 或 不合格。") % {"value": rating_text},
            )
        elif not rating_text:
            cells.error(number, "rating", _("考核等次不能为空。"))
        old = existing.get(grid.pk) if grid is not None else None
        if grid is not None and rating is not None:
            rated.append((number, grid, old["rating"] if old else None, rating))
        try:
            score = rules.parse_score(record.get("score"))
        except ValueError as exc:
            score = None
            cells.error(number, "score", str(exc))
        remark = clean_text(record.get("remark"))
        cells.length(number, "remark", remark, 200)
        if cells.count > before:
            continue
        if old and (old["rating"], old["score"], old["remark"]) == (rating, score, remark):
            plan.unchanged += 1
            continue
        entry = RatingInput(grid_id=grid.pk, rating=rating, score=score, remark=remark)
        plan.labels[grid.pk] = (grid.code, index.label(grid))
        (plan.updates if old else plan.creates).append(entry)
    if merged.note():
        plan.notes.append(merged.note())
    for overrun in quota_overruns(period, [(grid, old, new) for _row, grid, old, new in rated]):
        plan.errors.append(
            RowError(sheet.sheet, None, cells.label("rating"), _over_quota(overrun, rated, index))
        )
    return plan


def _rated_grid(
    cells: Cells, index: GridIndex, number: int, record: dict, *, street, user
) -> GridNode | None:
    """The level-3/4 grid a row rates, or None with the reason recorded against the row."""
    grid, column, why = locate_grid(index, record, street=street)
    if grid is None:
        cells.error(number, column, why)
        return None
    code = compact_text(record.get("grid_code"))
    if not access.in_scope(user, grid.street_id or grid.pk):
        if code:  # a code says no more than the admin wrote: whether it exists elsewhere stays unsaid
            message = _("网格“%(code)s”不存在或不在您的管辖范围内。") % {"code": code}
        else:
            message = _("“%(grid)s”不在您的管辖范围内。") % {
                "grid": "/".join(n for n in path_names(record) if n)
            }
        cells.error(number, "grid_code" if code else "street_name", message)
        return None
    if grid.level not in (GridLevel.LEVEL3, GridLevel.LEVEL4):
        cells.error(
            number,
            "grid_code" if code else GRID_PATH_COLUMNS[grid.level - 1].key,
            _("“%(grid)s”是%(level)s，不是本季度参与考核的三、四级网格。")
            % {"grid": index.label(grid), "level": GridLevel(grid.level).label},
        )
        return None
    written = compact_text(record.get("level"))
    if written and parse_level(written) != grid.level:
        cells.error(
            number,
            "level",
            _("“%(grid)s”是%(level)s，与所填层级“%(written)s”不符。")
            % {"grid": index.label(grid), "level": GridLevel(grid.level).label, "written": written},
        )
        return None
    return grid


def _over_quota(overrun: QuotaOverrun, rated: list, index: GridIndex) -> str:
    """The quota message, followed by the grids of the file that the save would newly make 优秀."""
    rows = [
        (row, grid)
        for row, grid, old, new in rated
        if grid.level == overrun.level
        and new == Rating.EXCELLENT
        and old != Rating.EXCELLENT
        and overrun.street_id in (None, grid.street_id)
    ]
    named = "、".join(
        _("第%(row)d行 %(grid)s") % {"row": row, "grid": index.label(grid)}
        for row, grid in rows[:GRIDS_NAMED]
    )
    more = _(" 等") if len(rows) > GRIDS_NAMED else ""
    return _("%(quota)s本文件新评为优秀的 %(n)d 个：%(grids)s%(more)s。") % {
        "quota": overrun.message,
        "n": len(rows),
        "grids": named,
        "more": more,
    }
