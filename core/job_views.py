"""The pages of background jobs (core.jobs): 我的任务, one job's progress and result, its file."""

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import jobs
from core.models import Job

RECENT_JOBS = 50


def _own_job(request, pk) -> Job:
    """A job of the user's own: a job and its file are the owner's alone (404 for anyone else)."""
    return jobs.refresh(get_object_or_404(Job.objects.select_related("user"), pk=pk, user=request.user))


def job_list(request):
    recent = list(Job.objects.filter(user=request.user)[:RECENT_JOBS])
    return render(request, "core/job_list.html", {"jobs": [jobs.refresh(job) for job in recent]})


def job_detail(request, pk):
    """The job's page; while it runs, htmx asks for its status block every second."""
    job = _own_job(request, pk)
    if jobs.goes_on(job):  # e.g. a parsed preview: on to it, whether the page was polling or opened anew
        if job.message:
            messages.success(request, job.message)
        return HttpResponseClientRedirect(job.next_url) if request.htmx else redirect(job.next_url)
    if request.htmx:
        return render(request, "core/includes/job_status.html", {"job": job})
    return render(request, "core/job_detail.html", {"job": job})


def job_file(request, pk):
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404(_("该任务没有可下载的文件。"))
    response = FileResponse(job.file.open("rb"), as_attachment=True)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.filename)}"
    return response


@require_POST
def job_restart(request, pk):
    job = _own_job(request, pk)
    if job.status != Job.Status.FAILED:
        messages.info(request, _("只有失败的任务可以重新开始。"))
        return redirect("job", pk=job.pk)
    again, _started = jobs.restart_job(job=job)
    return redirect("job", pk=again.pk)
