"""The large exports as background jobs (core.downloads): a page's button starts a job of the asker's own,
whose file is the same workbook as the address's direct download, and refuses who may not have it."""

import io

import pytest
from openpyxl import load_workbook

from assessments.models import GridRating, WhistleTicket
from core.models import Job
from tests.disbursements.receipt_helpers import pay_special
from tests.workbooks import table_rows


def _sheets(content: bytes) -> dict:
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: table_rows(ws) for ws in workbook}


def _job_file(client, url: str) -> tuple[Job, dict]:
    response = client.post(url)
    job = Job.objects.latest("created_at")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE, job.message
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and f'href="/jobs/{job.pk}/file/"' in page
    download = client.get(f"/jobs/{job.pk}/file/")
    assert download["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    return job, _sheets(b"".join(download.streaming_content))


def test_the_ratings_export_as_a_job_is_the_direct_download(client_for, users, roster, q1):
    grid = roster["a"]["level4"][0]
    GridRating.objects.create(
        period=q1,
        grid=grid,
        level=grid.level,
        street=grid.street,
        rating="excellent",
        rated_by=users["center"],
    )
    client = client_for("center")
    url = f"/assessments/periods/{q1.pk}/ratings.xlsx"
    job, sheets = _job_file(client, url)
    assert (job.kind, job.title, job.filename) == (
        "assessments.ratings_export",
        "导出2022年第1季度网格考核评定表",
        "2022年第1季度网格考核.xlsx",
    )
    assert [r[6] for r in sheets["网格考核"][1:] if r[3] == grid.code] == ["优秀"]
    assert sheets == _sheets(client.get(url).content)


def test_a_street_admins_zero_complaint_job_keeps_the_street_filter_and_their_scope(client_for, roster, q1):
    client = client_for("street")
    url = f"/assessments/periods/{q1.pk}/zero-complaint.xlsx?street={roster['a']['street'].pk}"
    job, sheets = _job_file(client, url)
    rows = next(iter(sheets.values()))
    assert {r[0] for r in rows[1:-1]} == {"a街道"} and rows[-1][0] == "合计"
    assert sheets == _sheets(client.get(url).content)
    # the job and its file are the street admin's own
    assert client_for("center").get(f"/jobs/{job.pk}/file/").status_code == 404


def test_the_ticket_export_job_follows_the_lists_filters(client_for, users, roster, year):
    a, b = roster["a"], roster["b"]
    for number, grid in (("S-1", a["level4"][0]), ("S-2", b["level4"][0])):
        WhistleTicket.objects.create(
            number=number,
            grid=grid,
            street=grid.street,
            reporter="张三",
            collected_at="2022-02-01T09:00+08:00",
            category="环境卫生",
            description="垃圾堆放",
        )
    client = client_for("center")
    url = f"/assessments/tickets/export.xlsx?street={b['street'].pk}"
    job, sheets = _job_file(client, url)
    assert job.title == "导出雷锋哨哨单（筛选结果）"
    assert [r[0] for r in next(iter(sheets.values()))[1:]] == ["S-2"]
    assert sheets == _sheets(client.get(url).content)


def test_the_batch_export_job_is_the_batchs_workbook(client_for, users, roster, budget):
    batch = pay_special(users, "年终专项", [(roster["a"]["community"], "12345.60")])
    client = client_for("finance")
    url = f"/funds/batches/{batch.pk}/export.xlsx"
    job, sheets = _job_file(client, url)
    assert job.title == "导出拨付明细：年终专项" and job.filename == "年终专项-拨付明细.xlsx"
    assert sheets["拨付明细"][0][0] == "街镇" and sheets["拨付明细"][-1][-1] == 12345.6
    assert sheets == _sheets(client.get(url).content)


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("street_b", "/funds/batches/{batch}/export.xlsx", 404),  # no line for their street
        ("center", "/funds/batches/999999/export.xlsx", 404),
        ("center", "/assessments/periods/999999/ratings.xlsx", 404),
    ],
)
def test_an_export_nobody_may_have_is_refused_before_any_job_starts(
    client_for, users, roster, budget, role, path, status
):
    batch = pay_special(users, "年终专项", [(roster["a"]["community"], "100.00")])
    assert client_for(role).post(path.format(batch=batch.pk)).status_code == status
    assert not Job.objects.exists()


def test_asking_twice_while_the_export_runs_shows_the_same_job(client_for, q1, settings):
    settings.JOBS_RUNNER = "thread"  # queued, not yet run: the on_commit hand-over does not fire in a test
    client = client_for("center")
    first = client.post(f"/assessments/periods/{q1.pk}/ratings.xlsx")["Location"]
    again = client.post(f"/assessments/periods/{q1.pk}/ratings.xlsx")["Location"]
    assert first == again and Job.objects.count() == 1
