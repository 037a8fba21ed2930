from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.models import AssessmentYear
from core import access, jobs
from core.audit import history_rows
from core.changes import remember
from core.http import pdf_response, xlsx_response
from core.numbers import int_param
from disbursements.models import Budget
from reports import exports, selectors, services
from reports.dashboard import dashboard as dashboard_figures
from reports.dashboard import monthly_bulletin
from reports.forms import EvaluationForm, IndicatorForm, OpenYearForm, ReopenForm
from reports.models import Indicator, SelfEvaluation
from reports.selectors import indicator_row
from reports.sources import year_values


def _evaluation_or_404(request, year) -> SelfEvaluation:
    access.require(request.user, "reports.view_selfevaluation")
    access.require_district(request.user)
    evaluation = SelfEvaluation.objects.filter(year=year).first()
    if evaluation is None:
        raise Http404(_("%(year)s 年尚未建立绩效自评。") % {"year": year})
    return evaluation


def _read_only(request, evaluation: SelfEvaluation):
    """Back to a finalised evaluation's page with the reason its forms are closed, or None for a draft."""
    problem = services.draft_problem(evaluation)
    if problem is None:
        return None
    messages.error(request, problem)
    return redirect("reports:self_evaluation", year=evaluation.year)


def evaluation_list(request):
    access.require(request.user, "reports.view_selfevaluation")
    access.require_district(request.user)
    evaluations = list(SelfEvaluation.objects.order_by("-year"))
    made = {e.year for e in evaluations}
    return render(
        request,
        "reports/evaluation_list.html",
        {
            "evaluations": evaluations,
            # Opened years without a self-evaluation (e.g. opened in the admin): it can be created here.
            "missing": [
                y
                for y in AssessmentYear.objects.order_by("-year").values_list("year", flat=True)
                if y not in made
            ],
        },
    )


def self_evaluation(request, year):
    evaluation = _evaluation_or_404(request, year)
    page = selectors.self_evaluation_page(evaluation)
    return render(request, "reports/self_evaluation.html", {**page, "reopen_form": ReopenForm()})


@require_POST
def finalise_evaluation(request, year):
    evaluation = _evaluation_or_404(request, year)
    access.require(request.user, "reports.finalise_evaluation")
    try:
        services.finalise_evaluation(user=request.user, evaluation=evaluation)
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(year)s 年绩效自评已定稿，PDF 与自评表已存档。") % {"year": year})
    return redirect("reports:self_evaluation", year=year)


@require_POST
def reopen_evaluation(request, year):
    evaluation = _evaluation_or_404(request, year)
    access.require(request.user, "reports.reopen_evaluation")
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("重新打开必须填写理由。"))
        return redirect("reports:self_evaluation", year=year)
    try:
        services.reopen_evaluation(
            user=request.user, evaluation=evaluation, reason=form.cleaned_data["reason"]
        )
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(year)s 年绩效自评已重新打开。") % {"year": year})
    return redirect("reports:self_evaluation", year=year)


@require_POST
def create_evaluation(request, year):
    access.require(request.user, "reports.edit_evaluation")
    try:
        services.create_evaluation(user=request.user, year=year)
    except services.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:evaluations")
    messages.success(request, _("已建立 %(year)s 年绩效自评，请填报标为“待填报”的指标。") % {"year": year})
    return redirect("reports:self_evaluation", year=year)


def open_year(request):
    access.require(request.user, "reports.open_year")
    latest = Budget.objects.order_by("-year").first()
    initial = {"year": services.next_year()}
    if latest is not None:
        initial.update(fund_name=latest.fund_name, basis=latest.basis)
    form = OpenYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.open_year(user=request.user, **form.cleaned_data)
        except services.ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "已开启 %(year)s 年：考核设置、奖励标准和名额沿用上一年度（首个季度锁定前可修改），四个季度、预算和绩效自评已建立。"
                )
                % {"year": evaluation.year},
            )
            return redirect("reports:self_evaluation", year=evaluation.year)
    return render(request, "reports/open_year.html", {"form": form, "latest": latest})


def edit_evaluation(request, year):
    evaluation = _evaluation_or_404(request, year)
    access.require(request.user, "reports.edit_evaluation")
    if read_only := _read_only(request, evaluation):
        return read_only
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EvaluationForm.Meta.fields}
        try:
            services.update_evaluation(
                user=request.user, evaluation=evaluation, fields=fields, texts=form.texts()
            )
        except services.ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("reports:self_evaluation", year=year)
    return render(request, "reports/evaluation_form.html", {"form": form, "evaluation": evaluation})


def edit_indicator(request, year, pk):
    evaluation = _evaluation_or_404(request, year)
    access.require(request.user, "reports.edit_evaluation")
    indicator = get_object_or_404(Indicator, pk=pk, evaluation=evaluation)
    if read_only := _read_only(request, evaluation):
        return read_only
    form = IndicatorForm(request.POST or None, instance=Indicator.objects.get(pk=indicator.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in IndicatorForm.Meta.fields}
        try:
            services.update_indicator(user=request.user, indicator=indicator, data=data)
        except services.ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存指标“%(name)s”。") % {"name": indicator.name})
            return redirect("reports:self_evaluation", year=year)
    row = indicator_row(indicator, year_values(year))
    history = history_rows(
        indicator.history.select_related("history_user"),
        [
            "target",
            "points",
            "manual_actual",
            "band",
            "band_percent",
            "override_score",
            "override_reason",
            "deviation",
        ],
    )
    return render(
        request,
        "reports/indicator_form.html",
        {"form": form, "indicator": indicator, "row": row, "history": history},
    )


def self_evaluation_pdf(request, year):
    evaluation = _evaluation_or_404(request, year)
    return pdf_response(exports.self_evaluation_pdf(evaluation), exports.self_evaluation_pdf_name(year))


@require_POST
def self_evaluation_pdf_job(request, year):
    """Make the annual PDF in the background (a draft's takes seconds to render) and show its progress."""
    _evaluation_or_404(request, year)
    job, _started = jobs.start_job(
        user=request.user,
        kind="reports.self_evaluation_pdf",
        key=f"{request.user.pk}:{year}",
        title=_("%(year)s年度绩效自评报告 PDF") % {"year": year},
        params={"year": year},
    )
    return redirect("job", pk=job.pk)


def self_evaluation_xlsx(request, year):
    evaluation = _evaluation_or_404(request, year)
    return xlsx_response(exports.self_evaluation_workbook(evaluation), f"{year}年度项目支出绩效自评表.xlsx")


def _year_param(request, default: int) -> int:
    value = int_param(request.GET.get("year"))
    return value if value is not None and 2000 <= value <= 2100 else default


def dashboard(request):
    access.require(request.user, "reports.view_selfevaluation")
    access.require_district(request.user)
    years = list(Budget.objects.order_by("-year").values_list("year", flat=True))
    year = _year_param(request, years[-1] if years else timezone.localdate().year)
    titles = [
        ("disbursed", _("各季度拨付与预算执行")),
        ("zero", _("各季度零投诉村（社区）")),
        ("ratings", _("网格考核等次分布")),
        ("tickets", _("各月哨单采集量与办结率")),
        ("zero_streets", _("各街镇全年零投诉村（社区）次数")),
    ]
    # Kept until a table the figures were computed from is written (core.changes).
    figures = dict(remember(f"dashboard:{year}", lambda: dashboard_figures(year)))
    figures["charts"] = {f"chart-{key}": spec for key, spec in figures["charts"].items()}
    return render(
        request,
        "reports/dashboard.html",
        {
            **figures,
            "years": years,
            "chart_titles": titles,
            "documents": selectors.latest_documents(request.user),
        },
    )


def _bulletin(request, year, month):
    access.require(request.user, "reports.view_selfevaluation")
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404(_("没有该月的通报。"))
    return monthly_bulletin(year, month, user=request.user)


def bulletin(request, year, month):
    data = _bulletin(request, year, month)
    # Every assessment year can be reached, the shown one too (a month may be asked for by address).
    years = sorted({*AssessmentYear.objects.values_list("year", flat=True), year}, reverse=True)
    return render(request, "reports/bulletin.html", {**data, "months": range(1, 13), "years": years})


def bulletin_xlsx(request, year, month):
    data = _bulletin(request, year, month)
    return xlsx_response(exports.bulletin_workbook(data), f"{year}年{month}月通报.xlsx")


def bulletin_pdf(request, year, month):
    data = _bulletin(request, year, month)
    return pdf_response(exports.bulletin_pdf(data), f"{year}年{month}月通报.pdf", inline=True)


def bulletin_latest(request):
    """The bulletin of the latest month with whistle tickets (the menu's entry point)."""
    access.require(request.user, "reports.view_selfevaluation")
    year, month = selectors.latest_bulletin_month()
    return redirect("reports:bulletin", year=year, month=month)
