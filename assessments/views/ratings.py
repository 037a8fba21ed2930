from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments.entries import RatingInput
from assessments.exceptions import AssessmentError, ImportRejected
from assessments.exports import ratings_workbook
from assessments.forms import RatingFillForm, RatingFormSet
from assessments.importers.ratings import build_rating_plan
from assessments.models import GridRating, Rating
from assessments.selectors import ratings as rating_selectors
from assessments.services import ratings as rating_services
from assessments.views.common import period_or_404
from assessments.views.entry_rows import rating_rows
from core import access
from core.audit import history_rows
from core.downloads import Download
from core.formats import counted
from core.import_flow import ImportFlow
from core.jobs import JobResult
from grids import selectors as grid_selectors
from grids.models import Grid, GridLevel

RATING_CHOICES = Rating.choices


def overview(request, pk):
    period = period_or_404(request, pk, "assessments.view_gridrating")
    streets = list(grid_selectors.streets_for(request.user))
    street_param = request.GET.get("street", "")
    street = next(
        (s for s in streets if str(s.pk) == street_param), streets[0] if len(streets) == 1 else None
    )
    return render(
        request,
        "assessments/ratings_overview.html",
        {
            "period": period,
            "progress": rating_selectors.street_progress(request.user, period),
            "street": street,
            "communities": rating_selectors.community_progress(request.user, period, street.pk)
            if street
            else [],
            "can_rate": _can_rate(request.user, period),
        },
    )


def _community_or_404(user, community_pk) -> Grid:
    community = (
        Grid.objects.for_user(user)
        .select_related("street")
        .filter(pk=community_pk, level=GridLevel.COMMUNITY)
        .first()
    )
    if community is None:
        raise Http404(_("村（社区）不存在或不在您的管辖范围内。"))
    return community


def _can_rate(user, period) -> bool:
    return access.can(user, "assessments.change_gridrating") and not period.is_locked


def _entry_grids(request, period, community) -> list[dict]:
    grids = rating_selectors.community_entry(request.user, period, community)
    for grid in grids:
        grid["saved"] = bool(grid["current"])  # a refused save shows the choices, not as saved
    return grids


def _render_entry(request, period, community, formset, fill_form, can_rate):
    """The rating page; after a refused save, the formset shows the user's choices so nothing is lost."""
    grids = formset.grids
    return render(
        request,
        "assessments/rating_entry.html",
        {
            "period": period,
            "community": community,
            # Not {{ formset.management_form }}: the template's lookup tries formset["management_form"]
            # first, and a formset's __getitem__ builds every row's form.
            "management_form": formset.management_form,
            # Written in one pass (entry_rows): the page the center and the streets open most.
            "rows_html": rating_rows(
                formset.page_rows(), choices=RATING_CHOICES, can_rate=can_rate, period_pk=period.pk
            ),
            "total": len(grids),
            "fill_form": fill_form,
            "choices": RATING_CHOICES,
            "can_rate": can_rate,
            "rated": sum(1 for g in grids if g["saved"]),
            "counter": rating_selectors.quota_counter(
                request.user, period, community, formset.chosen(), grids
            )
            if can_rate
            else None,
        },
    )


def _saved_message(summary) -> str:
    return _("已保存：新评定 %(c)s 个、修改 %(u)s 个、未变 %(n)s 个。") % counted(
        {"c": summary.created, "u": summary.updated, "n": summary.unchanged}
    )


def entry(request, pk, community_pk):
    """Rate every level-3/4 grid of one village/community, saved all at once."""
    period = period_or_404(request, pk, "assessments.view_gridrating")
    community = _community_or_404(request.user, community_pk)
    can_rate = _can_rate(request.user, period)
    grids = _entry_grids(request, period, community)
    if request.method != "POST":
        return _render_entry(
            request, period, community, RatingFormSet(grids=grids), RatingFillForm(), can_rate
        )
    if not can_rate:
        raise PermissionDenied(_("您没有执行此操作的权限。") if not period.is_locked else _("该季度已锁定。"))
    formset = RatingFormSet(request.POST, grids=grids)
    if not formset.is_valid():
        messages.error(request, " ".join(formset.problems()))
    else:
        try:
            summary = rating_services.save_ratings(
                user=request.user, period=period, entries=formset.entries()
            )
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _saved_message(summary))
            return redirect("assessments:rating_entry", pk=period.pk, community_pk=community.pk)
    return _render_entry(request, period, community, formset, RatingFillForm(request.POST), can_rate)


@require_POST
def fill(request, pk, community_pk):
    """Give every unrated grid of the community one rating, saving the page's own choices with them."""
    period = period_or_404(request, pk, "assessments.change_gridrating")
    community = _community_or_404(request.user, community_pk)
    formset = RatingFormSet(request.POST, grids=_entry_grids(request, period, community), filling=True)
    fill_form = RatingFillForm(request.POST)
    if not (fill_form.is_valid() and formset.is_valid()):
        messages.error(request, " ".join([*fill_form.errors.get("bulk_rating", []), *formset.problems()]))
    else:
        try:
            summary = rating_services.rate_unrated(
                user=request.user,
                period=period,
                community=community,
                rating=fill_form.cleaned_data["bulk_rating"],
                entries=formset.entries(),
                notes=formset.notes(),
            )
        except AssessmentError as exc:
            messages.error(request, _("未评定网格均未设定，本页也未保存：%(reason)s") % {"reason": exc})
        else:
            messages.success(request, _saved_message(summary))
            return redirect("assessments:rating_entry", pk=period.pk, community_pk=community.pk)
    return _render_entry(request, period, community, formset, fill_form, not period.is_locked)


@require_GET
def quota(request, pk, community_pk):
    """The rating page's running quota counter (an htmx fragment) for the choices sent with the request."""
    period = period_or_404(request, pk, "assessments.view_gridrating")
    community = _community_or_404(request.user, community_pk)
    if not request.htmx:
        return redirect("assessments:rating_entry", pk=period.pk, community_pk=community.pk)
    grids = rating_selectors.community_entry(request.user, period, community)
    chosen = RatingFormSet(request.GET, grids=grids).chosen()
    return render(
        request,
        "assessments/includes/quota_counter.html",
        {
            "period": period,
            "community": community,
            "counter": rating_selectors.quota_counter(request.user, period, community, chosen, grids),
        },
    )


def rating_history(request, pk, grid_pk):
    period = period_or_404(request, pk, "assessments.view_gridrating")
    rating = (
        GridRating.objects.for_user(request.user)
        .select_related("grid")
        .filter(period=period, grid_id=grid_pk)
        .first()
    )
    if rating is None:
        raise Http404(_("该网格本季度尚未评定，或不在您的管辖范围内。"))
    return render(
        request,
        "assessments/rating_history.html",
        {
            "period": period,
            "rating": rating,
            "history": history_rows(
                rating.history.select_related("history_user"), ["rating", "score", "remark"]
            ),
        },
    )


def _export_title(request, pk) -> str:
    period = period_or_404(request, pk, "assessments.view_gridrating")
    return _("导出%(period)s网格考核评定表") % {"period": period}


def _export_file(request, progress, pk) -> JobResult:
    period = period_or_404(request, pk, "assessments.view_gridrating")
    return JobResult(
        content=ratings_workbook(request.user, period),
        filename=f"{period.year.year}年第{period.quarter}季度网格考核.xlsx",
    )


# Every level-3/4 grid of the quarter (about 6,000 rows in the district): the page's button makes it as a job.
export = Download("assessments.ratings_export", make=_export_file, title=_export_title)


def _rating_cells(plan, entry: RatingInput):
    return [
        *plan.labels.get(entry.grid_id, ("", "")),
        dict(RATING_CHOICES)[entry.rating],
        entry.score,
        entry.remark,
    ]


import_flow = ImportFlow(
    kind="assessments.ratings",
    title=_("导入网格考核结果"),
    perm="assessments.change_gridrating",
    preview_url_name="assessments:ratings_import_preview",
    build_plan=lambda request, data, pk: build_rating_plan(
        data, user=request.user, period=period_or_404(request, pk)
    ),
    apply=lambda request, data, pk, progress: rating_services.import_ratings(
        user=request.user, period=period_or_404(request, pk), data=data, progress=progress
    ),
    job_kind="assessments.ratings_import",
    rejected=ImportRejected,
    refused=(AssessmentError,),
    done_url=lambda request, pk: reverse("assessments:ratings", kwargs={"pk": pk}),
    back=lambda request, pk: (_("网格考核"), reverse("assessments:ratings", kwargs={"pk": pk})),
    summary=lambda plan: (
        _("导入完成：新评定 %(c)s 个、修改 %(u)s 个。")
        % counted({"c": len(plan.creates), "u": len(plan.updates)})
    ),
    headers=(_("网格编码"), _("网格"), _("考核等次"), _("得分"), _("备注")),
    row_cells=_rating_cells,
    template_url=lambda pk: reverse("assessments:ratings_export", kwargs={"pk": pk}),
    help_text=_(
        "每行一个三、四级网格：网格编码，或 街镇/村（社区）/三级网格/四级网格 名称（街镇管理员可不填街镇）；"
        "考核等次（优秀/合格/基本合格/不合格），可选得分、备注。可先导出本季度表格填写后再导入。"
    ),
)
