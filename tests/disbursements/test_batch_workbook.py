"""The 拨付明细 workbook as a document to print and sign: titles, totals, A4 print setup."""

import io

from openpyxl import load_workbook

from tests.disbursements.receipt_helpers import pay_special


def test_a_paid_batchs_workbook_prints_on_a4_with_its_title_number_and_totals(
    client_for, users, roster, budget
):
    a, b = roster["a"], roster["b"]
    batch = pay_special(users, "年终专项", [(a["community"], "12345.60"), (b["community"], "800.00")])
    response = client_for("finance").get(f"/funds/batches/{batch.pk}/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    expected = {"拨付到各街镇": "portrait", "下发至各村（社区）": "portrait", "拨付明细": "landscape"}
    for name, orientation in expected.items():
        ws = book[name]
        assert ws["A1"].value == f"年终专项{name}" and ws["A1"].font.bold
        assert (
            ws["A2"].value
            == f"状态：已拨付　拨付日期：2022年4月22日　拨付通知文号：{batch.notice_no}　单位：元"
        )
        assert ws.print_title_rows == "$3:$3" and ws.freeze_panes == "A4"
        assert (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (
            orientation,
            1,
            0,
        )
        last = ws.max_row
        assert ws.cell(row=last, column=1).value == "合计" and ws.cell(row=last, column=1).font.bold
        amount = ws.cell(row=last, column=ws.max_column)
        assert (amount.value, amount.number_format) == (13145.6, "#,##0.00")
