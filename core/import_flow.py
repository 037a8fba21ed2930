"""The upload → preview → confirm flow shared by the workbook importers.

An upload is stashed (core.imports) for the quarter or batch its page is for; the preview parses it once,
keeps the parsed plan beside the upload and shows what would change and every problem; confirming
re-reads it inside the service's transaction, so the preview can never be applied against data that
changed in between, and only for the quarter or batch it was uploaded for.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access, jobs
from core.forms import ImportUploadForm
from core.imports import claim_pending, keep_preview, load_pending, load_preview, stash_upload
from core.jobs import JobFailed, JobRequest, JobResult
from core.models import PendingImport
from core.progress import no_progress, reporting_rows
from core.xlsx import ImportFileError

PREVIEW_ROWS = 200
ERRORS_SHOWN = 500


@dataclass
class ImportFlow:
    kind: str
    title: str
    perm: str
    preview_url_name: str
    build_plan: Callable  # (request, data, **kwargs) -> plan
    # (request, data, progress, **kwargs) -> plan; raises an ImportRejected carrying .plan. progress: the
    # job's (rows written, rows to write) in a confirm in the background, no_progress in the request.
    apply: Callable
    rejected: type[Exception]  # carries .plan: the file itself has problems
    done_url: Callable  # (request, **kwargs) -> url; a JobRequest for a confirm in the background
    summary: Callable  # (plan) -> message after a successful import
    refused: tuple[type[Exception], ...] = ()  # a rule refused the write after the preview (race, quota)
    headers: tuple[str, ...] = ()
    row_cells: Callable | None = None  # (plan, row) -> list of cells for the preview table
    help_text: str = ""
    template_url: Callable | None = None  # (**url kwargs) -> url of a workbook to fill in
    scope_note: Callable | None = None  # (request) -> what the upload is restricted to, shown above the form
    back: Callable | None = None  # (request, **kwargs) -> (label, url): the page the import belongs to
    upload_template: str = "includes/import_upload.html"
    preview_template: str = "includes/import_preview.html"  # another one shows a plan of its own shape
    # Background jobs (core.jobs): an upload over IMPORT_JOB_BYTES is parsed for its preview, and applied,
    # as jobs of the kinds f"{job_kind}_preview" and job_kind (registered by register_jobs). The callables
    # above then get a JobRequest: the user and the upload's options, no live request.
    job_kind: str = ""
    always_in_background: bool = False  # confirm as a job whatever the upload's size

    @property
    def preview_job_kind(self) -> str:
        return f"{self.job_kind}_preview"

    def register_jobs(self) -> None:
        """Make this import's jobs known to every process (call from the app's AppConfig.ready)."""
        jobs.register(self.job_kind, self.confirm_job)
        jobs.register(self.preview_job_kind, self.preview_job, go_on=True)

    def _in_background(self, pending) -> bool:
        return bool(self.job_kind) and len(pending.content) > settings.IMPORT_JOB_BYTES

    def upload(self, request, **kwargs):
        access.require(request.user, self.perm)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                pending = stash_upload(
                    user=request.user,
                    kind=self.kind,
                    upload=form.cleaned_data["file"],
                    target=self.target(request, **kwargs),
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                url = reverse(self.preview_url_name, kwargs={**kwargs, "token": pending.pk})
                query = (
                    request.GET.urlencode()
                )  # options of the upload (e.g. a quarter) carry on to the preview
                return redirect(f"{url}?{query}" if query else url)
        template_url = self.template_url(**kwargs) if self.template_url else ""
        scope_note = self.scope_note(request) if self.scope_note else ""
        context = {
            "form": form,
            "flow": self,
            "template_url": template_url,
            "scope_note": scope_note,
            "crumbs": self._crumbs(request, **kwargs),
            **kwargs,
        }
        return render(request, self.upload_template, context)

    @staticmethod
    def target(request, **kwargs) -> str:
        """What an upload is for: the URL's objects (a batch) and the upload's options (a quarter)."""
        options = sorted((k, v) for k, v in request.GET.items() if k != "refresh")
        return "&".join(f"{k}={v}" for k, v in [*sorted(kwargs.items()), *options])

    def _crumbs(self, request, preview: bool = False, **kwargs) -> list[tuple[str, str]]:
        """The breadcrumb trail: the page the import belongs to, the upload, and the preview when there."""
        crumbs = [self.back(request, **kwargs)] if self.back else []
        crumbs.append((self.title, self._upload_url(request, **kwargs) if preview else ""))
        if preview:
            crumbs.append((_("预览"), ""))
        return crumbs

    def _upload_url(self, request, **kwargs) -> str:
        url = reverse(self.preview_url_name.removesuffix("_preview"), kwargs=kwargs)
        query = request.GET.urlencode()
        return f"{url}?{query}" if query else url

    def preview(self, request, token, **kwargs):
        access.require(request.user, self.perm)
        already_done = _("该文件已经导入，没有再次写入。")
        try:
            pending = load_pending(user=request.user, kind=self.kind, token=token)
        except Http404:
            if request.method != "POST":
                raise
            messages.info(request, already_done)  # a second click on 确认导入, after the first finished
            return redirect(self.done_url(request, **kwargs))
        if pending.target != self.target(request, **kwargs):
            messages.error(
                request, _("该文件是为另一个季度或批次上传的，不能在这里预览或导入。请在本页重新上传。")
            )
            return redirect(self._upload_url(request, **kwargs))
        if request.method == "POST" and (self.always_in_background or self._in_background(pending)):
            job, _started = jobs.start_job(
                user=request.user,
                kind=self.job_kind,
                key=str(pending.pk),
                title=_("%(title)s：%(file)s") % {"title": self.title, "file": pending.filename},
                params={"token": str(pending.pk), "kwargs": kwargs, "query": request.GET.urlencode()},
            )
            return redirect("job", pk=job.pk)
        data = bytes(pending.content)
        if request.method == "POST":
            try:
                with transaction.atomic():
                    if not claim_pending(pending):  # a second click, while the first was importing
                        messages.info(request, already_done)
                        return redirect(self.done_url(request, **kwargs))
                    plan = self.apply(request, data, progress=no_progress, **kwargs)
            except self.rejected as exc:
                plan = exc.plan
                messages.error(request, _not_applied(exc))
            except (*self.refused, IntegrityError) as exc:
                messages.error(request, _not_applied(exc))
                plan = self.build_plan(request, data, **kwargs)
            else:
                messages.success(request, self.summary(plan))
                return redirect(self.done_url(request, **kwargs))
        else:
            plan = None if request.GET.get("refresh") else load_preview(pending)
            if plan is None and self._in_background(pending):
                return self._start_preview_job(request, pending, **kwargs)
            if plan is None:
                plan = self.build_plan(request, data, **kwargs)
                keep_preview(pending, plan)
        rows = [*plan.creates[:PREVIEW_ROWS], *plan.updates[:PREVIEW_ROWS]] if self.row_cells else []
        return render(
            request,
            self.preview_template,
            {
                "flow": self,
                "plan": plan,
                "pending": pending,
                "errors": plan.errors[:ERRORS_SHOWN],
                "rows": [(row, self.row_cells(plan, row)) for row in rows],
                "preview_limit": PREVIEW_ROWS,
                "refresh_url": "?" + _with_refresh(request),
                "crumbs": self._crumbs(request, preview=True, **kwargs),
                **kwargs,
            },
        )

    def _start_preview_job(self, request, pending, **kwargs):
        """Parse a large upload in the background; its job page then sends the user on to the preview."""
        query = request.GET.copy()
        query.pop("refresh", None)
        url = reverse(self.preview_url_name, kwargs={**kwargs, "token": pending.pk})
        job, _started = jobs.start_job(
            user=request.user,
            kind=self.preview_job_kind,
            key=f"preview:{pending.pk}",
            title=_("%(title)s：%(file)s（预览）") % {"title": self.title, "file": pending.filename},
            params={
                "token": str(pending.pk),
                "kwargs": kwargs,
                "query": query.urlencode(),
                "url": f"{url}?{query.urlencode()}" if query else url,
            },
        )
        return redirect("job", pk=job.pk)

    def preview_job(self, job, progress) -> JobResult:
        """Parse an upload for its preview and keep the plan with it (core.imports), as a background job."""
        access.require(job.user, self.perm)
        pending = PendingImport.objects.filter(pk=job.params["token"], user=job.user, kind=self.kind).first()
        if pending is None:
            raise JobFailed(_("该导入已完成或已过期，请重新上传文件。"))
        with reporting_rows(progress):  # (rows checked, rows in the sheet), for imports of one sheet
            plan = self.build_plan(JobRequest.of(job), bytes(pending.content), **job.params.get("kwargs", {}))
        if not keep_preview(pending, plan):
            raise JobFailed(_("预览结果无法保存，请重新上传文件。"))
        return JobResult(next_url=job.params["url"])

    def confirm_job(self, job, progress) -> JobResult:
        """Apply a previewed upload as a background job: the confirm above, with progress and its refusals
        as the job's failure (the job's transaction rolls the claim back, so the upload can be tried again)."""
        kwargs, request = job.params.get("kwargs", {}), JobRequest.of(job)
        access.require(job.user, self.perm)
        pending = PendingImport.objects.filter(pk=job.params["token"], user=job.user, kind=self.kind).first()
        if pending is None or not claim_pending(pending):
            return JobResult(
                message=_("该文件已经导入，没有再次写入。"), next_url=self.done_url(request, **kwargs)
            )
        data = bytes(pending.content)
        try:
            plan = self.apply(request, data, progress=progress, **kwargs)
        except self.rejected as exc:
            errors = [asdict(error) for error in exc.plan.errors[:ERRORS_SHOWN]]
            raise JobFailed(_not_applied(exc), errors) from exc
        except (*self.refused, IntegrityError) as exc:
            raise JobFailed(_not_applied(exc)) from exc
        return JobResult(message=self.summary(plan), next_url=self.done_url(request, **kwargs))


def _not_applied(exc: Exception) -> str:
    """Why a confirmed import wrote nothing: problems left in the file, a rule, or a change since the preview."""
    if isinstance(exc, IntegrityError):
        return _("导入未执行：数据在预览之后被他人修改，请重新预览后再确认。")
    plan = getattr(exc, "plan", None)
    if plan is not None:
        return _("导入未执行：仍有 %(n)d 处问题，未写入任何数据。") % {"n": len(plan.errors)}
    return _("导入未执行：%(reason)s 未写入任何数据。") % {"reason": exc}


def _with_refresh(request) -> str:
    query = request.GET.copy()
    query["refresh"] = "1"
    return query.urlencode()
