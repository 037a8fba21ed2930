"""Printable tables: a title over the header, bold totals, numbers formatted, A4 print setup."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.formats import date_text
from core.xlsx_write import (
    MONEY_FORMAT,
    PERCENT_FORMAT,
    WIDEST_COLUMN,
    add_table_sheet,
    heading_lines,
    new_workbook,
    to_bytes,
)


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


def test_columns_fit_their_content_and_the_longest_text_wraps_in_a_taller_row():
    workbook = new_workbook(write_only=True)
    long_text = "网格员巡查发现问题，已现场处置并上报，" * 4
    add_table_sheet(
        workbook,
        "表",
        ["编码", "说明", "办结率"],
        [["430112001001001", long_text, Decimal("0.9512")], ["1", "短", None]],
        formats={3: PERCENT_FORMAT},
        heading=heading_lines("哨单"),
        orientation="landscape",
    )
    ws = load_workbook(io.BytesIO(to_bytes(workbook)))["表"]
    assert ws.column_dimensions["A"].width == len("430112001001001") + 2
    assert ws.column_dimensions["B"].width == WIDEST_COLUMN and ws["B4"].alignment.wrap_text
    assert ws.row_dimensions[4].height >= 4 * 15 and ws.row_dimensions[5].height is None
    assert ws["C4"].number_format == "0.00%"


def test_a_footing_goes_under_the_table_merged_and_bold():
    ws = printed_sheet(heading=["拨付明细"], footing=["合计金额（大写）：壹佰贰拾叁万肆仟伍佰陆拾柒元伍角"])
    assert ws["A5"].value == "合计" and ws["A6"].value.startswith("合计金额（大写）")
    assert ws["A6"].font.bold and "A6:B6" in {str(r) for r in ws.merged_cells.ranges}


def test_a_heading_ends_with_the_day_the_workbook_was_made():
    title, facts = heading_lines("通报", "望城区", "", "单位：元")
    assert title == "通报" and facts == f"望城区　单位：元　生成日期：{date_text(timezone.localdate())}"


def test_pages_are_counted_over_the_workbook_unless_it_has_several_sheets():
    single = new_workbook(write_only=True)
    add_table_sheet(single, "甲", ["a"], [[1]], orientation="portrait")
    several = new_workbook(write_only=True)
    for title in ("甲", "乙"):
        add_table_sheet(several, title, ["a"], [[1]], orientation="portrait")
    [alone] = load_workbook(io.BytesIO(to_bytes(single))).worksheets
    assert alone.oddFooter.center.text == "第 &P 页，共 &N 页"
    first, second = load_workbook(io.BytesIO(to_bytes(several))).worksheets
    assert first.oddFooter.center.text == second.oddFooter.center.text == "&A　第 &P 页"
    assert first.page_setup.firstPageNumber == 1 and first.page_setup.useFirstPageNumber


def test_a_column_of_short_words_is_centred_and_the_others_keep_their_alignment():
    ws = printed_sheet(heading=["表"], centred=frozenset({1}))
    assert [ws[f"A{row}"].alignment.horizontal for row in (2 + 1, 3 + 1, 4 + 1)] == ["center"] * 3
    assert ws["B3"].alignment.horizontal is None and ws["B3"].number_format == MONEY_FORMAT
