from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import access
from core.audit import history_rows
from core.http import xlsx_response
from reports import exports, services
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
