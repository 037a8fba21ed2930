from django.http import Http404
from django.utils.translation import gettext as _

from assessments.models import AssessmentPeriod, AssessmentYear
from core import access


def period_or_404(request, pk, perm="assessments.view_assessmentperiod") -> AssessmentPeriod:
    access.require(request.user, perm)
    try:
        return AssessmentPeriod.objects.select_related("year", "locked_by").get(pk=pk)
    except AssessmentPeriod.DoesNotExist:
        raise Http404(_("考核季度不存在。")) from None


def year_or_404(year: int) -> AssessmentYear:
    try:
        return AssessmentYear.objects.get(year=year)
    except AssessmentYear.DoesNotExist:
        raise Http404(_("%(year)s 年尚未设置考核。") % {"year": year}) from None
