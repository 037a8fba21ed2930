"""Printable tables: a title over the header, bold totals, numbers formatted, A4 print setup."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.xlsx_write import MONEY_FORMAT, add_table_sheet, new_workbook, to_bytes


def printed_sheet(**options):
    workbook = new_workbook(write_only=True)
    add_table_sheet(
        workbook,
        "表",
        ["单位", "金额（元）"],
        [["甲", Decimal("1234567.5")], ["甲 小计", Decimal("1234567.5")], ["合计", Decimal("1234567.5")]],
        formats={2: MONEY_FORMAT},
        **options,
    )
    return load_workbook(io.BytesIO(to_bytes(workbook)))["表"]


def test_a_heading_goes_above_the_header_merged_over_the_table():
    ws = printed_sheet(heading=["拨付明细", "单位：元"], orientation="landscape")
    assert [ws["A1"].value, ws["A2"].value, ws["A3"].value, ws["A4"].value] == [
        "拨付明细",
        "单位：元",
        "单位",
        "甲",
    ]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:B1", "A2:B2"}
    assert ws["A1"].font.bold and ws.freeze_panes == "A4"
    assert [ws.cell(row=r, column=1).font.bold for r in (4, 5, 6)] == [False, True, True]
    assert ws["B6"].number_format == "#,##0.00" and ws["B6"].value == 1234567.5


def test_a_printed_sheet_fits_a4_and_repeats_its_header():
    ws = printed_sheet(heading=["拨付明细"], orientation="landscape")
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.page_margins.left == pytest.approx(0.7)


def test_without_options_a_sheet_is_a_plain_table():
    ws = printed_sheet()
    assert ws["A1"].value == "单位" and not ws.merged_cells.ranges and not ws.print_title_rows
    assert not ws["A4"].font.bold  # a 合计 is bold only in a titled, printable table
