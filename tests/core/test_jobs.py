"""Background jobs (core.jobs): started once per target, all-or-nothing, progress, owner-only results,
a dead worker read as failed; run eagerly in the tests, and once each in a thread and a Celery worker."""

import datetime as dt
import socket
import threading
import time
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import jobs
from core.models import Job
from tests.queries import page_queries


def make_groups(job, progress):
    """A job that writes one row per name in its params, reporting progress, and fails where told."""
    names = job.params["names"]
    for index, name in enumerate(names, start=1):
        if name == job.params.get("fail_at"):
            raise jobs.JobFailed(f"第{index}行：名称不可用，未写入任何数据。")
        Group.objects.create(name=name)
        progress(index, len(names))
    return jobs.JobResult(message=f"新建 {len(names)} 个分组", content=b"a,b\n", filename="分组.csv")


@pytest.fixture(autouse=True)
def test_kind(monkeypatch):
    monkeypatch.setitem(jobs.KINDS, "test.groups", jobs.JobKind("test.groups", make_groups))


def start(user, names, key="k", **params):
    return jobs.start_job(
        user=user, kind="test.groups", key=key, title="新建分组", params={"names": names, **params}
    )


def running_job(user, *, key="k", seconds_ago=0) -> Job:
    started = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return Job.objects.create(
        user=user, kind="test.groups", dedupe_key=key, title="新建分组", status="running", started_at=started
    )


def test_a_job_runs_to_its_result_with_its_figures(users):
    job, started = start(users["center"], ["甲", "乙", "丙"])
    assert started and job.status == "done"
    assert (job.done, job.total, job.message) == (3, 3, "新建 3 个分组")
    assert job.file.read() == b"a,b\n" and job.filename == "分组.csv"
    assert job.file.name == f"jobs/{job.pk}/分组.csv"  # through Django's storage, under MEDIA_ROOT
    assert set(Group.objects.filter(name__in="甲乙丙").values_list("name", flat=True)) == {"甲", "乙", "丙"}


def test_the_same_job_cannot_run_twice_while_one_is_running(users):
    first = running_job(users["center"])
    cache.set(jobs._beat_key(first.pk), (time.time(), 1, 4))  # its worker is alive
    again, started = start(users["center"], ["甲"])
    assert (again.pk, started) == (first.pk, False)
    assert not Group.objects.filter(name="甲").exists()
    # the database itself refuses a second active job for the same target
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(user=users["center"], kind="test.groups", dedupe_key="k", title="x")
    # another target is another job
    other, started = start(users["center"], ["乙"], key="other")
    assert started and other.status == "done"


def test_a_failed_job_writes_nothing_and_can_be_started_again(users, client_for):
    job, _started = start(users["center"], ["甲", "乙", "丙"], fail_at="丙")
    assert job.status == "failed" and job.message == "第3行：名称不可用，未写入任何数据。"
    assert (job.done, job.total) == (2, 3)  # how far it got
    assert not Group.objects.filter(name__in=["甲", "乙"]).exists()  # the first two rows rolled back
    assert not job.file
    page = client_for("center").get(f"/jobs/{job.pk}/").content.decode()
    assert "第3行：名称不可用" in page and "重新开始" in page

    Job.objects.filter(pk=job.pk).update(params={"names": ["甲", "乙", "丙"]})  # the cause is put right
    response = client_for("center").post(f"/jobs/{job.pk}/restart/")
    again = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/jobs/{again.pk}/"
    assert again.status == "done" and Group.objects.filter(name__in=["甲", "乙", "丙"]).count() == 3


def test_a_job_that_is_not_failed_is_not_restarted(users, client_for):
    job, _started = start(users["center"], ["甲"])
    client_for("center").post(f"/jobs/{job.pk}/restart/")
    assert Job.objects.count() == 1


def test_a_running_job_whose_worker_died_is_read_as_failed_and_frees_its_target(users, client_for, settings):
    settings.JOBS_STALE_SECONDS = 30
    dead = running_job(users["center"], seconds_ago=45)  # started, and never a heartbeat since
    page = client_for("center").get(f"/jobs/{dead.pk}/").content.decode()
    assert "后台任务中断：处理它的进程已停止（超过 30 秒没有回应），未写入任何数据。可以重新开始。" in page
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.finished_at
    job, started = start(users["center"], ["甲"])
    assert started and job.status == "done"


def test_a_job_no_worker_took_is_read_as_failed_and_a_worker_taking_it_late_does_nothing(users, settings):
    settings.JOBS_QUEUED_SECONDS = 600
    waiting = Job.objects.create(
        user=users["center"], kind="test.groups", dedupe_key="k", title="新建分组", params={"names": ["甲"]}
    )
    assert jobs.refresh(waiting).status == "queued"  # just queued
    Job.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(seconds=601))
    waiting.refresh_from_db()
    assert jobs.refresh(waiting).status == "failed"
    assert waiting.message.startswith(
        "后台任务未能开始：排队超过 600 秒仍没有后台处理进程接手，未写入任何数据。"
    )
    jobs.run_job(waiting.pk)  # the worker comes back
    waiting.refresh_from_db()
    assert waiting.status == "failed" and not Group.objects.filter(name="甲").exists()


def test_a_heartbeat_keeps_a_long_job_alive_and_shows_its_progress(users, client_for, settings):
    settings.JOBS_STALE_SECONDS = 30
    job = running_job(users["center"], seconds_ago=600)
    cache.set(jobs._beat_key(job.pk), (time.time() - 5, 30, 120))
    client = client_for("center")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已处理 30 / 120 行" in page and 'data-progress="25"' in page
    assert 'hx-get="/jobs/' in page and 'hx-trigger="every 1s"' in page
    assert "vendor/htmx/htmx.min.js" in page
    # htmx asks for the status block alone, and gets it until the job ends
    block = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert block.startswith('<div id="job-status"') and "已处理 30 / 120 行" in block
    job.refresh_from_db()
    assert job.status == "running"


def test_a_result_that_comes_after_the_job_was_read_as_dead_is_not_kept(users, monkeypatch):
    def outlived(job, progress):
        Group.objects.create(name="迟到")
        # a reader gave up on it meanwhile
        Job.objects.filter(pk=job.pk).update(status="failed", message="后台任务中断")
        return jobs.JobResult(message="完成")

    monkeypatch.setitem(jobs.KINDS, "test.late", jobs.JobKind("test.late", outlived))
    job, _started = jobs.start_job(user=users["center"], kind="test.late", key="k", title="迟到的任务")
    # (here the reader's write is in the job's own transaction, so the job's message is the one left)
    assert job.status == "failed" and job.message == "任务超时被判定为中断，本次结果未保存，请重新开始。"
    assert not Group.objects.filter(name="迟到").exists()


def test_an_unexpected_error_fails_the_job_with_a_clear_message(users, monkeypatch):
    def broken(job, progress):
        Group.objects.create(name="半截")
        raise ZeroDivisionError

    monkeypatch.setitem(jobs.KINDS, "test.broken", jobs.JobKind("test.broken", broken))
    job, _started = jobs.start_job(user=users["center"], kind="test.broken", key="k", title="出错的任务")
    assert job.status == "failed" and job.message.startswith("任务出错，未写入任何数据。请重新开始")
    assert not Group.objects.filter(name="半截").exists()


def test_a_job_and_its_file_are_its_owners_alone(users, client_for):
    job, _started = start(users["center"], ["甲"])
    owner = client_for("center")
    download = owner.get(f"/jobs/{job.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"a,b\n"
    assert download["Content-Disposition"] == "attachment; filename*=UTF-8''%E5%88%86%E7%BB%84.csv"
    for other in ("street", "finance", "admin"):
        client = client_for(other)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/file/").status_code == 404
        assert "新建分组" not in client.get("/jobs/").content.decode()
    assert client_for(None).get(f"/jobs/{job.pk}/file/").status_code == 302  # to the login page
    mine = owner.get("/jobs/").content.decode()
    assert f'href="/jobs/{job.pk}/"' in mine and "已完成" in mine
    assert 'href="/jobs/"' in owner.get("/").content.decode()  # 我的任务 in the user menu


def test_finished_jobs_and_their_files_are_forgotten_after_the_days_kept(users, settings):
    settings.JOBS_KEEP_DAYS = 30
    old, _started = start(users["center"], ["甲"], key="old")
    recent, _started = start(users["center"], ["乙"], key="recent")
    stored = old.file.storage
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    Job.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - dt.timedelta(days=29))
    assert stored.exists(old.file.name)
    start(users["center"], ["丙"], key="new")
    assert set(Job.objects.values_list("dedupe_key", flat=True)) == {"recent", "new"}
    assert not stored.exists(old.file.name) and stored.exists(recent.file.name)


def test_my_jobs_takes_the_same_queries_for_few_and_many_jobs(users, client_for):
    client = client_for("center")

    def queries(count: int) -> int:
        for n in range(count):
            start(users["center"], ["甲"], key=f"{count}-{n}", fail_at="甲")
        return page_queries(client, "/jobs/")

    assert queries(2) == queries(10)


def test_a_failed_job_has_no_file_to_download(users, client_for):
    job, _started = start(users["center"], ["甲"], fail_at="甲")
    assert client_for("center").get(f"/jobs/{job.pk}/file/").status_code == 404


def wait_for_end(job: Job, seconds: float = 20) -> Job:
    """The job once it has ended. A job thread of this process is waited for rather than watched: on the
    tests' in-memory SQLite (shared cache) a read of the job's table while the thread writes it makes the
    write fail at once ("database table is locked") instead of waiting its turn; a worker elsewhere is
    asked every half second."""
    thread = next((t for t in threading.enumerate() if t.name == f"job-{job.pk}"), None)
    if thread is not None:
        thread.join(seconds)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.5)
    raise AssertionError(f"job still {job.status} after {seconds} s")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_a_job_runs_in_a_thread_of_the_web_process(users, settings):
    settings.JOBS_RUNNER = "thread"
    job, started = start(users["center"], ["甲", "乙"])
    assert started and job.status == "queued"  # the request returns at once
    job = wait_for_end(job)
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert Group.objects.filter(name__in=["甲", "乙"]).count() == 2


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not redis_reachable(), reason="Redis is not listening on 127.0.0.1:6379")
def test_with_a_broker_a_celery_worker_runs_the_job(users, settings):
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from wangcheng.celery import app

    queue = f"test-jobs-{uuid.uuid4().hex}"  # this run's own queue: other runs on the machine share Redis
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.JOBS_RUNNER = "celery"
    app.conf.update(broker_url=settings.CELERY_BROKER_URL, task_default_queue=queue)
    # The worker runs in a thread of this process, on the same in-memory database: waited for by the end
    # of its task rather than watched (see wait_for_end), so no read meets its writes.
    finished = threading.Event()

    def ended(**kwargs):
        finished.set()

    task_postrun.connect(ended, weak=False)
    try:
        with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=10):
            job, started = start(users["center"], ["甲", "乙", "丙"])
            assert started and job.status == "queued"
            assert finished.wait(30), "the worker did not run the job"
            job = wait_for_end(job)
    finally:
        task_postrun.disconnect(ended)
    assert (job.status, job.done, job.total, job.message) == ("done", 3, 3, "新建 3 个分组")
    assert Group.objects.filter(name__in=["甲", "乙", "丙"]).count() == 3


def test_a_jobs_file_goes_through_the_storage_api_so_a_shared_store_serves_every_server(
    users, client_for, settings
):
    # A storage with no path on this server's disk, as an S3 bucket: writing, sending and forgetting the
    # file must not need one.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    job, _started = start(users["center"], ["甲"])
    assert job.file.storage.exists(job.file.name)
    assert not (settings.MEDIA_ROOT / job.file.name).exists()
    download = client_for("center").get(f"/jobs/{job.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"a,b\n"


def test_a_running_job_shows_what_it_is_doing(users, client_for, settings):
    settings.JOBS_STALE_SECONDS = 30
    job = running_job(users["center"], seconds_ago=5)
    client = client_for("center")
    cache.set(jobs._beat_key(job.pk), (time.time(), 0, 0, "打开工作簿"))
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<span id="job-stage">打开工作簿</span>…' in page and "正在处理…" not in page
    cache.set(jobs._beat_key(job.pk), (time.time(), 30, 120, "检查数据"))
    block = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert '<span id="job-stage">检查数据</span>：已处理 30 / 120 行' in block
    cache.set(jobs._beat_key(job.pk), (time.time(), 0, 0))  # a beat without a stage
    assert "正在处理…" in client.get(f"/jobs/{job.pk}/").content.decode()
