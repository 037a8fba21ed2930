"""The disbursements' background jobs (core.jobs): generating a quarter's batch, a batch's 拨付明细
workbook, and a large workbook of special-batch lines previewed and imported."""

from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.models import AssessmentPeriod
from core.formats import yuan_text
from core.jobs import JobFailed, JobResult, register
from disbursements.exceptions import DisbursementError, NothingChanged
from disbursements.services.batches import generate_quarterly_batch


def generate_batch(job, progress) -> JobResult:
    """disbursements.views.generate's work: the batch, then on to its page with the message."""
    period = AssessmentPeriod.objects.select_related("year").filter(pk=job.params["period"]).first()
    if period is None:
        raise JobFailed(_("考核季度不存在。"))
    try:
        batch = generate_quarterly_batch(user=job.user, period=period)
    except NothingChanged as exc:  # the draft already holds these lines: to it, with why nothing changed
        return JobResult(message=str(exc), next_url=_batch_url(exc.batch))
    except DisbursementError as exc:
        raise JobFailed(str(exc)) from exc
    return JobResult(message=generated_message(batch), next_url=_batch_url(batch))


def generated_message(batch) -> str:
    return _("已生成“%(title)s”：%(n)d 条明细，合计 %(total)s 元。") % {
        "title": batch.title,
        "n": batch.lines.count(),
        "total": yuan_text(batch.total),
    }


def _batch_url(batch) -> str:
    return reverse("disbursements:batch_detail", kwargs={"pk": batch.pk})


def register_jobs() -> None:
    from disbursements.views import export, import_flow

    register("disbursements.generate_batch", generate_batch, go_on=True)
    import_flow.register_jobs()
    export.register()
