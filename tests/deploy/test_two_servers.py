"""Two app servers and a worker sharing one PostgreSQL, one Redis and one storage directory (issue 15).

The deployment of the README's Production section, started for real on this machine: two gunicorn instances
on their own ports and one Celery worker, all with DEBUG off. A user logs in on one server and goes on on the
other (sessions in Redis); an upload previewed on one is confirmed on the other (the upload waits in the
database); a file a job made is downloaded from either (shared storage); the annual PDF is rendered once
for both (cache in Redis); a large import runs in the worker while its progress is read from the other
server; and a worker killed mid-import leaves a failed job, nothing written, and a restart that completes.

The tests run in order and share the deployment; they need PostgreSQL and Redis (both run on these
machines; a clear error says which is missing).
"""

import io
import os

import psycopg
import pytest
from openpyxl import Workbook, load_workbook

from tests.cluster import Browser, Cluster
from tests.workbooks import header_row, renamed_roster

pytestmark = [pytest.mark.slow, pytest.mark.deploy]

PASSWORD = "wangcheng2022"
STALE_SECONDS = 4


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    deployment = Cluster(
        database=f"wangcheng_deploy_{os.getpid()}",
        directory=tmp_path_factory.mktemp("cluster"),
        redis_cache=12,
        redis_broker=13,
        extra_env={"JOBS_HEARTBEAT_SECONDS": "0.5", "JOBS_STALE_SECONDS": str(STALE_SECONDS)},
    )
    deployment.create(seed=["--year", "2022", "--without-next-year"])
    deployment.a = deployment.start_server("server-a")
    deployment.b = deployment.start_server("server-b")
    deployment.start_worker()
    yield deployment
    deployment.drop()


@pytest.fixture(scope="module")
def center(cluster):
    """The center's staff member, logged in on server A only."""
    browser = Browser(PASSWORD)
    browser.log_in(cluster.a, "center")
    return browser


def query(cluster, sql: str, *params):
    with psycopg.connect(cluster.database_url) as connection:
        return connection.execute(sql, params or None).fetchall()


def small_roster(level3_code: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "网格"
    sheet.append(["网格编码", "网格名称", "层级", "上级网格编码"])
    sheet.append(["9100001", "部署测试一组", "四级网格", level3_code])
    sheet.append(["9100002", "部署测试二组", "四级网格", level3_code])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_both_servers_report_healthy_stores(cluster):
    browser = Browser(PASSWORD)
    for server in (cluster.a, cluster.b):
        response = browser.get(server, "/healthz")
        assert response.status_code == 200
        assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_a_login_on_one_server_holds_on_the_other(cluster, center):
    response = center.get(cluster.b, "/grids/")
    assert response.status_code == 200 and "网格" in response.text
    # Logged in there too: the login page sends a signed-in user on.
    assert center.get(cluster.b, "/accounts/login/").status_code == 302


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(cluster, center):
    [(level3,)] = query(cluster, "SELECT code FROM grids_grid WHERE level = 3 ORDER BY code LIMIT 1")
    preview = center.upload(cluster.a, "/grids/import/", small_roster(level3))
    page = center.get(cluster.a, preview)
    assert page.status_code == 200 and "部署测试一组" in page.text

    job = Browser.job_of(center.post(cluster.b, preview, form_page=preview))
    status, html = center.wait_for_job(cluster.a, job)
    assert status == "done", html
    assert query(cluster, "SELECT name FROM grids_grid WHERE code LIKE '91000%' ORDER BY code") == [
        ("部署测试一组",),
        ("部署测试二组",),
    ]
    # The same upload confirmed again (a second click, on either server) writes nothing more.
    again = center.post(cluster.a, preview, form_page="/grids/import/")
    assert again.status_code == 302
    assert query(cluster, "SELECT count(*) FROM grids_grid WHERE code LIKE '91000%'") == [(2,)]


def test_the_annual_pdf_is_rendered_once_for_both_servers(cluster, center):
    center.log_in(cluster.b, "center")
    first = Browser.job_of(
        center.post(
            cluster.a, "/reports/self-evaluation/2022/pdf/", form_page="/reports/self-evaluation/2022/"
        )
    )
    status, html = center.wait_for_job(cluster.b, first)
    assert status == "done", html
    made = center.get(cluster.b, f"/jobs/{first}/file/")  # the worker's file, from the other server
    assert made.status_code == 200 and made.content.startswith(b"%PDF")

    direct = center.get(cluster.b, "/reports/self-evaluation/2022.pdf")
    second = Browser.job_of(
        center.post(
            cluster.b, "/reports/self-evaluation/2022/pdf/", form_page="/reports/self-evaluation/2022/"
        )
    )
    assert center.wait_for_job(cluster.a, second)[0] == "done"
    again = center.get(cluster.a, f"/jobs/{second}/file/")
    assert direct.content == made.content == again.content
    logs = "".join(cluster.log(name) for name in ("server-a", "server-b", "worker"))
    assert logs.count("rendering the 2022 self-evaluation PDF") == 1


def test_a_large_import_survives_its_worker_dying_and_completes_when_restarted(cluster, center):
    export = Browser.job_of(center.post(cluster.a, "/grids/export/", form_page="/grids/"))
    assert center.wait_for_job(cluster.b, export)[0] == "done"
    roster = center.get(cluster.b, f"/jobs/{export}/file/").content
    grids_before = query(cluster, "SELECT count(*) FROM grids_grid")[0][0]
    staff_before = query(cluster, "SELECT count(*) FROM grids_gridstaff")[0][0]
    workbook = load_workbook(io.BytesIO(roster), read_only=True)
    new_grids, new_staff = (
        sum(1 for _ in workbook[name].iter_rows(min_row=header_row(workbook[name]) + 1))
        for name in ("网格", "网格人员")
    )
    data = renamed_roster(roster, prefix="8")
    preview = center.upload(cluster.b, "/grids/import/", data)
    # A file this large is parsed for its preview in the worker; its job page (here on the other server)
    # then sends the user on to the preview.
    assert len(data) > 256 * 1024
    parsing = Browser.job_of(center.get(cluster.b, preview))
    assert center.wait_for_job(cluster.a, parsing)[0] == "done"
    assert center.get(cluster.a, f"/jobs/{parsing}/").headers["Location"] == preview
    page = center.get(cluster.a, preview)
    assert page.status_code == 200 and "确认导入" in page.text, page.text[:3000]

    job = Browser.job_of(center.post(cluster.a, preview, form_page=preview))
    assert (
        center.wait_for_job(cluster.b, job, until=("running", "done", "failed"), seconds=60)[0] == "running"
    )
    cluster.kill("worker")  # mid-job: the worker process and its database connection die at once
    status, html = center.wait_for_job(cluster.b, job, seconds=STALE_SECONDS + 30)
    assert status == "failed" and "后台任务中断" in html
    assert query(cluster, "SELECT count(*) FROM grids_grid")[0][0] == grids_before  # nothing half-written
    assert query(cluster, "SELECT count(*) FROM grids_gridstaff")[0][0] == staff_before
    assert query(cluster, "SELECT count(*) FROM core_pendingimport")[0][0] == 1  # the upload waits still

    cluster.start_worker()
    restart = center.post(cluster.b, f"/jobs/{job}/restart/", form_page=f"/jobs/{job}/")
    again = Browser.job_of(restart)
    assert again != job
    seen = []
    status, html = center.wait_for_job(cluster.a, again, seen=seen)
    assert status == "done", html
    # The progress was read from the other server while the worker ran: rows in all known, not yet done.
    assert any(s == "running" and 0 <= done < total for s, done, total in seen), seen[:20]
    assert new_grids > 6000
    assert query(cluster, "SELECT count(*) FROM grids_grid")[0][0] == grids_before + new_grids
    assert query(cluster, "SELECT count(*) FROM grids_gridstaff")[0][0] == staff_before + new_staff
    assert query(cluster, "SELECT count(*) FROM core_pendingimport")[0][0] == 0
    assert "Traceback" not in "".join(cluster.log(name) for name in ("server-a", "server-b"))
