from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.exceptions import AssessmentError
from assessments.forms import StreetQuotaForm, UnlockForm, YearSettingsForm
from assessments.selectors import periods as period_selectors
from assessments.selectors.hotline import handles_tickets
from assessments.selectors.ratings import street_progress, year_street_quotas
from assessments.selectors.unmatched import unresolved
from assessments.services import periods as period_services
from assessments.views.common import period_or_404, year_or_404
from core import access
from core.audit import history_rows
from grids import selectors as grid_selectors
from grids.models import GridLevel


def period_list(request):
    access.require(request.user, "assessments.view_assessmentperiod")
    years = list(period_selectors.years())
    selected = request.GET.get("year", "")
    settings = next((y for y in years if str(y.year) == selected), years[0] if years else None)
    rows = period_selectors.periods_overview(request.user, settings) if settings else []
    return render(
        request, "assessments/period_list.html", {"years": years, "settings": settings, "rows": rows}
    )


def period_detail(request, pk):
    period = period_or_404(request, pk)
    is_open = not period.is_locked
    can_unlock = access.can(request.user, "assessments.unlock_period")
    return render(
        request,
        "assessments/period_detail.html",
        {
            "period": period,
            "progress": street_progress(request.user, period),
            # Each viewer is told what it can act on: a street admin its own unrated grids only.
            "problems": period_services.lock_problems(period, user=request.user) if is_open else [],
            "resolve_unmatched": is_open
            and handles_tickets(request.user)
            and unresolved().received_in(period).exists(),
            "history": history_rows(period_selectors.period_history(period)[:50], ["status"]),
            "can_lock": access.can(request.user, "assessments.lock_period")
            and access.street_scope(request.user) is True,
            "can_unlock": can_unlock,
            "unlock_refusal": period_services.unlock_refusal(period) if can_unlock and not is_open else None,
            "unlock_form": UnlockForm(),
            "panels": period_selectors.period_panels(period, request.user),
        },
    )


@require_POST
def lock(request, pk):
    period = period_or_404(request, pk, "assessments.lock_period")
    try:
        period_services.lock_period(user=request.user, period=period)
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(period)s已锁定，零投诉结果已固定。") % {"period": period})
    return redirect("assessments:period_detail", pk=period.pk)


@require_POST
def unlock(request, pk):
    period = period_or_404(request, pk, "assessments.unlock_period")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("解锁必须填写理由。"))
    else:
        try:
            period_services.unlock_period(
                user=request.user, period=period, reason=form.cleaned_data["reason"]
            )
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(period)s已解锁。") % {"period": period})
    return redirect("assessments:period_detail", pk=period.pk)


def year_settings(request, year):
    access.require(request.user, "assessments.view_assessmentyear")
    settings = year_or_404(year)
    may_change = access.can(request.user, "assessments.change_assessmentyear")
    # A locked quarter freezes the settings (the service refuses a save): the form is shown read-only.
    frozen = period_services.settings_frozen(settings) if may_change else None
    can_edit = may_change and frozen is None
    form = YearSettingsForm(request.POST or None, settings=settings, read_only=frozen is not None)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("您没有执行此操作的权限。"))
        if form.is_valid():
            try:
                period_services.update_year_settings(
                    user=request.user,
                    settings=settings,
                    level3_quota=form.cleaned_data["level3_quota"],
                    level4_quota=form.cleaned_data["level4_quota"],
                    zero_urban=form.cleaned_data["zero_urban"],
                    zero_rural=form.cleaned_data["zero_rural"],
                    rating_rewards=form.rating_rewards(),
                    complaint_types=form.cleaned_data["complaint_types"],
                )
            except AssessmentError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(year)s 年考核设置已保存。") % {"year": year})
                return redirect("assessments:year_settings", year=year)
    return render(
        request,
        "assessments/year_settings.html",
        {
            "settings": settings,
            "form": form,
            "can_edit": can_edit,
            "may_change": may_change,
            "frozen": frozen,
            "quota_levels": period_selectors.street_quota_table(request.user, settings),
        },
    )


def street_quotas(request, year, level):
    access.require(request.user, "assessments.change_assessmentyear")
    settings = year_or_404(year)
    if level not in (GridLevel.LEVEL3, GridLevel.LEVEL4):
        raise PermissionDenied
    current = year_street_quotas(settings.pk, level)
    frozen = period_services.settings_frozen(settings)
    initial = current if frozen else current or period_services.propose_street_quotas(settings, level)
    form = StreetQuotaForm(
        request.POST or None,
        streets=grid_selectors.streets_for(request.user),
        initial_quotas=initial,
        read_only=frozen is not None,
    )
    if request.method == "POST":
        if "clear" in request.POST:
            quotas = {}
        elif form.is_valid():
            quotas = form.quotas()
        else:
            quotas = None
        if quotas is not None:
            try:
                period_services.save_street_quotas(
                    user=request.user, settings=settings, level=level, quotas=quotas
                )
            except AssessmentError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("街镇优秀名额已保存。") if quotas else _("已取消按街镇分配名额。")
                )
                return redirect("assessments:year_settings", year=year)
    return render(
        request,
        "assessments/street_quotas.html",
        {
            "settings": settings,
            "level_label": GridLevel(level).label,
            "form": form,
            "total": settings.quota(level),
            "proposed": not current and not frozen,
            "split": bool(current),
            "frozen": frozen,
        },
    )
