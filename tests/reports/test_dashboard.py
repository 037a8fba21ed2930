import io
import json
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from assessments.models import HotlineComplaint, WhistleTicket
from reports.dashboard import dashboard, monthly_bulletin


def test_dashboard_figures_and_charts(users, locked_q1, budget):
    data = dashboard(2022)
    assert data["periods_locked"] == 1 and data["zero_total"] == 1
    assert data["charts"]["zero"]["datasets"][0]["data"] == [1, 0, 0, 0]
    ratings = {d["label"]: d["data"] for d in data["charts"]["ratings"]["datasets"]}
    assert ratings["优秀"][0] == 2 and ratings["合格"][0] == 3 and ratings["基本合格"][0] == 1


def test_leaders_land_on_the_dashboard_with_local_charts(client_for, users, locked_q1, budget):
    client = client_for("leader")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/reports/"
    page = client.get("/reports/?year=2022").content.decode()
    assert "/static/vendor/chartjs/chart.umd.min.js" in page and "<script>" not in page.replace(
        "<script src=", ""
    )
    spec = page.split('<script id="chart-zero" type="application/json">')[1].split("</script>")[0]
    assert json.loads(spec)["datasets"][0]["data"] == [1, 0, 0, 0]
    assert client_for("center").get("/").status_code == 200  # others keep the role menu


def test_monthly_bulletin_counts_and_ranks(users, roster, locked_q1):
    import datetime as dt

    WhistleTicket.objects.create(
        number="W1",
        grid=roster["a"]["level4"][0],
        street=roster["a"]["street"],
        reporter="x",
        category="x",
        description="x",
        collected_at=dt.datetime(2022, 2, 3, 2, tzinfo=dt.UTC),
    )
    data = monthly_bulletin(2022, 2, user=users["center"])
    rows = {r["street"]: r for r in data["rows"]}
    # locked_q1 has one valid complaint in b社区 on 2022-02-01.
    assert (rows["b街道"]["complaints"], rows["b街道"]["zero"], rows["b街道"]["rank"]) == (1, 0, 2)
    assert (
        rows["a街道"]["complaints"],
        rows["a街道"]["zero"],
        rows["a街道"]["collected"],
        rows["a街道"]["rank"],
    ) == (0, 1, 1, 1)
    assert rows["a街道"]["rate"] == Decimal("0.00") and rows["b街道"]["rate"] is None
    assert data["totals"]["complaints"] == HotlineComplaint.objects.filter(is_valid=True).count()
    assert monthly_bulletin(2022, 3, user=users["center"])["totals"]["complaints"] == 0


def test_bulletin_pages_and_downloads(client_for, users, roster, locked_q1):
    client = client_for("street")
    assert "2022年2月" in client.get("/reports/bulletins/2022/2/").content.decode()
    sheet = load_workbook(io.BytesIO(client.get("/reports/bulletins/2022/2.xlsx").content)).active
    assert sheet["A1"].value == "“热线+网格、吹哨+报到”工作通报（2022年第2期）"
    assert sheet["A2"].value.startswith("2022年2月1日至2022年2月28日　望城区　生成日期：")
    assert [c.value for c in sheet[3]][:3] == ["排名", "街镇", "有效投诉（件）"]
    assert sheet[f"B{sheet.max_row}"].font.bold  # 合计 beside a blank 排名
    assert [c.value for c in sheet[sheet.max_row]][1:3] == ["合计", 1]
    pdf = client.get("/reports/bulletins/2022/2.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf["Content-Type"] == "application/pdf" and "工作通报" in text and "a街道" in text
    assert client.get("/reports/bulletins/2022/13/").status_code == 404
    assert client_for("nobody").get("/reports/bulletins/2022/2/").status_code == 403


def test_the_bulletin_reaches_every_assessment_year_from_the_same_month(client_for, users, roster, locked_q1):
    from assessments.services.periods import ensure_year

    ensure_year(year=2023)
    page = client_for("leader").get("/reports/bulletins/2022/2/").content.decode()
    years = page[page.index('id="bulletin-years"') :]
    years = years[: years.index("</nav>")]
    assert '<a class="page-link" href="/reports/bulletins/2023/2/">2023年</a>' in years
    assert (
        '<li class="page-item active"><a class="page-link" href="/reports/bulletins/2022/2/">2022年</a>'
        in years
    )


def _documents(page: str) -> str:
    return page.split('id="latest-documents"')[1].split('<div class="row g-3">')[0]


def test_leaders_find_the_latest_documents_on_the_dashboard(client_for, users, roster, evaluation):
    import datetime as dt

    from assessments.services.whistle import create_ticket
    from disbursements.models import DisbursementBatch
    from reports.services import finalise_evaluation

    create_ticket(
        user=users["center"],
        number="S-9",
        grid=roster["a"]["level4"][0],
        reporter="李四",
        collected_at=dt.datetime(2022, 5, 4, 2, tzinfo=dt.UTC),
        category="环境卫生",
        description="垃圾未清运",
    )
    client = client_for("leader")
    documents = _documents(client.get("/reports/?year=2022").content.decode())
    assert "2022年度项目支出绩效自评报告" in documents and "草稿，数字随数据更新" in documents
    # The annual PDF is rendered on request: its link shows it is working (static/js/busy.js); the
    # bulletin opens as a page.
    assert 'data-busy="正在生成…" href="/reports/self-evaluation/2022.pdf"' in documents
    assert (
        "2022年5月工作通报" in documents
        and 'align-items-start" href="/reports/bulletins/2022/5.pdf"' in documents
    )
    batch = DisbursementBatch.objects.get()
    assert f'href="/funds/batches/{batch.pk}/"' in documents and "2022年4月22日 拨付 6,060.00 元" in documents
    finalise_evaluation(user=users["center"], evaluation=evaluation)
    documents = _documents(client.get("/reports/?year=2022").content.decode())
    assert "定稿 " in documents and "草稿" not in documents
