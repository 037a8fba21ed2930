from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import WhistleTicket
from core import access
from core.audit import history_rows
from core.http import xlsx_response
from core.numbers import int_param
from disbursements.models import Budget
from reports import exports, services
from reports.dashboard import dashboard as dashboard_figures
from reports.dashboard import monthly_bulletin
from reports.forms import EvaluationForm, IndicatorForm
from reports.models import Indicator, SelfEvaluation
from reports.selectors import indicator_row
from reports.sources import year_values


def _evaluation_or_404(request, year) -> SelfEvaluation:
    access.require(request.user, "reports.view_selfevaluation")
    evaluation = SelfEvaluation.objects.filter(year=year).first()
    if evaluation is None:
        raise Http404(_("%(year)s 年尚未建立绩效自评。") % {"year": year})
    return evaluation


def evaluation_list(request):
    access.require(request.user, "reports.view_selfevaluation")
    return render(
        request, "reports/evaluation_list.html", {"evaluations": SelfEvaluation.objects.order_by("-year")}
    )


def self_evaluation(request, year):
    evaluation = _evaluation_or_404(request, year)
    return render(request, "reports/self_evaluation.html", exports.context(evaluation))


def edit_evaluation(request, year):
    evaluation = _evaluation_or_404(request, year)
    access.require(request.user, "reports.edit_evaluation")
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EvaluationForm.Meta.fields}
        services.update_evaluation(
            user=request.user, evaluation=evaluation, fields=fields, texts=form.texts()
        )
        messages.success(request, _("已保存。"))
        return redirect("reports:self_evaluation", year=year)
    return render(request, "reports/evaluation_form.html", {"form": form, "evaluation": evaluation})


def edit_indicator(request, year, pk):
    evaluation = _evaluation_or_404(request, year)
    access.require(request.user, "reports.edit_evaluation")
    indicator = get_object_or_404(Indicator, pk=pk, evaluation=evaluation)
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
    response = HttpResponse(exports.self_evaluation_pdf(evaluation), content_type="application/pdf")
    filename = quote(f"{year}年度绩效自评报告.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def self_evaluation_xlsx(request, year):
    evaluation = _evaluation_or_404(request, year)
    return xlsx_response(exports.self_evaluation_workbook(evaluation), f"{year}年度项目支出绩效自评表.xlsx")


def _year_param(request, default: int) -> int:
    value = int_param(request.GET.get("year"))
    return value if value is not None and 2000 <= value <= 2100 else default


def dashboard(request):
    access.require(request.user, "reports.view_selfevaluation")
    years = list(Budget.objects.order_by("-year").values_list("year", flat=True))
    year = _year_param(request, years[-1] if years else timezone.localdate().year)
    titles = [
        ("disbursed", _("各季度拨付与预算执行")),
        ("zero", _("各季度零投诉村（社区）")),
        ("ratings", _("网格考核等次分布")),
        ("tickets", _("各月哨单采集量与办结率")),
        ("zero_streets", _("各街镇全年零投诉村（社区）次数")),
    ]
    figures = dashboard_figures(year)
    figures["charts"] = {f"chart-{key}": spec for key, spec in figures["charts"].items()}
    return render(request, "reports/dashboard.html", {**figures, "years": years, "chart_titles": titles})


def _bulletin(request, year, month):
    access.require(request.user, "reports.view_selfevaluation")
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404(_("没有该月的通报。"))
    return monthly_bulletin(year, month)


def bulletin(request, year, month):
    data = _bulletin(request, year, month)
    return render(request, "reports/bulletin.html", {**data, "months": range(1, 13)})


def bulletin_xlsx(request, year, month):
    data = _bulletin(request, year, month)
    return xlsx_response(exports.bulletin_workbook(data), f"{year}年{month}月通报.xlsx")


def bulletin_pdf(request, year, month):
    data = _bulletin(request, year, month)
    response = HttpResponse(exports.bulletin_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'{year}年{month}月通报.pdf')}"
    return response


def bulletin_latest(request):
    """The bulletin of the latest month with whistle tickets (the menu's entry point)."""
    access.require(request.user, "reports.view_selfevaluation")
    latest = WhistleTicket.objects.order_by("-collected_at").values_list("collected_at", flat=True).first()
    day = timezone.localtime(latest).date() if latest else timezone.localdate()
    return redirect("reports:bulletin", year=day.year, month=day.month)
