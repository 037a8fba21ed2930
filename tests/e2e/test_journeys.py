"""Users' journeys through the live site in Chromium, in the order the work happens in a year.

The center opens 2023 in the browser; in its first quarter a street admin rates, the center imports the city's
12345 export, locks and submits the batch, finance approves and pays, a leader reads the dashboard and downloads
the 2022 PDF. Then the rest of 2023: the center imports each quarter's ratings, locks it and submits its batch,
finance pays them, the center fills in what the evaluation needs by hand and finalises it, and the leader downloads
the signed-off 2023 PDF.
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import log_in
from tests.workbooks import CITY_EXPORT_HEADERS, city_hotline_rows, messy_workbook

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def alert(page, kind: str):
    return page.locator(f".alert-{kind}")


def upload(page, name: str, data: bytes) -> None:
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": name,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": data,
            }
        ]
    )
    page.get_by_role("button", name="上传并预览").click()


def lock_and_generate(page, period: int, quarter) -> None:
    """Lock a 2023 quarter on its page and generate its batch from the results (the center's steps)."""
    page.goto(f"/assessments/periods/{period}/")
    page.get_by_role("button", name="锁定本季度").click()
    expect(alert(page, "success")).to_contain_text("已锁定")
    page.goto("/funds/batches/")
    page.get_by_label("考核季度").select_option(str(period))
    page.get_by_role("button", name="按考核结果生成").click()
    expect(page.get_by_role("heading", name=re.compile(f"2023 ?年第{quarter}季度考核奖励"))).to_be_visible()


def confirm_money(page, button: str) -> str:
    """Click a step that moves money and accept the question it asks; return the question."""
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert asked, f"{button} moved money without asking"
    return asked[0]


def approve_and_pay(page, batch, voucher: str) -> None:
    """Finance's two steps on a batch of the queue: approve it, then record its payment today, each asked
    once more with the amount in figures and in capital numerals."""
    page.goto("/funds/queue/")
    page.locator("#queue").get_by_role("link", name=batch).click()
    question = confirm_money(page, "审核通过")
    assert re.search(r"金额：[\d,]+\.\d\d 元\n大写：.+(元|角|分)", question), question
    expect(alert(page, "success")).to_contain_text("已审核通过")
    page.get_by_label("拨付日期").fill(dt.date.today().isoformat())
    page.get_by_label("凭证号").fill(voucher)
    assert "大写：" in confirm_money(page, "登记拨付")
    expect(alert(page, "success")).to_contain_text("已登记拨付")


def test_center_opens_2023_from_the_browser(page):
    log_in(page, "center")
    page.goto("/reports/self-evaluation/")
    page.get_by_role("link", name="开启新年度").first.click()
    expect(page.get_by_label(re.compile(r"^年度"))).to_have_value("2023")
    page.get_by_label("年初预算数（元）").fill("4000000")
    page.get_by_label("预算依据（文号）").fill("望政办〔2023〕7号")
    page.get_by_role("button", name="开启").click()
    expect(alert(page, "success")).to_contain_text("2023")

    # The evaluation copies 2022's indicators; what is entered by hand waits to be filled in.
    page.goto("/reports/self-evaluation/2023/")
    expect(page.locator("#indicator-links .badge", has_text="待填报")).to_have_count(3)
    expect(page.locator("#finalise-problems")).to_contain_text("群众满意度")
    # The year's rules and quotas are 2022's, editable until its first quarter is locked.
    page.goto("/funds/budget/2023/")
    expect(page.locator("main")).to_contain_text("望政办〔2023〕7号")
    expect(page.locator("main")).to_contain_text("4,000,000.00")


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
    # The live counter reads the choices through the page's formset (each row's hidden grid id).
    expect(page.locator("#quota-counter")).to_contain_text("保存时将被拒绝")
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
    upload(page, "长沙市12345工单明细.xlsx", export)
    expect(page.get_by_text(f"跳过其他区县的工单 {others} 条")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("未能匹配")  # every 望城 row found its village
    page.get_by_role("button", name="确认导入").click()
    expect(alert(page, "success")).to_contain_text(f"新增工单 {len(rows) - others} 条")

    page.goto(f"/assessments/periods/{period}/zero-complaint/")
    zero = len(communities) - len(set(own_complaints))
    expect(page.locator("#zero-count")).to_have_text(str(zero))
    expect(page.locator("#not-counted-total")).to_be_visible()

    lock_and_generate(page, period, 1)
    expect(page.locator("table thead").last).to_contain_text("村（社区）")
    page.get_by_role("button", name="提交审核").click()
    expect(alert(page, "success")).to_contain_text("已提交审核")
    expect(page.locator("#timeline")).to_contain_text("草稿 → 已提交")


def test_finance_approves_and_pays_and_is_refused_over_the_budget(page, facts):
    log_in(page, "finance")
    approve_and_pay(page, re.compile("2023 ?年第1季度"), "WC-2023-0420")
    expect(page.locator("#timeline")).to_contain_text("已审核 → 已拨付")

    # The special batch fitted the budget alone; after the quarter's payment it no longer does.
    page.goto("/funds/queue/")
    page.locator("#queue").get_by_role("link", name=facts["overrun"]["title"]).click()
    confirm_money(page, "审核通过")
    expect(alert(page, "danger")).to_contain_text("超出预算")
    expect(page.get_by_role("button", name="审核通过")).to_be_visible()  # still waiting for review
    page.goto("/funds/queue/")
    expect(page.locator("#queue")).to_contain_text(facts["overrun"]["title"])


def fits_the_screen(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375, (
        f"{page.url} is wider than the phone"
    )


def test_street_admin_confirms_receipt_and_passes_on_from_a_phone(phone):
    """The quarter's payment reaches 高塘岭街道: its admin confirms it and passes every share on, on a phone."""
    page = phone
    log_in(page, "street")
    todo = page.locator("[data-todo=receipt]").filter(has_text=re.compile("2023 ?年第1季度"))
    expect(todo).to_contain_text("待确认到账")
    fits_the_screen(page)
    todo.click()
    page.get_by_label("到账日期").fill(dt.date.today().isoformat())
    page.get_by_label("凭证号/回执号").fill("HZ-2023-Q1-高塘岭")
    page.get_by_role("button", name="确认到账").click()
    expect(alert(page, "success")).to_contain_text("已确认到账")
    # straight on to the 下发, every community pre-filled with its full share
    expect(page.get_by_role("heading", name="登记下发")).to_be_visible()
    fits_the_screen(page)
    communities = page.locator("#pass-on-rows li").count()
    assert communities > 1
    page.get_by_label("凭证号").fill("XF-2023-Q1-高塘岭")
    page.get_by_role("button", name="确认下发").click()
    expect(alert(page, "success")).to_contain_text(f"已登记 {communities} 个村（社区）的下发")
    expect(page.locator("#communities")).not_to_contain_text("待下发")
    fits_the_screen(page)
    page.goto("/")
    expect(page.locator("[data-todo=receipt]")).to_have_count(0)


def test_center_sees_the_street_cleared(page):
    log_in(page, "center")
    page.goto("/funds/receipts/?year=2023")

    def cells(street):
        row = page.locator("#street-holdings tr").filter(has_text=street).get_by_role("cell")
        return [row.nth(i).inner_text().strip() for i in range(1, 6)]

    paid, received, passed, _held, open_parts = cells("高塘岭街道")
    assert paid == received == passed and open_parts == "0"
    # the other demo street has not confirmed its part yet: nothing received, one part open
    paid, received, passed, _held, open_parts = cells("喻家坡街道")
    assert received == passed == "0.00" and paid != "0.00" and open_parts.startswith("1")


def test_leader_reads_the_dashboard_and_downloads_the_annual_pdf(page):
    log_in(page, "leader")
    expect(page).to_have_url(re.compile("/reports/"))
    charts = page.locator("canvas[data-chart]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    # Chart.js has drawn: a canvas it has laid out carries its own pixel size.
    assert page.evaluate("() => [...document.querySelectorAll('canvas[data-chart]')].every(c => c.width > 0)")

    page.goto("/reports/?year=2022")
    # the PDF is made in the background: the job's page offers it when it is ready
    page.get_by_role("button", name="下载年度绩效自评 PDF").click()
    with page.expect_download() as download:
        page.locator("#job-download").click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "项目支出绩效自评表" in text and "99.29" in text
    assert download.value.suggested_filename.endswith(".pdf")


def test_center_rates_locks_and_submits_the_rest_of_2023(page, facts):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "center")
    grids = facts["year"]["grids"]
    # Each quarter's results as the center collects them from the streets: every grid 合格.
    sheet = messy_workbook(
        ["网格编码", "层级", "考核等次"],
        [[code, "三级网格" if level == 3 else "四级网格", "合格"] for code, level in grids],
        title="望城区三、四级网格季度考核评定结果汇总表",
    )
    for quarter, period in facts["year"]["periods"].items():
        page.goto(f"/assessments/periods/{period}/ratings/")
        page.get_by_role("link", name="导入评定结果").click()
        upload(page, f"2023年第{quarter}季度网格考核.xlsx", sheet)
        page.get_by_role("button", name="确认导入").click()
        expect(alert(page, "success")).to_contain_text(f"新评定 {len(grids):,} 个")

        lock_and_generate(page, period, quarter)
        page.get_by_role("button", name="提交审核").click()
        expect(alert(page, "success")).to_contain_text("已提交审核")


def batch_step(page, title: str, action: str, reason: str) -> None:
    """Return (退回) or void (作废) a batch from its page, with the reason these steps require."""
    page.goto("/funds/batches/")
    page.get_by_role("link", name=title).click()
    form = page.locator("form").filter(has=page.locator(f"button[data-action={action}]"))
    form.get_by_label("说明").fill(reason)
    form.locator("button").click()


def test_finance_pays_the_rest_of_2023_and_returns_what_does_not_fit(page, facts):
    log_in(page, "finance")
    for quarter in facts["year"]["periods"]:
        approve_and_pay(page, re.compile(f"2023 ?年第{quarter}季度"), f"WC-2023-Q{quarter}")
    # The special batch that no longer fits the budget goes back to the center, with the reason.
    batch_step(page, facts["overrun"]["title"], "reject", "超出年度预算，请核减后重新提交")
    expect(alert(page, "success")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("已提交 → 已退回")


def test_admin_reopens_a_paid_quarter_with_a_reason(page, facts):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "admin")
    page.goto(f"/assessments/periods/{facts['year']['periods']['2']}/")
    page.get_by_label("解锁理由").fill("高塘岭街道报送的评定结果有误，须更正")
    page.get_by_role("button", name="解锁").click()
    expect(alert(page, "success")).to_contain_text("已解锁")
    expect(page.get_by_role("heading", level=1)).to_contain_text("开放")


def test_center_corrects_the_paid_quarter(page, facts):
    """The paid batch stays as it was; the difference is a 更正批次 traceable to the changed rating."""
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "center")
    period = facts["year"]["periods"]["2"]
    code = next(code for code, level in facts["year"]["grids"] if level == 3)
    page.goto(f"/assessments/periods/{period}/ratings/")
    page.get_by_role("link", name="导入评定结果").click()
    upload(
        page, "更正.xlsx", messy_workbook(["网格编码", "考核等次"], [[code, "优秀"]], title="评定结果更正")
    )
    page.get_by_role("button", name="确认导入").click()
    expect(alert(page, "success")).to_contain_text("修改 1 个")
    page.goto(f"/assessments/periods/{period}/")
    page.get_by_role("button", name="锁定本季度").click()
    expect(alert(page, "success")).to_contain_text("已锁定")

    page.goto("/funds/batches/")
    page.get_by_role("link", name=re.compile("2023 ?年第2季度考核奖励$")).click()
    expect(page.locator("#correction-path")).to_be_visible()
    page.get_by_role("button", name="按考核结果生成更正批次").click()
    expect(page.get_by_role("heading", name=re.compile("第2季度考核奖励更正"))).to_be_visible()
    expect(page.locator("#correction-summary")).to_contain_text("500.00")  # 600 for 优秀, 100 paid for 合格
    expect(page.locator("main table").last).to_contain_text("合格→优秀")
    page.get_by_role("button", name="提交审核").click()
    expect(alert(page, "success")).to_contain_text("已提交审核")


def executed_2023(page) -> Decimal:
    """年度资金总额's 全年执行数 on the 2023 budget page."""
    page.goto("/funds/budget/2023/")
    cells = page.get_by_role("row", name=re.compile("^年度资金总额")).get_by_role("cell")
    return Decimal(cells.nth(3).inner_text().replace(",", ""))


def test_finance_pays_the_correction_and_the_budget_counts_it(page):
    log_in(page, "finance")
    before = executed_2023(page)
    approve_and_pay(page, re.compile("第2季度考核奖励更正"), "WC-2023-GZ1")
    assert executed_2023(page) == before + Decimal("500.00")


def test_center_fills_in_and_finalises_the_2023_evaluation(page, facts):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "center")
    page.goto("/reports/self-evaluation/2023/")
    expect(page.locator("main")).to_contain_text("草稿")
    # A year is signed off with every batch paid or voided: the returned special batch is voided.
    expect(page.locator("#finalise-problems")).to_contain_text(facts["overrun"]["title"])
    batch_step(page, facts["overrun"]["title"], "cancel", "年度已结束，不再拨付")
    expect(page.locator("#timeline")).to_contain_text("已退回 → 作废")
    page.goto("/reports/self-evaluation/2023/")

    for name in ("解决基层群众急难愁盼问题", "“热线+网格、吹哨+报到”工作机制推广落实"):
        page.locator("#indicator-links").get_by_role("link", name=re.compile(re.escape(name))).click()
        page.get_by_label("定性评价").select_option(label="达成年度指标")
        page.get_by_role("button", name="保存").click()
        expect(alert(page, "success")).to_be_visible()
    page.locator("#indicator-links").get_by_role("link", name=re.compile("群众满意度")).click()
    page.get_by_label("实际完成值（人工）").fill("97.5")
    page.get_by_label("人工填报依据").fill("2023年度群众满意度电话回访")
    page.get_by_role("button", name="保存").click()
    expect(alert(page, "success")).to_be_visible()
    expect(page.locator("#indicator-links .badge", has_text="待填报")).to_have_count(0)

    page.get_by_role("link", name="编辑").click()
    page.get_by_label("年度总体目标：实际完成情况").fill("全年完成四个季度考核，奖励资金按季度足额拨付到位。")
    page.get_by_label("报告日期").fill("2024-02-20")
    page.get_by_role("button", name="保存").click()
    expect(alert(page, "success")).to_be_visible()

    expect(page.locator("#finalise-problems")).to_have_count(0)
    page.get_by_role("button", name="定稿").click()
    expect(alert(page, "success").first).to_contain_text("已定稿")
    expect(page.locator("#signed-off")).to_be_visible()
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)


def test_leader_downloads_the_signed_off_2023_pdf(page):
    log_in(page, "leader")
    page.goto("/reports/self-evaluation/2023/")
    expect(page.locator("#signed-off")).to_be_visible()
    shown = page.locator("main").inner_text()
    page.get_by_role("button", name="下载 PDF").click()
    with page.expect_download() as download:
        page.locator("#job-download").click()
    pages = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    text = "".join(p.extract_text() for p in pages).replace("\n", "")
    assert "项目支出绩效自评表" in text and "2023" in text
    assert "97.5" in text and "望政办〔2023〕7号" in text
    assert "全年完成四个季度考核" in shown and "97.5" in shown
