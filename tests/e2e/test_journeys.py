"""Four users' journeys through the live site in Chromium, in the order the work happens in a quarter:
a street admin rates, the center imports complaints, locks and submits the batch, finance approves and
pays, a leader reads the dashboard and downloads the annual PDF."""

import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def alert(page, kind: str):
    return page.locator(f".alert-{kind}")


def test_street_admin_rates_a_community_and_is_refused_over_the_quota(page, facts):
    ratings = facts["ratings"]
    log_in(page, "street")
    page.goto(f"/assessments/periods/{ratings['period']}/ratings/")
    page.get_by_role("row", name=re.compile(ratings["community_name"])).get_by_role(
        "link", name="评定"
    ).click()
    expect(page.get_by_role("heading", name=re.compile(ratings["community_name"]))).to_be_visible()
    rows = page.locator("#rating-table tbody tr")
    count = rows.count()
    assert count > 1
    expect(page.get_by_text(f"已评定 0 / {count}")).to_be_visible()

    # Everything 合格 but one 优秀: the street is already at its quota, so the save is refused whole.
    for i in range(count):
        rows.nth(i).get_by_text("合格", exact=True).click()
    rows.last.get_by_text("优秀", exact=True).click()
    page.get_by_role("button", name="保存全部").click()
    expect(alert(page, "danger")).to_contain_text("优秀名额为")
    expect(alert(page, "danger")).to_contain_text("超出 1 个")
    expect(page.get_by_text(f"已评定 0 / {count}")).to_be_visible()
    # The refused choices are kept on the page, so nothing the admin entered is lost.
    expect(rows.last.locator("input[value=excellent]")).to_be_checked()

    rows.last.get_by_text("合格", exact=True).click()
    page.get_by_role("button", name="保存全部").click()
    expect(alert(page, "success")).to_contain_text(f"新评定 {count} 个")
    expect(page.get_by_text(f"已评定 {count} / {count}")).to_be_visible()


def hotline_export(rows: list[dict]) -> bytes:
    """A 12345 export as the hotline platform gives it: its own column names, a title row first."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["望城区12345政务服务热线工单明细"])
    sheet.append(["工单号", "来电时间", "所属街道", "所属社区", "诉求类别", "诉求内容"])
    for i, row in enumerate(rows, start=1):
        sheet.append(
            [
                f"E2E-2023-{i:04d}",
                f"{row['day']} 09:30",
                row["street"],
                row["community"],
                "环境卫生",
                "噪音扰民",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_center_imports_12345_locks_the_quarter_and_submits_the_batch(page, facts):
    period = facts["ratings"]["period"]
    page.on("dialog", lambda dialog: dialog.accept())  # the lock button asks for confirmation
    log_in(page, "center")

    page.goto("/assessments/complaints/import/")
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "12345工单.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": hotline_export(facts["complaints"]),
            }
        ]
    )
    page.get_by_role("button", name="上传并预览").click()
    for row in facts["complaints"]:
        expect(page.get_by_text(row["community"]).first).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    expect(alert(page, "success")).to_contain_text("3")

    page.goto(f"/assessments/periods/{period}/")
    page.get_by_role("button", name="锁定本季度").click()
    expect(alert(page, "success")).to_contain_text("已锁定")

    page.goto("/funds/batches/")
    page.get_by_label("考核季度").select_option(str(period))
    page.get_by_role("button", name="按考核结果生成").click()
    expect(page.get_by_role("heading", name=re.compile("2023 ?年第1季度考核奖励"))).to_be_visible()
    expect(page.locator("table thead").last).to_contain_text("村（社区）")
    page.get_by_role("button", name="提交审核").click()
    expect(alert(page, "success")).to_contain_text("已提交审核")
    expect(page.locator("#timeline")).to_contain_text("草稿 → 已提交")


def test_finance_approves_and_pays_and_is_refused_over_the_budget(page, facts):
    log_in(page, "finance")
    page.goto("/funds/queue/")
    page.locator("#queue").get_by_role("link", name=re.compile("2023 ?年第1季度")).click()
    page.get_by_role("button", name="审核通过").click()
    expect(alert(page, "success")).to_contain_text("已审核通过")
    page.get_by_label("拨付日期").fill("2023-04-20")
    page.get_by_label("凭证号").fill("WC-2023-0420")
    page.get_by_role("button", name="登记拨付").click()
    expect(alert(page, "success")).to_contain_text("已登记拨付")
    expect(page.locator("#timeline")).to_contain_text("已审核 → 已拨付")

    # The special batch fitted the budget alone; after the quarter's payment it no longer does.
    page.goto("/funds/queue/")
    page.locator("#queue").get_by_role("link", name=facts["overrun"]["title"]).click()
    page.get_by_role("button", name="审核通过").click()
    expect(alert(page, "danger")).to_contain_text("超出预算")
    expect(page.get_by_role("button", name="审核通过")).to_be_visible()  # still waiting for review
    page.goto("/funds/queue/")
    expect(page.locator("#queue")).to_contain_text(facts["overrun"]["title"])


def test_leader_reads_the_dashboard_and_downloads_the_annual_pdf(page):
    log_in(page, "leader")
    expect(page).to_have_url(re.compile("/reports/"))
    charts = page.locator("canvas[data-chart]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    # Chart.js has drawn: a canvas it has laid out carries its own pixel size.
    assert page.evaluate("() => [...document.querySelectorAll('canvas[data-chart]')].every(c => c.width > 0)")

    page.goto("/reports/?year=2022")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载年度绩效自评 PDF").click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "项目支出绩效自评表" in text and "99.29" in text
    assert download.value.suggested_filename.endswith(".pdf")
