from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import access
from core.http import xlsx_response
from reports import exports
from reports.models import SelfEvaluation


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


def self_evaluation_pdf(request, year):
    evaluation = _evaluation_or_404(request, year)
    response = HttpResponse(exports.self_evaluation_pdf(evaluation), content_type="application/pdf")
    filename = quote(f"{year}年度绩效自评报告.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def self_evaluation_xlsx(request, year):
    evaluation = _evaluation_or_404(request, year)
    return xlsx_response(exports.self_evaluation_workbook(evaluation), f"{year}年度项目支出绩效自评表.xlsx")
