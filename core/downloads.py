"""A generated file that can be made in the request or in the background (core.jobs), from one function.

A Download is one workbook or PDF that its page offers: its address, asked for with GET, sends the file
at once (links, scripts, the tests); the page's button POSTs to the same address, which starts a
background job making the very same file and shows its progress, so that a large export neither holds a
web worker nor is cut off by its timeout, and the user can leave and fetch the file later (我的任务).

    ratings_export = Download("assessments.ratings_export", make=ratings_file, title=ratings_title)
    path("periods/<int:pk>/ratings.xlsx", ratings_export.view, name="ratings_export")
    ratings_export.register()  # in the app's jobs.register_jobs

make(request, progress, **kwargs) -> JobResult with content and filename: request is the live request or,
in a job, a JobRequest (the user and the query string the export was started with); kwargs are the
address's. title(request, **kwargs) -> the job's title; it runs before a job is started, so the checks of
who may have the file (403/404) answer the POST at once.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import redirect

from core import jobs
from core.http import pdf_response, xlsx_response
from core.jobs import JobRequest, JobResult
from core.progress import no_progress


@dataclass(frozen=True)
class Download:
    kind: str
    make: Callable[..., JobResult]
    title: Callable[..., str]

    def view(self, request, **kwargs) -> HttpResponse:
        if request.method == "POST":
            return self._start(request, kwargs)
        return file_response(self.make(request, no_progress, **kwargs))

    def _start(self, request, kwargs: dict):
        title = self.title(request, **kwargs)
        query = request.GET.urlencode()
        arguments = ",".join(f"{name}={value}" for name, value in sorted(kwargs.items()))
        job, _started = jobs.start_job(
            user=request.user,
            kind=self.kind,
            key=f"{request.user.pk}:{arguments}?{query}",  # one of each file at a time for each user
            title=title,
            params={"query": query, "kwargs": kwargs},
        )
        return redirect("job", pk=job.pk)

    def run(self, job, progress) -> JobResult:
        return self.make(JobRequest.of(job), progress, **job.params.get("kwargs", {}))

    def register(self) -> None:
        jobs.register(self.kind, self.run)


def file_response(result: JobResult) -> HttpResponse:
    if result.filename.endswith(".pdf"):
        return pdf_response(result.content, result.filename)
    return xlsx_response(result.content, result.filename)
