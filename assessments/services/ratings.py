from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments.entries import RatingInput, RatingNote
from assessments.exceptions import AssessmentError, ImportRejected, QuotaExceeded
from assessments.importers.ratings import build_rating_plan
from assessments.models import AssessmentPeriod, GridRating, Rating
from assessments.selectors.ratings import quota_problem
from assessments.services.periods import require_open
from core import access
from core.bulk import update_rows_with_history
from core.progress import WRITING, Progress, RowProgress
from grids.models import Grid, GridLevel


@dataclass
class SaveSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def save_ratings(
    *, user, period: AssessmentPeriod, entries: list[RatingInput], progress: Progress | None = None
) -> SaveSummary:
    """Save many grids' ratings for a quarter at once, all or nothing, within the excellent quotas.

    progress: called with (ratings written, ratings to write), the new ones first (an import's confirm in
    the background, core.jobs); unchanged ratings are not written, so not counted."""
    access.require(user, "assessments.change_gridrating")
    ids = [e.grid_id for e in entries]
    if len(set(ids)) != len(ids):
        raise AssessmentError(_("同一网格在一次保存中出现多次。"))
    for entry in entries:
        if entry.rating not in Rating.values:
            raise AssessmentError(_("未知考核等次“%(value)s”。") % {"value": entry.rating})
        if entry.score is not None and not (entry.score.is_finite() and 0 <= entry.score <= 100):
            raise AssessmentError(_("得分应在 0 到 100 之间。"))
    rated = Grid.objects.active(on=period.ends_on).staffable()
    grids = rated.for_user(user).in_bulk(ids)
    if len(grids) < len(ids):  # the first refused grid and why: out of the user's scope, or not rated
        visible = set(Grid.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
        for grid_id in ids:
            if grid_id not in visible:
                raise PermissionDenied(_("网格不在您的管辖范围内。"))
            if grid_id not in grids:
                raise AssessmentError(
                    _("网格（ID %(id)s）不是本季度参与考核的三、四级网格。") % {"id": grid_id}
                )
    # Locking the period row serialises concurrent saves of one quarter, so two users cannot both take
    # the last excellent place; taken after the checks that do not need it, so that it is held briefly
    # (every save of the quarter waits for it). The counts below are read after it: under READ COMMITTED
    # (PostgreSQL's default, which the app keeps) each statement sees what was committed before it ran.
    period = AssessmentPeriod.objects.select_for_update().select_related("year").get(pk=period.pk)
    require_open(period)
    existing = {r.grid_id: r for r in GridRating.objects.filter(period=period, grid_id__in=ids)}
    problem = quota_problem(
        period,
        [
            (grids[e.grid_id], existing[e.grid_id].rating if e.grid_id in existing else None, e.rating)
            for e in entries
        ],
    )
    if problem:
        raise QuotaExceeded(problem)

    now = timezone.now()
    summary = SaveSummary()
    creates, updates = [], []
    for entry in entries:
        grid = grids[entry.grid_id]
        current = existing.get(entry.grid_id)
        values = {"rating": entry.rating, "score": entry.score, "remark": entry.remark}
        if current is None:
            creates.append(
                GridRating(
                    period=period,
                    grid=grid,
                    level=grid.level,
                    street_id=grid.street_id,
                    rated_by=user,
                    **values,
                )
            )
        elif any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            current.rated_by, current.rated_at = user, now
            updates.append(current)
        else:
            summary.unchanged += 1
    written = RowProgress(progress, len(creates) + len(updates), str(WRITING))
    for chunk in written.chunks(creates):
        bulk_create_with_history(chunk, GridRating, batch_size=1000, default_user=user)
    for chunk in written.chunks(updates):
        update_rows_with_history(
            chunk, GridRating, ["rating", "score", "remark", "rated_by", "rated_at"], default_user=user
        )
    written.finish()
    summary.created, summary.updated = len(creates), len(updates)
    return summary


@transaction.atomic
def rate_unrated(
    *,
    user,
    period: AssessmentPeriod,
    community: Grid,
    rating: str,
    entries: list[RatingInput] = (),
    notes: dict[int, RatingNote] | None = None,
) -> SaveSummary:
    """Give every still unrated grid of a community one rating, with the page's own choices, all or nothing.

    A grid rated by anyone, even after the page was loaded, keeps its rating: the unrated grids are
    found under the period's row lock, which every save of the quarter takes. The quotas are checked
    on the whole save (save_ratings), so a refused bulk rating writes nothing.
    """
    access.require(user, "assessments.change_gridrating")
    if rating not in Rating.values:
        raise AssessmentError(_("未知考核等次“%(value)s”。") % {"value": rating})
    if not Grid.objects.for_user(user).filter(pk=community.pk, level=GridLevel.COMMUNITY).exists():
        raise PermissionDenied(_("村（社区）不在您的管辖范围内。"))
    period = AssessmentPeriod.objects.select_for_update().select_related("year").get(pk=period.pk)
    require_open(period)
    chosen = {entry.grid_id for entry in entries}
    unrated = (
        Grid.objects.for_user(user)
        .active(on=period.ends_on)
        .staffable()
        .filter(community=community)
        .exclude(pk__in=chosen)
        .exclude(pk__in=GridRating.objects.filter(period=period).values("grid_id"))
        .order_by("code")
        .values_list("pk", flat=True)
    )
    filled = []
    for pk in unrated:
        note = (notes or {}).get(pk, RatingNote())
        filled.append(RatingInput(pk, rating, note.score, note.remark))
    return save_ratings(user=user, period=period, entries=[*entries, *filled])


@transaction.atomic
def import_ratings(*, user, period: AssessmentPeriod, data: bytes, progress: Progress | None = None):
    """Save the ratings of a workbook for a quarter, all or nothing (quotas and scope re-checked).

    progress: as save_ratings reports it (a confirm in the background, core.jobs)."""
    access.require(user, "assessments.change_gridrating")
    plan = build_rating_plan(data, user=user, period=period)
    if plan.errors:
        raise ImportRejected(plan)
    save_ratings(user=user, period=period, entries=[*plan.creates, *plan.updates], progress=progress)
    return plan
