"""The special-lines importer on finance lists as they really arrive, and re-imports that change nothing."""

import io
import re
from decimal import Decimal

import pytest

from core import progress
from core.models import Job
from disbursements.exceptions import ImportRejected
from disbursements.importers import build_special_plan
from disbursements.models import BatchLine
from disbursements.services.batches import add_special_line, create_special_batch, import_special_lines
from tests.assessments.helpers import workbook
from tests.factories import CommunityFactory, StreetFactory
from tests.workbooks import messy_workbook


@pytest.fixture
def places(db):
    """Two streets, each with a 新华社区 (the same name twice), and one more village or community each."""
    gtl = StreetFactory(name="高塘岭街道", code="GTL")
    ws = StreetFactory(name="乌山街道", code="WS")
    return {
        "高塘岭": gtl,
        "乌山": ws,
        "月坡": CommunityFactory(parent=gtl, name="月坡社区", code="GTL01"),
        "高塘岭新华": CommunityFactory(parent=gtl, name="新华社区", code="GTL02"),
        "乌山新华": CommunityFactory(parent=ws, name="新华社区", code="WS01"),
        "团山湖": CommunityFactory(parent=ws, name="团山湖村", code="WS02", kind="rural"),
    }


@pytest.fixture
def special(users, budget):
    return create_special_batch(user=users["center"], year=2022, title="年终专项")


HEADERS = ["街镇", "村（社区）", "资金用途", "拨付金额（元）", "备注"]
ROWS = [
    ["高塘岭街道", None, "示范社区“雷锋哨”阵地建设经费", 10000, "街道统筹"],
    ["高塘岭街道", "月坡社区", "示范社区“雷锋哨”阵地建设经费", "8,000.00", None],
    ["高塘岭街道", "新华社区", "三级网格指导员奖励资金", 6000, None],
    ["乌山街道", "新华社区", "三级网格指导员奖励资金", 6000.0, None],
    ["乌山街道", "团山湖村村民委员会", "三级网格指导员奖励资金", "12,000.00元", None],
    ["乌山街道", None, "网格员培训补助", " 6 000 ", None],
]


def finance_list(rows=ROWS, total=48000) -> bytes:
    """A finance office's list: title rows, 收款单位 merged over 街镇 | 村（社区）, a 合计 row and signatures."""
    return messy_workbook(
        HEADERS,
        rows,
        title="2022年望城区网格化管理年终专项资金拨付明细表",
        subtitle="单位：元",
        group=("收款单位", 0, 1),
        footer=(
            ("合计", None, None, None, total),
            ("填表人：张三", None, "审核人：李四"),
            ("日期：2023年1月10日",),
        ),
    )


def upload(client, batch, data: bytes) -> str:
    file = io.BytesIO(data)
    file.name = "专项明细.xlsx"
    response = client.post(f"/funds/batches/{batch.pk}/lines/import", {"file": file})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def counts(page: str) -> tuple[int, int, int]:
    return tuple(
        int(re.search(rf'id="count-{name}">(\d+)<', page).group(1))
        for name in ("creates", "updates", "unchanged")
    )


def test_a_finance_list_with_titles_merged_header_and_footer_reads_every_line_once(places, special):
    plan = build_special_plan(finance_list(), batch=special)

    assert plan.ok, [str(e) for e in plan.errors]
    assert [(r.payee_name, r.amount) for r in plan.creates] == [
        ("高塘岭街道", Decimal("10000.00")),
        ("高塘岭街道月坡社区", Decimal("8000.00")),
        ("高塘岭街道新华社区", Decimal("6000.00")),
        ("乌山街道新华社区", Decimal("6000.00")),
        ("乌山街道团山湖村", Decimal("12000.00")),
        ("乌山街道", Decimal("6000.00")),
    ]
    assert sum(r.amount for r in plan.creates) == Decimal("48000.00")  # the 合计 row is not a line
    assert any("未使用的列" in n and "备注" in n for n in plan.notes), plan.notes
    assert any("合计" in n and "已跳过" in n for n in plan.notes), plan.notes


def test_through_the_pages_a_list_is_imported_once_and_importing_it_again_changes_nothing(
    client_for, places, special
):
    center = client_for("center")
    preview = upload(center, special, finance_list())
    page = center.get(preview).content.decode()
    assert counts(page) == (6, 0, 0)
    assert "乌山街道团山湖村" in page and "12,000.00" in page and "备注" in page and "合计" in page

    done = center.post(preview, follow=True).content.decode()
    assert "新增 6 条" in done
    special.refresh_from_db()
    assert special.total == Decimal("48000.00") and special.lines.count() == 6
    street_line = special.lines.get(reason="网格员培训补助")
    assert street_line.street == places["乌山"] and street_line.community is None

    again = upload(center, special, finance_list())
    page = center.get(again).content.decode()
    assert counts(page) == (0, 0, 6)
    assert "6 行与批次中已有的明细相同" in page and "文件中没有需要导入的新内容" in page
    assert "正在导入" not in page  # no confirm button
    center.post(again)
    special.refresh_from_db()
    assert special.total == Decimal("48000.00") and special.lines.count() == 6


def test_a_changed_amount_updates_the_line_and_the_preview_shows_old_and_new(client_for, places, special):
    center = client_for("center")
    center.post(upload(center, special, finance_list()))
    corrected = [row[:] for row in ROWS]
    corrected[1][3] = 9000  # 月坡社区 8,000 → 9,000
    preview = upload(center, special, finance_list(corrected, total=49000))
    page = center.get(preview).content.decode()
    assert counts(page) == (0, 1, 5)
    assert "8,000.00 → 9,000.00" in page

    center.post(preview)
    special.refresh_from_db()
    assert special.total == Decimal("49000.00") and special.lines.count() == 6
    assert special.lines.get(community=places["月坡"]).amount == Decimal("9000.00")


def test_lines_the_file_does_not_mention_are_kept_and_named_in_a_note(users, places, special):
    add_special_line(
        user=users["center"], batch=special, payee=places["团山湖"], purpose="应急补助", amount=Decimal(500)
    )
    plan = import_special_lines(user=users["center"], batch=special, data=finance_list())
    assert len(plan.creates) == 6 and "批次中另有 1 条明细不在本文件中，保持不变。" in plan.notes
    special.refresh_from_db()
    assert special.total == Decimal("48500.00")


def test_a_payee_is_found_by_label_code_and_name_with_any_suffix(places, special):
    rows = [
        ["高塘岭街道月坡社区", "a", 1],  # the label the preview shows
        ["WS02", "b", 2],  # a code
        ["乌山街道办事处", "c", 3],  # a street with another suffix
        ["团山湖", "d", 4],  # a village without its suffix
        ["望城区乌山街道新华社区居委会", "e", 5],  # district, street and a suffix
        ["月坡社区居民委员会", "f", 6],
    ]
    plan = build_special_plan(workbook(["收款单位", "用途", "金额"], rows), batch=special)
    assert plan.ok, [str(e) for e in plan.errors]
    assert [r.payee_id for r in plan.creates] == [
        places[k].pk for k in ("月坡", "团山湖", "乌山", "团山湖", "乌山新华", "月坡")
    ]


def test_a_name_two_streets_share_is_an_error_asking_for_the_street_unless_the_street_is_given(
    places, special
):
    plan = build_special_plan(workbook(["收款单位", "用途", "金额"], [["新华社区", "奖励", 100]]))
    assert [str(e) for e in plan.errors] == [
        "Sheet 第2行「收款单位」：“新华社区”有多个同名单位（高塘岭街道新华社区、乌山街道新华社区），"
        "请写明街镇或填写编码。"
    ]
    plan = build_special_plan(
        workbook(["街道", "收款单位", "用途", "金额"], [["乌山街道", "新华社区", "奖励", 100]])
    )
    assert plan.ok and plan.creates[0].payee_id == places["乌山新华"].pk


def test_a_street_column_with_the_street_itself_as_payee_is_a_street_line(places, special):
    rows = [["乌山街道", "乌山街道", "培训", 100], ["乌山街道", None, "宣传", 100]]
    plan = build_special_plan(workbook(["街镇", "收款单位", "用途", "金额"], rows))
    assert plan.ok and [r.payee_id for r in plan.creates] == [places["乌山"].pk] * 2


@pytest.mark.parametrize(
    ("headers", "row", "expected"),
    [
        (
            ["街镇", "村（社区）", "用途", "金额"],
            ["乌山街道", "月坡社区", "x", 1],
            "「村（社区）」：乌山街道下找不到村（社区）“月坡社区”",
        ),
        (
            ["街镇", "村（社区）", "用途", "金额"],
            ["无名街道", "月坡社区", "x", 1],
            "「街镇」：街镇“无名街道”不是已知的街镇",
        ),
        (["村（社区）", "用途", "金额"], ["新华社区", "x", 1], "「村（社区）」：“新华社区”有多个同名单位"),
        (
            ["单位编码", "用途", "金额"],
            ["NOPE", "x", 1],
            "「单位编码」：编码“NOPE”不是已知的街镇或村（社区）",
        ),
        (["收款单位", "用途", "金额"], [None, "x", 1], "「收款单位」：收款单位不能为空"),
        (["收款单位", "用途", "金额"], ["月坡社区", "x", 0], "「金额」：金额应大于 0"),
        (["收款单位", "用途", "金额"], ["月坡社区", "x", "壹万元"], "「金额」：金额“壹万元”不是数字"),
    ],
)
def test_bad_payees_and_amounts_are_named_by_row_and_column(places, headers, row, expected):
    errors = [str(e) for e in build_special_plan(workbook(headers, [row])).errors]
    assert any(expected in e for e in errors), errors


def test_a_sheet_without_any_payee_column_is_refused_with_what_to_add(places):
    errors = [str(e) for e in build_special_plan(workbook(["用途", "金额"], [["x", 1]])).errors]
    assert errors == ["Sheet 第1行：缺少收款单位列：请用“收款单位”列，或“街镇”“村（社区）”两列。"]


@pytest.mark.parametrize("payee", ["收款单位", "单位", "单位名称", "拨付单位", "收款单位名称", "领款单位"])
@pytest.mark.parametrize("purpose", ["用途", "事由", "项目", "资金用途", "项目名称", "摘要"])
@pytest.mark.parametrize(
    "amount", ["金额", "金额（元）", "金额(元)", "拨付金额（元）", "发放金额", "奖励金额", "补助金额"]
)
def test_header_synonyms_people_use_are_read(places, payee, purpose, amount):
    plan = build_special_plan(workbook([payee, purpose, amount], [["月坡社区", "奖励", "1,234.5"]]))
    assert plan.ok, [str(e) for e in plan.errors]
    assert (plan.creates[0].payee_id, plan.creates[0].amount) == (places["月坡"].pk, Decimal("1234.50"))


def test_an_amount_column_in_ten_thousands_is_converted_to_yuan_with_a_note(places):
    plan = build_special_plan(
        workbook(
            ["收款单位", "用途", "拨付金额（万元）"],
            [["月坡社区", "奖励", 4.8], ["团山湖村", "奖励", "0.35"]],
        )
    )
    assert [r.amount for r in plan.creates] == [Decimal("48000.00"), Decimal("3500.00")]
    assert (
        "「拨付金额（万元）」以万元为单位，已按 ×10,000 换算为元（例如 4.8 万元 = 48,000.00 元）。"
        in plan.notes
    )


def test_a_row_written_twice_alike_in_every_cell_counts_once_with_a_note(places):
    rows = [["月坡社区", "奖励", 100], ["团山湖村", "奖励", 50], ["月坡社区", "奖励", 100]]
    plan = build_special_plan(workbook(["收款单位", "用途", "金额"], rows))
    assert plan.ok and [r.row for r in plan.creates] == [2, 3]
    assert "第4行（同第2行）与前面的行完全相同，只计一次。" in plan.notes


def test_rows_of_one_payee_and_purpose_written_differently_are_an_error_never_merged(places):
    rows = [["月坡社区", "奖励", 100], ["月坡社区 ", "奖 励", "100元"]]
    plan = build_special_plan(workbook(["收款单位", "用途", "金额"], rows))
    assert [str(e) for e in plan.errors] == [
        "Sheet 第3行「用途、金额」：与第2行的收款单位、用途相同，但「用途、金额」不同。若是两笔款项，"
        "请在用途中写明区别（或加“三级网格”“姓名”列）；若是同一笔，请删去一行。"
    ]
    assert not any("只计一次" in note for note in plan.notes)


def test_rows_alike_in_the_columns_read_but_not_in_an_unread_one_are_an_error(places):
    rows = [
        ["月坡社区", "奖励", 100, "上半年"],
        ["月坡社区", "奖励", 100, "下半年"],
        ["月坡社区", "奖励", 100, "上半年"],
    ]
    plan = build_special_plan(workbook(["收款单位", "用途", "金额", "备注"], rows))
    assert [(e.row, e.column) for e in plan.errors] == [(3, "备注")]
    assert "第4行（同第2行）与前面的行完全相同，只计一次。" in plan.notes  # row 4 only, not row 3


def test_the_same_payee_and_purpose_with_two_amounts_is_one_error_naming_both_rows_and_no_note(places):
    rows = [["月坡社区", "奖励", 100], ["高塘岭街道月坡社区", "奖励", 200]]
    plan = build_special_plan(workbook(["收款单位", "用途", "金额"], rows))
    assert [str(e) for e in plan.errors] == [
        "Sheet 第3行「收款单位、金额」：与第2行的收款单位、用途相同，但「收款单位、金额」不同"
        "（金额 100.00 与 200.00 元）。若是两笔款项，请在用途中写明区别（或加“三级网格”“姓名”列）；"
        "若是同一笔，请删去一行。"
    ]
    assert not any("只计一次" in note for note in plan.notes)


def test_a_rejected_file_writes_nothing(users, places, special):
    data = workbook(["收款单位", "用途", "金额"], [["月坡社区", "奖励", 100], ["新华社区", "奖励", 100]])
    with pytest.raises(ImportRejected):
        import_special_lines(user=users["center"], batch=special, data=data)
    assert not BatchLine.objects.filter(batch=special).exists()


def test_a_batch_with_the_line_twice_refuses_to_guess_which_to_update(users, places, special):
    for _ in range(2):
        add_special_line(
            user=users["center"], batch=special, payee=places["月坡"], purpose="奖励", amount=Decimal(100)
        )
    same = build_special_plan(
        workbook(["收款单位", "用途", "金额"], [["月坡社区", "奖励", 100]]), batch=special
    )
    assert same.ok and same.unchanged == 1 and not same.has_changes
    changed = build_special_plan(
        workbook(["收款单位", "用途", "金额"], [["月坡社区", "奖励", 300]]), batch=special
    )
    assert [e.message for e in changed.errors] == [
        "批次中已有 2 条高塘岭街道月坡社区“奖励”的明细，无法确定更新哪一条，请在批次页面修改。"
    ]


INSTRUCTOR_HEADERS = ["街镇", "村（社区）", "三级网格", "指导员姓名", "事由", "发放金额"]
INSTRUCTORS = [
    ["高塘岭街道", "月坡社区", "A小区", "张一", "三级网格指导员奖励", 2400],
    ["高塘岭街道", "月坡社区", "B小区", "张二", "三级网格指导员奖励", 2400],
    ["乌山街道", "团山湖村", "C组", "李一", "三级网格指导员奖励", 2400],
    ["乌山街道", "团山湖村", "D组", "李二", "三级网格指导员奖励", 1200],
]


def instructor_list(rows=INSTRUCTORS, total=8400) -> bytes:
    """A list of instructors paid through their community: one row per person, the community repeated."""
    return messy_workbook(
        INSTRUCTOR_HEADERS,
        rows,
        title="2023年度三级网格指导员奖励资金发放表",
        subtitle=None,
        footer=(("合计", None, None, None, None, None, total),),
    )


def test_through_the_pages_two_instructors_of_one_community_are_two_lines_and_a_reimport_adds_nothing(
    client_for, places, special
):
    center = client_for("center")
    page = center.get(upload(center, special, instructor_list())).content.decode()
    assert counts(page) == (4, 0, 0)
    assert "三级网格指导员奖励（A小区 张一）" in page and "三级网格指导员奖励（B小区 张二）" in page
    assert "未使用的列" not in page and "只计一次" not in page

    center.post(upload(center, special, instructor_list()))
    special.refresh_from_db()
    assert special.total == Decimal("8400.00")
    assert sorted(special.lines.filter(community=places["月坡"]).values_list("reason", "amount")) == [
        ("三级网格指导员奖励（A小区 张一）", Decimal("2400.00")),
        ("三级网格指导员奖励（B小区 张二）", Decimal("2400.00")),
    ]
    assert "（A小区 张一）" in center.get(f"/funds/batches/{special.pk}/").content.decode()

    again = center.get(upload(center, special, instructor_list())).content.decode()
    assert counts(again) == (0, 0, 4)
    corrected = [row[:] for row in INSTRUCTORS]
    corrected[3][5] = 2400  # 李二 1,200 → 2,400: an update of that one line
    page = center.get(upload(center, special, instructor_list(corrected, total=9600))).content.decode()
    assert counts(page) == (0, 1, 3) and "1,200.00 → 2,400.00" in page


@pytest.mark.parametrize(
    ("column", "value", "purpose", "expected"),
    [
        ("四级网格", "1栋", "楼栋长补助", "楼栋长补助（1栋）"),
        ("网格员", "王五", "网格员补助", "网格员补助（王五）"),
        ("领款人", "王五", "补助", "补助（王五）"),
        ("三级网格", "A小区", "A小区指导员奖励", "A小区指导员奖励"),  # not written twice
        ("姓名", None, "奖励", "奖励"),
    ],
)
def test_a_grid_or_person_column_is_kept_on_the_line_once(places, column, value, purpose, expected):
    plan = build_special_plan(
        workbook(["收款单位", column, "用途", "金额"], [["月坡社区", value, purpose, 300]])
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.creates[0].purpose == expected


def test_a_purpose_too_long_with_its_grid_and_name_is_named(places):
    plan = build_special_plan(
        workbook(["收款单位", "姓名", "用途", "金额"], [["月坡社区", "张一", "奖" * 99, 1]])
    )
    assert [e.message for e in plan.errors] == ["用途连同“张一”共 103 字，最多 100 字，请缩短用途。"]


def test_through_the_pages_a_payee_written_as_the_batch_page_drop_down_shows_it_is_found(
    client_for, places, special
):
    center = client_for("center")
    detail = center.get(f"/funds/batches/{special.pk}/").content.decode()
    shown = re.findall(r"<option value=\"\d+\">([^<]+)</option>", detail)
    assert "月坡社区（GTL01）" in shown and "高塘岭街道（GTL）" in shown
    rows = [
        ["月坡社区（GTL01）", "示范社区建设经费", 10000],
        ["高塘岭街道（GTL）", "街道工作经费", 15000],
        ["乌山街道/团山湖村", "示范社区建设经费", 10000],
    ]
    page = center.get(upload(center, special, workbook(["收款单位", "奖励事由", "发放金额"], rows))).content
    assert counts(page.decode()) == (3, 0, 0)
    assert "未使用的列" not in page.decode()
    center.post(upload(center, special, workbook(["收款单位", "奖励事由", "发放金额"], rows)))
    assert set(special.lines.values_list("street__code", "community__code", "amount")) == {
        ("GTL", None, Decimal("15000.00")),
        ("GTL", "GTL01", Decimal("10000.00")),
        ("WS", "WS02", Decimal("10000.00")),
    }


@pytest.mark.parametrize(
    ("payee", "expected"),
    [
        ("月坡社区(GTL01)", "月坡"),
        ("月坡社区 （ GTL01 ）", "月坡"),
        ("乌山街道（WS）", "乌山"),
        ("高塘岭街道／月坡社区", "月坡"),
        ("望城区/乌山街道/新华社区", "乌山新华"),
        ("高塘岭街道/新华社区居委会", "高塘岭新华"),
    ],
)
def test_a_payee_written_as_label_with_code_or_as_a_path_is_found(places, payee, expected):
    plan = build_special_plan(workbook(["收款单位", "用途", "金额"], [[payee, "奖励", 1]]))
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.creates[0].payee_id == places[expected].pk


@pytest.mark.parametrize(
    ("payee", "expected"),
    [
        ("团山湖村（GTL01）", "「收款单位」：“团山湖村”与编码 GTL01（高塘岭街道月坡社区）不符，请核对。"),
        ("月坡社区（NOPE）", "「收款单位」：编码“NOPE”不是已知的街镇或村（社区）。"),
        ("乌山街道/月坡社区", "「收款单位」：乌山街道下找不到村（社区）“月坡社区”。"),
    ],
)
def test_a_label_or_path_that_does_not_fit_is_an_error_on_the_payee_column(places, payee, expected):
    errors = [
        str(e) for e in build_special_plan(workbook(["收款单位", "用途", "金额"], [[payee, "x", 1]])).errors
    ]
    assert errors == [f"Sheet 第2行{expected}"]


@pytest.mark.parametrize("street", ["乡镇", "乡镇（街道）", "街道（镇）", "街道/乡镇", "所属街道"])
@pytest.mark.parametrize("purpose", ["事由", "奖励事由", "发放事由", "拨付事由"])
def test_street_and_purpose_headers_people_write_are_read(places, street, purpose):
    plan = build_special_plan(
        workbook([street, "村（社区）", purpose, "金额"], [["乌山街道", "新华社区", "奖励", 100]])
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert (plan.creates[0].payee_id, plan.creates[0].purpose) == (places["乌山新华"].pk, "奖励")
    assert not plan.notes


def test_a_stated_total_that_the_lines_do_not_reach_stops_the_import(places, special):
    rows = [*ROWS, ROWS[1]]  # the 月坡 line written twice, alike in every cell: the writer meant two payments
    data = messy_workbook(
        HEADERS, rows, group=("收款单位", 0, 1), footer=(("合计", None, None, None, 56000),)
    )
    plan = build_special_plan(data, batch=special)
    assert [str(e) for e in plan.errors] == [
        "Sheet1 第12行「拨付金额（元）」：表中合计为 56,000.00 元，而导入的明细合计为 48,000.00 元，两者不符。"
        "请核对是否有重复只计一次的行或遗漏的行；若确需两笔相同的款项，请在用途或姓名中加以区分。"
    ]


def test_a_total_row_without_a_figure_states_nothing(places, special):
    data = messy_workbook(HEADERS, ROWS, group=("收款单位", 0, 1), footer=(("合计",),))
    assert build_special_plan(data, batch=special).errors == []


def test_amounts_in_ten_thousands_are_scaled_before_they_are_rounded(places, special):
    data = messy_workbook(
        ["收款单位", "用途", "拨付金额（万元）"],
        [["月坡社区", "奖励", 1.2345], ["团山湖村", "奖励", "1.2345"]],
        footer=(("合计", None, None, 2.469),),
    )
    plan = build_special_plan(data, batch=special)
    assert plan.errors == []
    assert [r.amount for r in plan.creates] == [Decimal("12345.00"), Decimal("12345.00")]


def test_a_unit_of_ten_thousands_stated_above_the_table_scales_the_amounts(places, special):
    data = messy_workbook(
        ["收款单位", "用途", "金额"],
        [["月坡社区", "奖励", 4.8]],
        title="2022年专项资金拨付明细表",
        subtitle="单位：万元",
        footer=(),
    )
    plan = build_special_plan(data, batch=special)
    assert [r.amount for r in plan.creates] == [Decimal("48000.00")]
    assert any("已按 ×10,000 换算为元" in n for n in plan.notes), plan.notes


def test_an_import_reports_the_lines_written_new_ones_first(users, places, special, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 1)
    import_special_lines(user=users["center"], batch=special, data=finance_list(ROWS[:5], total=42000))
    changed = [*ROWS[:4], [*ROWS[4][:3], 13000, None], ROWS[5]]  # 团山湖村 12,000 → 13,000; 培训补助 new
    seen = []
    import_special_lines(
        user=users["center"],
        batch=special,
        data=finance_list(changed, total=49000),
        progress=lambda done, total, stage="": seen.append((done, total, special.lines.count())),
    )
    assert seen == [(0, 2, 5), (1, 2, 6), (2, 2, 6)]  # the new line, then the new amount
    assert special.lines.get(community=places["团山湖"]).amount == Decimal("13000.00")


def test_a_large_finance_list_is_confirmed_as_a_job_with_its_rows_written(
    client_for, users, places, special, settings
):
    settings.IMPORT_JOB_BYTES = 0  # every upload counts as large
    client = client_for("center")
    preview = upload(client, special, finance_list())
    client.get(preview)  # parsed by a job, which then opens the preview
    assert counts(client.get(preview).content.decode()) == (6, 0, 0)
    confirm = client.post(preview)
    job = Job.objects.get(kind="disbursements.special_import")
    assert (job.status, job.done, job.total) == ("done", 6, 6)
    assert job.next_url == f"/funds/batches/{special.pk}/"
    assert "已处理 6 / 6 行" in client.get(confirm["Location"]).content.decode()
    assert special.lines.count() == 6
