"""Long work in the background, with progress: exports, import confirms, generated documents.

An app registers a kind of job (`register`) with the function that does the work; a view starts one
(`start_job`) and sends the user to its page (core.views.job_detail), which polls its progress. Where
the work runs is one setting, JOBS_RUNNER:

- "thread" (the default when no broker is configured, `make run`): a thread of the web process;
- "celery" (the default when CELERY_BROKER_URL is set): a Celery worker (`celery -A wangcheng worker`);
- "eager": at once, inside the request that starts it (the tests).

A job's writes, and its result, are one transaction: a job that fails leaves nothing half-written and can
be started again. Progress and a heartbeat go to the cache while the job runs (the transaction is not
committed yet, and a SQLite database is locked by it); a running job whose heartbeat stopped for
JOBS_STALE_SECONDS (its process died) is read as failed.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, transaction
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Job
from core.progress import Progress

logger = logging.getLogger(__name__)


@dataclass
class JobResult:
    """What a finished job leaves for its owner: a message, a file to download, a page to go on to."""

    message: str = ""
    content: bytes | None = None
    filename: str = ""
    next_url: str = ""


@dataclass
class JobRequest:
    """What a job's work reads of a request: who started it and the options it was started with (its query
    string: an import's quarter, an export's filters)."""

    user: object
    GET: QueryDict
    method: str = "POST"
    htmx: bool = False

    @classmethod
    def of(cls, job) -> "JobRequest":
        return cls(job.user, QueryDict(job.params.get("query", "")))


class JobFailed(Exception):
    """The work was refused (bad rows, a rule): the message, and each problem, are shown to the user."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[[Job, Progress], JobResult]
    go_on: bool = False  # a step on the way (an import's preview): when done, its page sends the user on


KINDS: dict[str, JobKind] = {}


def register(name: str, run: Callable[[Job, Progress], JobResult], *, go_on: bool = False) -> None:
    """Make a kind of job known; apps call it from AppConfig.ready, so every worker knows them too.

    go_on: the job is a step on the way to a page (its next_url), where its page takes the user once it is
    done, rather than a result to look at."""
    KINDS[name] = JobKind(name, run, go_on)


def goes_on(job: Job) -> bool:
    """Whether a finished job's page should send its owner straight on to its next page."""
    kind = KINDS.get(job.kind)
    return bool(kind and kind.go_on and job.status == Job.Status.DONE and job.next_url)


def start_job(*, user, kind: str, key: str, title: str, params: dict | None = None) -> tuple[Job, bool]:
    """Queue a job and hand it to the runner; (the job, True), or (the one already queued or running
    for the same kind and key, False).

    The key names what the work is about (an upload, a filtered export of one user): include the user in it
    when the result depends on who asks."""
    if kind not in KINDS:
        raise LookupError(f"unknown job kind {kind!r}")
    _forget_old_jobs()
    for active in Job.objects.filter(kind=kind, dedupe_key=key, status__in=Job.ACTIVE):
        refresh(active)  # a job whose worker died is failed now, and no longer holds the key
    try:
        with transaction.atomic():
            job = Job.objects.create(
                user=user, kind=kind, dedupe_key=key[:200], title=title[:200], params=params or {}
            )
    except IntegrityError:  # the same work is queued or running (perhaps started a moment ago elsewhere)
        return Job.objects.get(kind=kind, dedupe_key=key[:200], status__in=Job.ACTIVE), False
    runner = settings.JOBS_RUNNER
    if runner == "eager":
        run_job(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _dispatch(runner, job.pk))
    return job, True


def _forget_old_jobs() -> None:
    """Delete finished jobs older than JOBS_KEEP_DAYS, with their files: a result is kept for a while only."""
    cutoff = timezone.now() - timedelta(days=settings.JOBS_KEEP_DAYS)
    old = Job.objects.exclude(status__in=Job.ACTIVE).filter(finished_at__lt=cutoff)
    _remove([name for name in old.exclude(file="").values_list("file", flat=True)])
    old.delete()


def restart_job(*, job: Job) -> tuple[Job, bool]:
    """Start a failed job again, with what it was started with."""
    return start_job(user=job.user, kind=job.kind, key=job.dedupe_key, title=job.title, params=job.params)


def _dispatch(runner: str, job_id) -> None:
    if runner == "celery":
        from wangcheng.celery import app  # only a deployment with a broker needs Celery loaded

        app.send_task("core.run_job", args=[str(job_id)])
    else:
        threading.Thread(target=_run_in_thread, args=(job_id,), name=f"job-{job_id}", daemon=True).start()


def _run_in_thread(job_id) -> None:
    try:
        run_job(job_id)
    finally:
        connections.close_all()  # the thread's own connections, not the request's


def run_job(job_id) -> None:
    """Run a queued job to its end: its work and its result are committed together, or not at all."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now
    ):
        return  # another worker took it, or it is over
    job = Job.objects.select_related("user").get(pk=job_id)
    beat = _Heartbeat(job.pk)
    stored: list[str] = []
    try:
        with transaction.atomic():
            result = KINDS[job.kind].run(job, beat.progress)
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if locked.status != Job.Status.RUNNING:  # read as dead meanwhile: its result would come too late
                raise JobFailed(_("任务超时被判定为中断，本次结果未保存，请重新开始。"))
            if result.content is not None:
                locked.file.save(result.filename, ContentFile(result.content), save=False)
                stored.append(locked.file.name)
            done = max(beat.done, beat.total)
            locked.status, locked.done, locked.total = Job.Status.DONE, done, done
            locked.message, locked.filename, locked.next_url = (
                result.message,
                result.filename,
                result.next_url,
            )
            locked.finished_at = timezone.now()
            locked.save()
    except (JobFailed, PermissionDenied, Http404) as exc:  # a refusal to read (a rule, a right, a page gone)
        _fail(job.pk, str(exc) or _("您没有执行该任务的权限。"), getattr(exc, "errors", []), beat)
        _remove(stored)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job.pk, _("任务出错，未写入任何数据。请重新开始；如仍出错，请联系系统管理员。"), [], beat)
        _remove(stored)
    finally:
        beat.stop()


def _fail(job_id, message: str, errors: list[dict], beat: "_Heartbeat") -> None:
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED,
        message=message,
        errors=errors,
        done=beat.done,
        total=beat.total,
        finished_at=timezone.now(),
    )


def _remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _beat_key(job_id) -> str:
    return f"job:{job_id}:beat"


class _Heartbeat:
    """A running job's progress and sign of life, in the cache every server reads.

    progress() is called by the work as it goes; a thread also beats every JOBS_HEARTBEAT_SECONDS, so a
    long single step (one bulk write) does not look like a dead worker."""

    def __init__(self, job_id):
        self.job_id, self.done, self.total, self.stage = job_id, 0, 0, ""
        self._stopped = threading.Event()
        self._written = 0.0
        self._write()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-beat", daemon=True)
        self._thread.start()

    def progress(self, done: int, total: int, stage: str = "") -> None:
        changed = stage != self.stage
        self.done, self.total, self.stage = done, total, str(stage)
        if changed or time.monotonic() - self._written >= 0.2 or done >= total:
            self._write()

    def _write(self) -> None:
        self._written = time.monotonic()
        timeout = settings.JOBS_STALE_SECONDS * 10
        cache.set(_beat_key(self.job_id), (time.time(), self.done, self.total, self.stage), timeout)

    def _beat(self) -> None:
        while not self._stopped.wait(settings.JOBS_HEARTBEAT_SECONDS):
            self._write()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
        cache.delete(_beat_key(self.job_id))


def refresh(job: Job) -> Job:
    """Bring a job read from the database up to date: a running job's progress from its heartbeat; a
    running job whose worker stopped beating, or a queued one no worker took, marked failed (nothing of it
    was committed)."""
    if job.status == Job.Status.QUEUED:
        waited = (timezone.now() - job.created_at).total_seconds()
        if waited > settings.JOBS_QUEUED_SECONDS:
            message = _(
                "后台任务未能开始：排队超过 %(n)d 秒仍没有后台处理进程接手，未写入任何数据。"
                "请稍后重新开始；如仍如此，请联系系统管理员检查后台处理进程。"
            ) % {"n": settings.JOBS_QUEUED_SECONDS}
            _give_up(job, message)
        return job
    if job.status != Job.Status.RUNNING:
        return job
    beat = cache.get(_beat_key(job.pk))
    if beat is not None:
        job.done, job.total = beat[1], beat[2]
        job.stage = beat[3] if len(beat) > 3 else ""  # a beat written before stages were told has none
    started = job.started_at or job.created_at
    silent = time.time() - beat[0] if beat else (timezone.now() - started).total_seconds()
    if silent > settings.JOBS_STALE_SECONDS:
        message = _(
            "后台任务中断：处理它的进程已停止（超过 %(n)d 秒没有回应），未写入任何数据。可以重新开始。"
        ) % {"n": settings.JOBS_STALE_SECONDS}
        _give_up(job, message)
    return job


def _give_up(job: Job, message: str) -> None:
    """Mark a job that will not end by itself failed, unless it ended (or started) meanwhile."""
    if Job.objects.filter(pk=job.pk, status=job.status).update(
        status=Job.Status.FAILED, message=message, finished_at=timezone.now()
    ):
        job.status, job.message, job.finished_at = Job.Status.FAILED, message, timezone.now()
    else:
        job.refresh_from_db()
