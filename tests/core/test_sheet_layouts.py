"""Reading sheets laid out as people lay them out: title rows, merged two-row headers, footers."""

import io

import pytest
from openpyxl import load_workbook

from core.import_plan import parse_datetime
from core.xlsx import Column, read_rows
from tests.workbooks import messy_workbook

COLUMNS = [
    Column("street", "街镇", ("街道", "乡镇"), required=True),
    Column("community", "村（社区）", ("社区", "村")),
    Column("amount", "金额", ("拨付金额",), required=True),
]


def _read(data: bytes):
    errors = []
    sheet = read_rows(load_workbook(io.BytesIO(data), read_only=True).worksheets[0], COLUMNS, errors)
    return sheet, errors


def test_a_header_over_two_merged_rows_below_a_title_is_found_and_footers_are_skipped():
    data = messy_workbook(
        ["街道", "社区", "拨付金额（元）", "经办人电话"],
        [["甲街道", "乙社区", 100], ["甲街道", "丙社区", 200]],
        group=("收款单位", 0, 1),
    )
    sheet, errors = _read(data)
    assert errors == []
    assert sheet.header_row == 3
    assert [r[1]["amount"] for r in sheet.rows] == [100, 200]
    assert [r[0] for r in sheet.rows] == [5, 6]
    assert [text for _row, text in sheet.skipped] == ["合计", "填表人：张三", "日期：2023年4月3日"]
    assert sheet.unused == ["经办人电话"]  # 序号 is a running number, not data worth naming
    notes = " ".join(sheet.notes())
    assert "未使用的列：经办人电话。" in notes and "第7行“合计”" in notes


def test_columns_in_another_order_with_full_width_and_unit_suffixes_are_read():
    data = messy_workbook(["金 额（元）", "村（社区）", "街　镇"], [[5, "乙社区", "甲街道"]], footer=())
    sheet, errors = _read(data)
    assert errors == []
    assert sheet.rows[0][1] == {"amount": 5, "community": "乙社区", "street": "甲街道"}


def test_a_first_data_row_that_reads_like_a_header_is_still_data():
    # No cell of the header is merged over two below it, so the row under it is data, although its
    # 社区 column reads like the header synonym 社区.
    data = messy_workbook(
        ["街道", "类型", "金额"], [["甲街道", "社区", 100], ["乙街道", "村", 200]], footer=()
    )
    sheet, errors = _read(data)
    assert errors == []
    assert [r[1]["amount"] for r in sheet.rows] == [100, 200]


def test_a_sheet_without_a_required_column_says_which():
    sheet, errors = _read(messy_workbook(["街道", "社区"], [["甲街道", "乙社区"]]))
    assert sheet is None
    assert "缺少必需的列：金额" in errors[0].message


def test_a_sheet_longer_than_the_row_cap_is_refused_with_the_cap(settings):
    settings.MAX_IMPORT_ROWS = 3
    sheet, errors = _read(messy_workbook(["街道", "金额"], [["甲", i] for i in range(4)], footer=()))
    assert sheet is None
    assert "超过 3 行数据" in errors[0].message


@pytest.mark.parametrize(
    "value",
    [
        "2023-01-05 09:12:33.0",
        "2023-01-05T09:12:33",
        "20230105091233",
        20230105091233,
        "2023年1月5日 9时12分33秒",
        "2023/1/5 9:12:33",
        44931.383715277776,  # the Excel serial of 2023-01-05 09:12:33
    ],
)
def test_ticket_times_in_every_real_form_are_read(value):
    parsed = parse_datetime(value)
    assert parsed is not None
    assert parsed.strftime("%Y-%m-%d %H:%M:%S %z") == "2023-01-05 09:12:33 +0800"


def test_date_only_and_chinese_minutes_are_read_and_nonsense_is_not():
    assert parse_datetime("2023年1月5日").strftime("%Y-%m-%d %H:%M") == "2023-01-05 00:00"
    assert parse_datetime("2023年1月5日 9时12分").strftime("%H:%M") == "09:12"
    assert parse_datetime("2022年2月2日 14时").strftime("%Y-%m-%d %H:%M") == "2022-02-02 14:00"
    for bad in ("明天", "2023-13-01", "1899-01-01", "5"):
        assert parse_datetime(bad) is None


def test_a_header_naming_one_thing_in_two_words_and_a_missing_column_with_its_accepted_names():
    sheet, errors = _read(
        messy_workbook(["街道/乡镇", "社区/村", "金额"], [["甲街道", "乙社区", 1]], footer=())
    )
    assert errors == [] and sheet.rows[0][1] == {"street": "甲街道", "community": "乙社区", "amount": 1}
    sheet, errors = _read(messy_workbook(["街道/金额", "社区"], [["甲街道", "乙社区"]], footer=()))
    assert sheet is None  # two words naming two things, or one thing and nothing known, name nothing
    assert errors[0].message == "缺少必需的列：街镇（或 街道、乡镇）；金额（或 拨付金额）。"


def test_rows_alike_in_the_columns_read_are_told_apart_by_the_columns_not_read():
    data = messy_workbook(
        ["街道", "金额", "指导员姓名"],
        [["甲街道", 2400, "张三"], ["甲街道", 2400, "李四"], ["甲街道", 2400, "张三"]],
        footer=(("制表：区社会治理服务中心",),),
    )
    sheet, errors = _read(data)
    assert errors == [] and [text for _r, text in sheet.skipped] == ["制表：区社会治理服务中心"]
    (a, _), (b, _), (c, _) = sheet.rows
    assert sheet.differing_columns(a, b) == ["指导员姓名"]
    assert sheet.differing_columns(a, c) == []


def test_a_table_that_starts_away_from_a1_keeps_its_row_numbers_and_columns():
    from openpyxl import Workbook

    from core.xlsx import open_workbook

    book = Workbook()
    ws = book.active
    for offset, values in enumerate([["街道", "金额"], ["甲街道", 5], ["乙街道", 7.5]]):
        for col, value in enumerate(values, start=3):  # from C4
            ws.cell(row=4 + offset, column=col, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    errors = []
    sheet = read_rows(open_workbook(buffer.getvalue()).worksheets[0], COLUMNS, errors)
    assert errors == [] and sheet.header_row == 4
    assert [(n, r["street"], r["amount"]) for n, r in sheet.rows] == [(5, "甲街道", 5), (6, "乙街道", 7.5)]


def test_a_stray_cell_far_outside_the_table_is_refused_before_the_sheet_is_laid_out():
    from openpyxl import Workbook

    from core.xlsx import ImportFileError, open_workbook

    book = Workbook()
    book.active["A1"] = "街道"
    book.active["XFD1048576"] = "x"  # a 17-billion-cell grid if it were laid out
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportFileError, match="第 1048576 行、第 16384 列，范围过大"):
        open_workbook(buffer.getvalue())


def test_a_column_named_by_its_label_wins_over_one_named_by_a_synonym():
    # 编号 is a running number here; the ticket number is the column headed 工单编号, to its right.
    columns = [Column("ticket_no", "工单编号", ("编号",), required=True), Column("amount", "金额")]
    book = messy_workbook(["编号", "工单编号", "金额"], [[1, "GD-7", 5]], serial=False, footer=())
    errors = []
    sheet = read_rows(load_workbook(io.BytesIO(book), read_only=True).worksheets[0], columns, errors)
    assert sheet.rows[0][1]["ticket_no"] == "GD-7"
    assert sheet.unused == ["编号"]


def test_a_far_cell_is_found_whatever_prefix_its_element_has():
    from core.xlsx import ImportFileError, _check_extent

    row = b'<row r="3"><x:c r="B3" t="s"><x:v>0</x:v></x:c><c r="XFD1048576"><v>1</v></c></row>'
    with pytest.raises(ImportFileError, match="第 1048576 行、第 16384 列"):
        _check_extent(b'<x:worksheet xmlns:x="main"><x:sheetData>' + row + b"</x:sheetData></x:worksheet>")
    _check_extent(b'<worksheet><sheetData><row r="1048576"><c r="A1"/></row></sheetData></worksheet>')


@pytest.mark.parametrize(
    "cell",
    [
        # The attribute not first, no space before it: not well-formed XML, which the reader takes; refused.
        b'<c t="n"r="XFD1048576"><v>1</v></c>',
        b"<c r='XFD1048576'><v>1</v></c>",  # single quotes
        b'<c r = "XFD1048576"><v>1</v></c>',  # spaces around "="
        b'<c r="xfd1048576"><v>1</v></c>',  # lower case
        b'<c r="XFD0001048576"><v>1</v></c>',  # leading zeros
        b'<c foo=" r=\'A1\'" r="XFD1048576"><v>1</v></c>',  # a reference in another attribute's value
    ],
)
def test_a_far_cell_is_found_however_its_reference_is_written(cell):
    from core.xlsx import ImportFileError, _check_extent

    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>0</v></c>' + cell + b"</row></sheetData></worksheet>"
    )
    with pytest.raises(ImportFileError, match=r"第 1048576 行、第 16384 列|无法读取"):
        _check_extent(xml)


def test_cells_without_a_reference_are_placed_after_the_one_before():
    from core.xlsx import ImportFileError, _check_extent

    # Row 1048576 by its own number; its cells after A: B, C, … as far as the reader would place them.
    cells = b"<c/>" * 4999
    xml = (
        b'<worksheet><sheetData><row r="1048576"><c r="A1048576"/>'
        + cells
        + b"</row></sheetData></worksheet>"
    )
    with pytest.raises(ImportFileError, match="第 1048576 行、第 5000 列"):
        _check_extent(xml)
    _check_extent(b'<worksheet><sheetData><row><c/><c/></row><row><c t="s"/></row></sheetData></worksheet>')
