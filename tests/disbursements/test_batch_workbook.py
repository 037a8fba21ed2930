"""The 拨付明细 workbook as a document to print and sign: titles, totals, A4 print setup."""

import io

from django.utils import timezone
from openpyxl import load_workbook

from core.formats import date_text
from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.workflow import apply_transition
from tests.disbursements.receipt_helpers import pay_special
from tests.workbooks import table_rows


def test_a_paid_batchs_workbook_prints_on_a4_with_its_title_number_and_totals(
    client_for, users, roster, budget
):
    a, b = roster["a"], roster["b"]
    batch = pay_special(users, "年终专项", [(a["community"], "12345.60"), (b["community"], "800.00")])
    response = client_for("finance").get(f"/funds/batches/{batch.pk}/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    today = date_text(timezone.localdate())
    expected = {"拨付到各街镇": "portrait", "下发至各村（社区）": "portrait", "拨付明细": "landscape"}
    for name, orientation in expected.items():
        ws = book[name]
        assert ws["A1"].value == f"年终专项{name}" and ws["A1"].font.bold
        assert (
            ws["A2"].value
            == f"状态：已拨付　拨付日期：2022年4月22日　拨付通知文号：{batch.notice_no}　单位：元　生成日期：{today}"
        )
        assert ws.print_title_rows == "$3:$3" and ws.freeze_panes == "A4"
        assert (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (
            orientation,
            1,
            0,
        )
        last = ws.max_row - (name == "拨付到各街镇")  # the summary's total in capital numerals is under it
        assert ws.cell(row=last, column=1).value == "合计" and ws.cell(row=last, column=1).font.bold
        amount = ws.cell(row=last, column=ws.max_column)
        assert (amount.value, amount.number_format) == (13145.6, "#,##0.00")


def test_the_summary_states_its_total_in_capital_numerals_under_the_table(client_for, users, roster, budget):
    a, b = roster["a"], roster["b"]
    batch = pay_special(users, "年终专项", [(a["community"], "999000.00"), (b["community"], "1000.00")])
    book = load_workbook(
        io.BytesIO(client_for("finance").get(f"/funds/batches/{batch.pk}/export.xlsx").content)
    )
    ws = book["拨付到各街镇"]
    assert table_rows(ws)[-1] == ["合计", 2, 2, 1000000]
    capital = ws.cell(row=ws.max_row, column=1)
    assert capital.value == "合计金额（大写）：壹佰万元整" and capital.font.bold
    assert f"A{ws.max_row}:D{ws.max_row}" in {str(r) for r in ws.merged_cells.ranges}


def test_a_streets_part_is_a_workbook_of_its_notice_and_its_lines(client_for, users, roster, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    street = roster["a"]["street"]
    url = f"/funds/batches/{batch.pk}/notice/{street.pk}.xlsx"
    page = client_for("street").get(f"/funds/batches/{batch.pk}/").content.decode()
    assert url in page  # beside the street's 拨付通知
    response = client_for("street").get(url)
    assert response.status_code == 200 and "a%E8%A1%97%E9%81%93" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["拨付汇总", "拨付明细"]
    notice = book["拨付汇总"]
    assert notice["A1"].value == "2022年第1季度考核奖励拨付汇总（a街道）"
    assert book["拨付明细"]["A1"].value == "2022年第1季度考核奖励拨付明细（a街道）"
    assert table_rows(notice) == [
        ["序号", "村（社区）", "零投诉奖励（元）", "网格考核奖励（元）", "小计（元）"],
        [1, "a社区", 5000, 630, 5630],
        [None, "合计", 5000, 630, 5630],
    ]
    assert notice.cell(row=notice.max_row, column=1).value == "合计金额（大写）：伍仟陆佰叁拾元整"
    assert notice.page_setup.orientation == "portrait" and notice.print_title_rows == "$3:$3"
    lines = table_rows(book["拨付明细"])
    assert {row[0] for row in lines[1:-1]} == {"a街道"} and len(lines) == 5  # header, 3 lines, 合计
    assert lines[-1][0] == "合计" and lines[-1][-1] == 5630


def test_a_streets_part_workbook_is_refused_as_its_notice_is(client_for, users, roster, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    assert (
        client_for("center").get(f"/funds/batches/{batch.pk}/notice/{a}.xlsx").status_code == 404
    )  # a draft
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    assert client_for("street").get(f"/funds/batches/{batch.pk}/notice/{b}.xlsx").status_code == 404
    assert client_for("finance").get(f"/funds/batches/{batch.pk}/notice/{b}.xlsx").status_code == 200
