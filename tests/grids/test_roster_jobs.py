"""The roster's long work as background jobs, through the pages: the 花名册 export and an import's confirm."""

import io
from unittest.mock import patch

from openpyxl import load_workbook

from core.jobs import run_job
from core.models import Job, PendingImport
from grids import exports
from grids.models import Grid
from tests.grids.test_importer import make_workbook, new_branch
from tests.workbooks import table_rows


def _sheets(content: bytes) -> dict:
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: table_rows(ws) for ws in workbook}


def test_the_roster_export_runs_as_a_job_and_keeps_the_lists_filters(client_for, roster):
    street = roster["b"]["street"]
    client = client_for("center")
    response = client.post(f"/grids/export/?list=grids&street={street.pk}&level=4")
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.title, job.status) == ("grids.roster_export", "导出网格花名册（筛选结果）", "done")
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and f'href="/jobs/{job.pk}/file/"' in page and "已处理 4 / 4 行" in page
    download = client.get(f"/jobs/{job.pk}/file/")
    sheets = _sheets(b"".join(download.streaming_content))
    assert sorted(r[4] for r in sheets["网格"][1:]) == ["b1栋", "b2栋"]
    assert {r[0] for r in sheets["网格人员"][1:]} == {g.code for g in roster["b"]["level4"]}
    # the same rows as the export in the request
    direct = _sheets(client.get(f"/grids/export.xlsx?list=grids&street={street.pk}&level=4").content)
    assert direct == sheets


def test_a_street_admins_export_job_holds_its_own_street_only(client_for, roster):
    client = client_for("street")
    job_url = client.post("/grids/export/")["Location"]
    job = Job.objects.get()
    sheets = _sheets(b"".join(client.get(f"/jobs/{job.pk}/file/").streaming_content))
    assert {r[0] for r in sheets["网格"][1:]} == {"a街道"}
    assert client_for("center").get(job_url).status_code == 404  # another user's export is not theirs


def test_the_roster_export_reports_progress_as_it_makes_rows(roster, users, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 3)
    seen = []
    exports.roster_workbook(
        users["center"], progress=lambda done, total, stage="": seen.append((done, total))
    )
    assert seen == [(3, 14), (6, 14), (9, 14), (14, 14)]  # 10 grids, then 4 posts


def _previewed_upload(client, roster) -> str:
    upload = io.BytesIO(make_workbook(*new_branch(roster)))
    upload.name = "花名册.xlsx"
    preview_url = client.post("/grids/import/", {"file": upload})["Location"]
    assert "确认导入" in client.get(preview_url).content.decode()
    return preview_url


def test_an_import_confirm_runs_as_a_job_with_its_progress_and_summary(client_for, roster):
    client = client_for("center")
    preview_url = _previewed_upload(client, roster)
    response = client.post(preview_url)
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.title) == ("grids.roster_import", "导入网格花名册：花名册.xlsx")
    assert (job.status, job.done, job.total) == ("done", 5, 5)  # 3 grids and 2 posts written
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增网格 3 个、更新 0 个；新增人员 2 名、更新 0 名。" in page
    assert 'href="/grids/"' in page  # on to the roster
    assert Grid.objects.filter(code__startswith="900").count() == 3
    assert client.get(preview_url).status_code == 404  # the upload is used up


def test_a_refused_import_job_shows_its_problems_writes_nothing_and_keeps_the_upload(client_for, roster):
    client = client_for("center")
    preview_url = _previewed_upload(client, roster)
    street = roster["a"]["street"]
    # the new branch's parent is gone since the preview
    Grid.objects.filter(pk=street.pk).update(code="X-MOVED")
    client.post(preview_url)
    job = Job.objects.get()
    assert job.status == "failed" and job.message == "导入未执行：仍有 1 处问题，未写入任何数据。"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"上级网格编码“{street.code}”不存在" in page and 'id="import-errors"' in page
    assert not Grid.objects.filter(code__startswith="900").exists()
    assert PendingImport.objects.count() == 1  # the claim rolled back with the rest: it can be tried again
    Grid.objects.filter(pk=street.pk).update(code=street.code)
    again = client.post(f"/jobs/{job.pk}/restart/")
    assert Job.objects.get(pk=again["Location"].split("/")[2]).status == "done"
    assert Grid.objects.filter(code__startswith="900").count() == 3


def test_a_second_confirm_of_the_same_upload_imports_nothing_more(client_for, roster):
    client = client_for("center")
    preview_url = _previewed_upload(client, roster)
    client.post(preview_url)
    assert client.post(preview_url).status_code == 302
    assert Job.objects.count() == 1 and Grid.objects.filter(code__startswith="900").count() == 3


def test_a_large_uploads_preview_is_parsed_as_a_job_that_then_opens_the_preview(client_for, roster, settings):
    settings.IMPORT_JOB_BYTES = 0  # every upload counts as large
    client = client_for("center")
    upload = io.BytesIO(make_workbook(*new_branch(roster)))
    upload.name = "花名册.xlsx"
    preview_url = client.post("/grids/import/?refresh=1", {"file": upload})["Location"]
    response = client.get(preview_url)
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.title) == (
        "grids.roster_import_preview",
        "done",
        "导入网格花名册：花名册.xlsx（预览）",
    )
    assert job.next_url == preview_url.replace("refresh=1", "").rstrip("?")  # never back into a new parse
    # The job's page, opened or polled, sends the user on to the preview, which shows the kept plan.
    assert client.get(f"/jobs/{job.pk}/")["Location"] == job.next_url
    polled = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == job.next_url
    page = client.get(job.next_url).content.decode()
    assert "确认导入" in page and "第一党支部片区" in page
    assert Job.objects.count() == 1  # shown from the kept plan, not parsed again
    assert not Grid.objects.filter(code__startswith="900").exists()  # a preview writes nothing


def test_a_preview_job_for_an_upload_used_up_meanwhile_fails_with_a_clear_message(
    client_for, roster, settings
):
    settings.JOBS_RUNNER = "thread"  # queued, not run: the upload is gone before a worker takes the job
    settings.IMPORT_JOB_BYTES = 0
    client = client_for("center")
    upload = io.BytesIO(make_workbook(*new_branch(roster)))
    upload.name = "花名册.xlsx"
    preview_url = client.post("/grids/import/", {"file": upload})["Location"]
    with patch("core.jobs._dispatch"):
        client.get(preview_url)
    job = Job.objects.get()
    PendingImport.objects.all().delete()
    run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "该导入已完成或已过期，请重新上传文件。")


def test_a_small_upload_is_previewed_at_once_without_a_job(client_for, roster):
    client = client_for("center")
    _previewed_upload(client, roster)
    assert not Job.objects.exists()
