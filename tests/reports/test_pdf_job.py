"""The annual self-evaluation PDF made in the background (core.jobs), through the pages."""

import io

import pytest
from pypdf import PdfReader

from core.models import Job
from reports.exports import self_evaluation_pdf


@pytest.mark.slow
def test_the_annual_pdf_is_made_as_a_job_and_offered_on_its_page(client_for, evaluation):
    client = client_for("leader")
    assert '<form method="post" action="/reports/self-evaluation/2022/pdf/">' in (
        client.get("/reports/self-evaluation/2022/").content.decode()
    )
    response = client.post("/reports/self-evaluation/2022/pdf/")
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.title, job.status) == (
        "reports.self_evaluation_pdf",
        "2022年度绩效自评报告 PDF",
        "done",
    )
    page = client.get(response["Location"]).content.decode()
    assert "下载 2022年度绩效自评报告.pdf" in page and 'href="/reports/self-evaluation/2022/"' in page
    pdf = b"".join(client.get(f"/jobs/{job.pk}/file/").streaming_content)
    assert pdf == self_evaluation_pdf(evaluation)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert "项目支出绩效自评表" in text and "2022" in text


def test_the_annual_pdf_job_is_for_those_who_may_read_it(client_for, evaluation):
    assert client_for("street").post("/reports/self-evaluation/2022/pdf/").status_code == 403
    assert client_for("leader").post("/reports/self-evaluation/2031/pdf/").status_code == 404
    assert client_for("leader").get("/reports/self-evaluation/2022/pdf/").status_code == 405
    assert not Job.objects.exists()


def test_a_pdf_job_whose_user_lost_the_right_fails_with_the_reason(users, evaluation):
    from core.jobs import start_job

    job, _started = start_job(
        user=users["street"], kind="reports.self_evaluation_pdf", key="x", title="PDF", params={"year": 2022}
    )
    assert job.status == "failed" and job.message and not job.file
