"""The reports' background jobs (core.jobs): the annual self-evaluation PDF."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import access
from core.jobs import JobFailed, JobResult, register
from reports import exports
from reports.models import SelfEvaluation


def self_evaluation_pdf(job, progress) -> JobResult:
    """The same PDF as reports.views.self_evaluation_pdf: the signed-off one, or a draft's, rendered."""
    access.require(job.user, "reports.view_selfevaluation")
    access.require_district(job.user)
    year = job.params["year"]
    evaluation = SelfEvaluation.objects.filter(year=year).first()
    if evaluation is None:
        raise JobFailed(_("%(year)s 年尚未建立绩效自评。") % {"year": year})
    return JobResult(
        content=exports.self_evaluation_pdf(evaluation),
        filename=exports.self_evaluation_pdf_name(year),
        next_url=reverse("reports:self_evaluation", kwargs={"year": year}),
    )


def register_jobs() -> None:
    register("reports.self_evaluation_pdf", self_evaluation_pdf)
