"""Import of a quarter's grid ratings: one row per level-3/4 grid."""

from django.utils.translation import gettext as _

from assessments import rules
from assessments.entries import RatingInput
from assessments.models import AssessmentPeriod, GridRating
from assessments.selectors.ratings import quota_problem
from core.import_plan import Cells, Plan, read_first_sheet
from core.xlsx import Column, RowError, clean_text, compact_text
from grids.models import Grid

COLUMNS = [
    Column("grid_code", "网格编码", ("编码", "网格代码", "网格编号"), required=True),
    Column("rating", "考核等次", ("等次", "考核结果", "评定等次", "评定结果"), required=True),
    Column("score", "得分", ("分数", "考核得分")),
    Column("remark", "备注", ("说明",)),
]


def build_rating_plan(data: bytes, *, user, period: AssessmentPeriod) -> Plan:
    """Read a ratings workbook for a quarter: entries to save (as RatingInput), unchanged rows, errors."""
    plan = Plan()
    if period.is_locked:
        plan.errors.append(
            RowError(_("文件"), None, "", _("%(period)s已锁定，不能导入。") % {"period": period})
        )
        return plan
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    cells = Cells(sheet, plan.errors)
    eligible = {
        g.code: g
        for g in Grid.objects.active(on=period.ends_on)
        .staffable()
        .only("pk", "code", "name", "level", "street_id")
    }
    visible = set(Grid.objects.for_user(user).values_list("code", flat=True))
    existing = {
        r["grid_id"]: r
        for r in GridRating.objects.filter(period=period).values("grid_id", "rating", "score", "remark")
    }
    seen: dict[str, int] = {}
    changes = []
    for number, record in sheet.rows:
        before = cells.count
        code = cells.required(number, record, "grid_code", _("网格编码"))
        if code and code in seen:
            cells.error(
                number,
                "grid_code",
                _("网格“%(code)s”与第%(row)d行重复。") % {"code": code, "row": seen[code]},
            )
            continue
        seen[code] = number
        grid = eligible.get(code)
        if code and code not in visible:
            cells.error(number, "grid_code", _("网格“%(code)s”不存在或不在您的管辖范围内。") % {"code": code})
        elif code and grid is None:
            cells.error(
                number, "grid_code", _("网格“%(code)s”不是本季度参与考核的三、四级网格。") % {"code": code}
            )
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
        try:
            score = rules.parse_score(record.get("score"))
        except ValueError as exc:
            score = None
            cells.error(number, "score", str(exc))
        remark = clean_text(record.get("remark"))
        cells.length(number, "remark", remark, 200)
        if cells.count > before:
            continue
        old = existing.get(grid.pk)
        if old and (old["rating"], old["score"], old["remark"]) == (rating, score, remark):
            plan.unchanged += 1
            continue
        entry = RatingInput(grid_id=grid.pk, rating=rating, score=score, remark=remark)
        plan.labels[grid.pk] = (grid.code, grid.name)
        (plan.updates if old else plan.creates).append(entry)
        changes.append((grid, old["rating"] if old else None, rating))
    if not plan.errors:
        problem = quota_problem(period, changes)
        if problem:
            plan.errors.append(RowError(sheet.sheet, None, "", problem))
    return plan
