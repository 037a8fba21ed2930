import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from core.formats import date_text
from core.models import Job
from disbursements.models import BatchLine, DisbursementBatch
from disbursements.services.batches import create_special_batch, generate_quarterly_batch
from disbursements.services.workflow import apply_transition
from tests.assessments.helpers import workbook
from tests.factories import date_approval
from tests.queries import page_queries

ROLES = ["center", "street", "finance", "leader", "admin"]


@pytest.fixture
def batch(users, locked_q1):
    return generate_quarterly_batch(user=users["center"], period=locked_q1)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_budget_and_batches(client_for, batch, role):
    client = client_for(role)
    # the budget is the district's own page: a street admin has its street's money on the batch pages
    assert client.get("/funds/").status_code == (403 if role == "street" else 200)
    for url in [
        "/funds/batches/",
        f"/funds/batches/{batch.pk}/",
        f"/funds/batches/{batch.pk}/export.xlsx",
    ]:
        assert client.get(url).status_code == 200, url


def test_anonymous_and_roleless(client_for, batch):
    for url in ["/funds/", "/funds/batches/", f"/funds/batches/{batch.pk}/", "/funds/queue/"]:
        assert client_for(None).get(url).status_code == 302
        assert client_for("nobody").get(url).status_code == 403


def test_three_roles_carry_a_quarter_to_paid_in_the_pages(client_for, users, locked_q1):
    center, finance = client_for("center"), client_for("finance")
    response = center.post("/funds/batches/generate/", {"period": locked_q1.pk})
    batch = DisbursementBatch.objects.get(period=locked_q1)
    assert center.get(response["Location"])["Location"] == f"/funds/batches/{batch.pk}/"  # via its job
    assert 'data-action="submit"' in center.get(f"/funds/batches/{batch.pk}/").content.decode()
    center.post(f"/funds/batches/{batch.pk}/submit/")
    page = finance.get("/funds/queue/").content.decode()
    assert batch.title in page
    assert batch.title not in client_for("center").get("/funds/batches/?status=approved").content.decode()
    finance.post(f"/funds/batches/{batch.pk}/approve/", {"comment": "核对无误"})
    date_approval(batch, dt.date(2022, 4, 20))
    finance.post(f"/funds/batches/{batch.pk}/pay/", {"paid_on": "2022-04-22", "voucher_no": "记-1"})
    batch.refresh_from_db()
    assert (batch.status, batch.voucher_no) == ("paid", "记-1")
    page = client_for("leader").get(f"/funds/batches/{batch.pk}/").content.decode()
    assert "已拨付" in page and "核对无误" in page and "陆仟零陆拾元整" in page


def test_finance_sees_no_action_on_its_own_batch_and_is_refused_by_post(client_for, users, budget):
    from django.contrib.auth.models import Group

    users["finance"].groups.add(Group.objects.get(name="中心工作人员"))
    special = create_special_batch(user=users["finance"], year=2022, title="自编批次")
    BatchLine.objects.create(
        batch=special, category="special", street=users["street"].street, reason="x", amount=Decimal("1")
    )
    client = client_for("finance")
    client.post(f"/funds/batches/{special.pk}/submit/")
    page = client.get(f"/funds/batches/{special.pk}/").content.decode()
    assert 'data-action="approve"' not in page
    response = client.post(f"/funds/batches/{special.pk}/approve/", follow=True)
    assert "不能审核或拨付自己编制、修改或提交的批次" in response.content.decode()
    assert special.title not in client.get("/funds/queue/").content.decode()


@pytest.mark.parametrize(("role", "status"), [("street", 403), ("leader", 403), ("admin", 403)])
def test_read_only_roles_cannot_act(client_for, batch, role, status):
    assert client_for(role).post(f"/funds/batches/{batch.pk}/submit/").status_code == status
    assert (
        client_for(role).post("/funds/batches/generate/", {"period": batch.period_id}).status_code == status
    )


def test_street_admin_sees_only_its_streets_lines_and_notice(client_for, users, roster, batch):
    client = client_for("street")
    page = client.get(f"/funds/batches/{batch.pk}/").content.decode()
    assert "a社区" in page and "b社区" not in page and "5,630.00" in page  # 5,000 + 600 + 30
    assert client.get(f"/funds/batches/{batch.pk}/notice/{roster['b']['street'].pk}.pdf").status_code == 404


def test_export_has_streets_subtotals_and_numbers(client_for, batch):
    response = client_for("leader").get(f"/funds/batches/{batch.pk}/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    summary = [[c.value for c in r] for r in book["拨付到各街镇"].iter_rows()]
    assert summary[0][0] == "2022年第1季度考核奖励拨付到各街镇"
    assert summary[1][0] == f"状态：草稿　单位：元　生成日期：{date_text(timezone.localdate())}"
    assert summary[2] == ["街镇", "村（社区）数", "明细条数", "金额（元）"]
    assert summary[3:-1] == [["a街道", 1, 3, 5630], ["b街道", 1, 3, 430], ["合计", 2, 6, 6060]]
    assert summary[-1][0] == "合计金额（大写）：陆仟零陆拾元整"
    communities = [[c.value for c in r] for r in book["下发至各村（社区）"].iter_rows()]
    assert communities[-1] == ["合计", None, None, 6, 6060]
    detail = [[c.value for c in r] for r in book["拨付明细"].iter_rows()]
    assert [r[0] for r in detail if "小计" in str(r[0])] == ["a街道 小计", "b街道 小计"]
    assert detail[-1][0] == "合计" and detail[-1][7] == 6060
    assert book["拨付明细"].cell(row=4, column=8).number_format == "#,##0.00"


def test_notice_pdf_has_real_chinese_text_in_an_embedded_cjk_font(client_for, users, roster, batch):
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    response = client_for("center").get(f"/funds/batches/{batch.pk}/notice/{roster['a']['street'].pk}.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in (
        "关于拨付2022年第1季度考核奖励的通知",
        "a街道",
        "伍仟陆佰叁拾元整",
        "5,630.00",
        "长沙市望城区社会治理服务中心",
    ):
        assert expected in text
    fonts = {
        font["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
        if "/FontDescriptor" in font.get_object().get("/DescendantFonts", [{}])[0].get_object()
    }
    assert any("Noto" in str(f) and "CJK" in str(f) for f in fonts), fonts


def test_special_lines_added_and_imported(client_for, users, roster, budget):
    center = client_for("center")
    center.post("/funds/batches/special/new/", {"year": 2022, "title": "年终专项"})
    special = DisbursementBatch.objects.get(title="年终专项")
    center.post(
        f"/funds/batches/{special.pk}/lines/add",
        {"payee": roster["a"]["community"].pk, "purpose": "阵地建设", "amount": "10000"},
    )
    data = workbook(
        ["收款单位", "用途", "金额"],
        [["b街道", "三级网格指导员奖励资金", "2,500.50"], [roster["a"]["street"].code, "其他", 100]],
    )
    upload = io.BytesIO(data)
    upload.name = "专项.xlsx"
    preview = center.post(f"/funds/batches/{special.pk}/lines/import", {"file": upload})["Location"]
    assert "2,500.50" in center.get(preview).content.decode()
    center.post(preview)
    special.refresh_from_db()
    assert special.total == Decimal("12600.50")
    assert special.lines.get(reason="阵地建设").street == roster["a"]["street"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["无此单位", "x", 100]], "收款单位“无此单位”不是已知的街镇或村（社区）"),
        ([["a街道", "x", "一百"]], "金额“一百”不是数字"),
        ([["a街道", "x", -5]], "金额应大于 0"),
        ([["a街道", None, 5]], "用途不能为空"),
        (
            [["新华社区", "x", 5]],
            "“新华社区”有多个同名单位（a街道新华社区、b街道新华社区），请写明街镇或填写编码",
        ),
    ],
)
def test_bad_special_rows_are_named(client_for, users, roster, budget, rows, expected):
    from disbursements.importers import build_special_plan
    from tests.factories import CommunityFactory

    for key in ("a", "b"):  # the same community name in two streets
        CommunityFactory(parent=roster[key]["street"], name="新华社区")
    plan = build_special_plan(workbook(["收款单位", "用途", "金额"], rows))
    assert any(expected in str(e) for e in plan.errors), [str(e) for e in plan.errors]


def test_batch_page_query_count_does_not_grow_with_lines(client_for, users, roster, budget):
    special = create_special_batch(user=users["center"], year=2022, title="大批次")
    client = client_for("center")

    def add(n):
        BatchLine.objects.bulk_create(
            [
                BatchLine(
                    batch=special,
                    category="special",
                    street=roster["a"]["street"],
                    community=roster["a"]["community"],
                    reason="x",
                    amount=Decimal("1"),
                )
                for _ in range(n)
            ]
        )

    url = f"/funds/batches/{special.pk}/?per_page=100"
    add(10)
    client.get(f"/funds/batches/{special.pk}/")  # its filter bar's options kept, as after any earlier page
    small = page_queries(client, url)
    add(90)
    assert page_queries(client, url) == small <= 16


def test_budget_page_shows_execution(client_for, users, batch):
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    date_approval(batch, dt.date(2022, 4, 22))
    apply_transition(
        batch=batch, action="pay", user=users["finance"], paid_on=dt.date(2022, 4, 22), voucher_no="v"
    )
    page = client_for("leader").get("/funds/?year=2022").content.decode()
    assert (
        "4,000,000.00" in page
        and "6,060.00" in page
        and "0.15%" in page
        and 'data-chart="budget-chart"' in page
    )


def test_confirming_an_import_twice_writes_once_and_a_refused_confirm_keeps_the_upload(
    client_for, users, roster, budget
):
    center = client_for("center")
    center.post("/funds/batches/special/new/", {"year": 2022, "title": "年终专项"})
    special = DisbursementBatch.objects.get(title="年终专项")
    upload = io.BytesIO(workbook(["收款单位", "用途", "金额"], [["b街道", "培训", 300]]))
    upload.name = "专项.xlsx"
    preview = center.post(f"/funds/batches/{special.pk}/lines/import", {"file": upload})["Location"]

    # Submitted meanwhile, the batch refuses new lines: nothing is written and the upload stays for a retry.
    center.post(
        f"/funds/batches/{special.pk}/lines/add",
        {"payee": roster["a"]["community"].pk, "purpose": "阵地建设", "amount": "100"},
    )
    apply_transition(batch=special, action="submit", user=users["center"])
    assert center.post(preview).status_code == 404  # no longer editable
    assert special.lines.count() == 1

    special.refresh_from_db()
    apply_transition(batch=special, action="reject", user=users["finance"], comment="补充明细")
    assert center.get(preview).status_code == 200  # the refused confirm left the upload in place
    assert center.post(preview).status_code == 302
    second = center.post(preview, follow=True)
    assert "该文件已经导入，没有再次写入" in second.content.decode()
    special.refresh_from_db()
    assert special.lines.count() == 2 and special.total == Decimal("400.00")


def _headers(page: str) -> list[str]:
    cells = re.findall(r"<th\b[^>]*>(.*?)</th>", page, flags=re.S)
    return [re.sub(r"<[^>]+>|\s+", "", cell) for cell in cells]


def test_the_batch_list_and_line_table_are_headed_in_chinese(client_for, batch):
    center = client_for("center")
    batches = _headers(center.get("/funds/batches/").content.decode())
    lines = _headers(center.get(f"/funds/batches/{batch.pk}/").content.decode())
    assert "合计金额（元）" in batches and "金额（元）" in lines
    assert [h for h in batches + lines if re.search(r"[A-Za-z]", h)] == []


def _sum_row(page: str) -> list[str]:
    row = re.search(r'<tr class="fw-semibold" id="street-totals-sum">(.*?)</tr>', page).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def test_the_per_street_table_ends_with_its_total(client_for, batch):
    page = client_for("center").get(f"/funds/batches/{batch.pk}/").content.decode()
    lines = BatchLine.objects.filter(batch=batch)
    amount = sum(line.amount for line in lines)
    assert _sum_row(page) == ["合计", "2", str(lines.count()), f"{amount:,.2f}", ""]
    assert amount == batch.total


def test_a_street_admins_total_is_its_own_streets(client_for, roster, batch):
    page = client_for("street").get(f"/funds/batches/{batch.pk}/").content.decode()
    street_a = BatchLine.objects.filter(batch=batch, street=roster["a"]["street"])
    assert _sum_row(page)[1:4] == ["1", str(street_a.count()), "5,630.00"]


def _button(page: str, action: str) -> str:
    return re.search(rf'<button[^>]*data-action="{action}"[^>]*>', page)[0]


def test_approving_and_paying_ask_once_more_with_the_amount_in_capital_numerals(client_for, users, batch):
    # the center's own step (submit) moves no money and asks nothing more
    assert "data-confirm" not in _button(
        client_for("center").get(f"/funds/batches/{batch.pk}/").content.decode(), "submit"
    )
    apply_transition(batch=batch, action="submit", user=users["center"])
    finance = client_for("finance")
    page = finance.get(f"/funds/batches/{batch.pk}/").content.decode()
    approve = _button(page, "approve")
    assert f"金额：{batch.total:,.2f} 元&#10;大写：陆仟零陆拾元整" in approve and "确认审核通过“" in approve
    assert "data-confirm" not in _button(page, "reject")  # returning a batch moves no money
    assert "陆仟零陆拾元整" in re.search(r"<p[^>]*data-money-check.*?</p>", page, re.S)[0]
    apply_transition(batch=batch, action="approve", user=users["finance"])
    page = finance.get(f"/funds/batches/{batch.pk}/").content.decode()
    assert "确认登记拨付“" in _button(page, "pay") and "大写：陆仟零陆拾元整" in _button(page, "pay")


def test_street_admins_see_their_own_share_in_the_batch_list(client_for, users, locked_q1):
    generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert "5,630.00" in client_for("street").get("/funds/batches/").content.decode()
    assert "430.00" in client_for("street_b").get("/funds/batches/").content.decode()
    assert "6,060.00" in client_for("leader").get("/funds/batches/").content.decode()


def test_an_over_long_comment_is_reported(client_for, users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    response = client_for("finance").post(
        f"/funds/batches/{batch.pk}/reject/", {"comment": "长" * 201}, follow=True
    )
    assert "200" in response.content.decode() and "必须填写理由" not in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "submitted"


def test_per_community_totals_on_the_page_and_in_the_workbook(client_for, users, roster, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    client = client_for("leader")
    page = client.get(f"/funds/batches/{batch.pk}/?street={roster['a']['street'].pk}").content.decode()
    assert 'id="community-totals"' in page and "5,630.00" in page
    book = load_workbook(io.BytesIO(client.get(f"/funds/batches/{batch.pk}/export.xlsx").content))
    rows = [[c.value for c in r] for r in book["下发至各村（社区）"].iter_rows()]
    assert rows[2] == ["街镇", "村（社区）编码", "村（社区）", "明细条数", "金额（元）"]
    assert rows[3:] == [
        ["a街道", roster["a"]["community"].code, "a社区", 3, 5630],
        ["b街道", roster["b"]["community"].code, "b社区", 3, 430],
        ["合计", None, None, 6, 6060],
    ]


def test_batch_page_size_is_capped(client_for, users, roster, budget):
    special = create_special_batch(user=users["center"], year=2022, title="大批次")
    BatchLine.objects.bulk_create(
        [
            BatchLine(
                batch=special,
                category="special",
                street=roster["a"]["street"],
                reason="x",
                amount=Decimal("1"),
            )
            for _ in range(250)
        ]
    )
    response = client_for("center").get(f"/funds/batches/{special.pk}/?per_page=100000")
    assert len(response.context["table"].page.object_list) == 200


def test_generating_a_batch_runs_as_a_job_whose_page_opens_the_batch_with_its_message(client_for, locked_q1):
    center = client_for("center")
    job_page = center.post("/funds/batches/generate/", {"period": locked_q1.pk})["Location"]
    job = Job.objects.get()
    assert job_page == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.title) == (
        "disbursements.generate_batch",
        "done",
        "生成拨付批次：2022年第1季度",
    )
    batch = DisbursementBatch.objects.get(period=locked_q1)
    page = center.get(job_page, follow=True)
    assert page.redirect_chain == [(f"/funds/batches/{batch.pk}/", 302)]
    assert f"已生成“{batch.title}”" in page.content.decode()
    # Generating again gives the very same lines: on to the draft, saying nothing changed.
    again = center.get(
        center.post("/funds/batches/generate/", {"period": locked_q1.pk})["Location"], follow=True
    )
    assert again.redirect_chain == [(f"/funds/batches/{batch.pk}/", 302)]
    assert DisbursementBatch.objects.filter(period=locked_q1).count() == 1


def test_a_refused_generation_is_a_failed_job_with_the_reason_and_no_batch(client_for, q1, budget):
    center = client_for("center")
    job_page = center.post("/funds/batches/generate/", {"period": q1.pk})["Location"]
    job = Job.objects.get()
    assert (
        job.status == "failed"
        and job.message == "2022年第1季度尚未锁定：只能从已锁定的考核结果生成拨付批次。"
    )
    assert job.message in center.get(job_page).content.decode()
    assert not DisbursementBatch.objects.exists()
