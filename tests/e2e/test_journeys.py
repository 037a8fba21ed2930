"""Four users' journeys through the live site in Chromium, in the order the work happens in a quarter:
a street admin rates, the center imports the city's 12345 export, locks and submits the batch, finance approves and
pays, a leader reads the dashboard and downloads the annual PDF."""

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import log_in
from tests.workbooks import CITY_EXPORT_HEADERS, city_hotline_rows, messy_workbook

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


def test_center_imports_12345_locks_the_quarter_and_submits_the_batch(page, facts):
    period = facts["ratings"]["period"]
    page.on("dialog", lambda dialog: dialog.accept())  # the lock button asks for confirmation
    log_in(page, "center")

    # The city's platform exports every district: rows of 开福区 or 长沙县 whose village has a 望城 name,
    # and enquiries, suggestions and praise, must cost no community its zero-complaint reward.
    communities = [tuple(c) for c in facts["communities"]]
    rows, own_complaints = city_hotline_rows(communities, start=dt.date(2023, 1, 1), days=89, count=400)
    others = sum(1 for row in rows if row[2] != "望城区")
    export = messy_workbook(
        CITY_EXPORT_HEADERS, rows, title="长沙市12345政务服务便民热线工单明细", serial=False
    )
    page.goto(f"/assessments/periods/{period}/zero-complaint/")
    page.get_by_role("link", name="导入本季度工单").click()
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "长沙市12345工单明细.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": export,
            }
        ]
    )
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text(f"跳过其他区县的工单 {others} 条")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("未能匹配")  # every 望城 row found its village
    page.get_by_role("button", name="确认导入").click()
    expect(alert(page, "success")).to_contain_text(f"新增工单 {len(rows) - others} 条")

    page.goto(f"/assessments/periods/{period}/zero-complaint/")
    zero = len(communities) - len(set(own_complaints))
    expect(page.locator("#zero-count")).to_have_text(str(zero))
    expect(page.locator("#not-counted-total")).to_be_visible()

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
