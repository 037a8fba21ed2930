"""A street's ratings sheet as streets make it: grids by name, a title, a merged two-row header, a footer."""

import pytest

from assessments.exceptions import ImportRejected
from assessments.importers.ratings import build_rating_plan
from assessments.models import GridRating, StreetQuota
from assessments.services.ratings import import_ratings
from grids.models import GridLevel
from tests.assessments.helpers import merged_down, preview_page
from tests.workbooks import messy_workbook

# 网格名称 merged over 三级网格 | 四级网格; no 街镇 column: it is the street's own sheet.
STREET_HEADERS = ["等次", "社区", "三级网格", "四级网格", "网格长", "备注"]
NAME_GROUP = ("网格名称", 2, 3)


def street_sheet(rows) -> bytes:
    return messy_workbook(STREET_HEADERS, rows, title="a街道2022年第一季度网格考核评定表", group=NAME_GROUP)


def upload(client, period, data: bytes) -> tuple[str, str]:
    return preview_page(client, f"/assessments/periods/{period.pk}/ratings/import/", data, "a街道评定.xlsx")


def test_a_streets_sheet_by_names_goes_through_preview_and_confirm(client_for, roster, q1):
    rows = [
        ["优秀等次", "a社区", "a小区", None, "张三", "示范"],
        [" 合格 ", "a社区", "a小区", "a1栋", "李四", None],
        ["\u3000基本合格", "a社区居委会", "a小区", "a2 栋", "王五", None],
    ]
    client = client_for("street")
    preview, page = upload(client, q1, street_sheet(rows))
    assert "正在导入…" in page  # the confirm button
    assert "a街道/a社区/a小区/a1栋" in page and "基本合格" in page
    assert "未使用的列：网格长。" in page
    assert "是合计、签名或日期等表尾行，已跳过。" in page
    assert client.post(preview).status_code == 302
    saved = {r.grid_id: (r.rating, r.remark) for r in GridRating.objects.filter(period=q1)}
    a = roster["a"]
    assert saved == {
        a["level3"].pk: ("excellent", "示范"),
        a["level4"][0].pk: ("qualified", ""),
        a["level4"][1].pk: ("basic", ""),
    }


def test_a_community_and_a_grid_merged_over_their_rows_are_read_on_every_row(client_for, roster, q1):
    rows = [
        ["优秀", "a社区", "a小区", None, "张三", None],
        ["合格", "a社区", "a小区", "a1栋", "李四", None],
        ["基本合格", "a社区", "a小区", "a2栋", "王五", None],
    ]
    data = merged_down(street_sheet(rows), "C5:C7", "D5:D7")  # 社区 and 三级网格, rows 5 to 7
    client = client_for("street")
    preview, page = upload(client, q1, data)
    assert "2 行的街镇、村（社区）或三级网格为空（合并单元格），已沿用上一行的名称：第6、7行。" in page
    assert client.post(preview).status_code == 302
    a = roster["a"]
    assert dict(GridRating.objects.values_list("grid_id", "rating")) == {
        a["level3"].pk: "excellent",
        a["level4"][0].pk: "qualified",
        a["level4"][1].pk: "basic",
    }


def test_codes_win_and_agreeing_names_beside_them_are_accepted(users, roster, q1):
    a = roster["a"]
    data = messy_workbook(
        ["街道", "所属村（社区）", "网格编码", "考核结果"],
        [["a街道", "a社区", a["level4"][0].code, "合格"], ["a街道办事处", "a社区", a["level3"].code, "优秀"]],
    )
    plan = build_rating_plan(data, user=users["street"], period=q1)
    assert plan.ok, [str(e) for e in plan.errors]
    assert {e.grid_id for e in plan.creates} == {a["level4"][0].pk, a["level3"].pk}


def test_a_code_and_names_that_disagree_are_an_error_naming_both(users, roster, q1):
    a = roster["a"]
    data = messy_workbook(
        ["街镇", "村（社区）", "三级网格", "四级网格", "网格编码", "评定等次"],
        [["a街道", "a社区", "a小区", "a2栋", a["level4"][0].code, "合格"]],
        footer=(),
    )
    errors = [str(e) for e in build_rating_plan(data, user=users["street"], period=q1).errors]
    assert errors == [
        f"Sheet1 第4行「网格编码」：网格编码“{a['level4'][0].code}”是“a街道/a社区/a小区/a1栋”，"
        "与所填名称“a街道/a社区/a小区/a2栋”不符，请核对。"
    ]


def test_a_street_admin_naming_another_streets_grid_is_an_error_for_that_row(users, roster, q1):
    data = messy_workbook(
        ["街镇", "社区", "小区/片区", "等级"],
        [["a街道", "a社区", "a小区", "合格"], ["b街道", "b社区", "b小区", "优秀"]],
        footer=(),
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_ratings(user=users["street"], period=q1, data=data)
    assert [str(e) for e in excinfo.value.plan.errors] == [
        "Sheet1 第5行「街镇」：“b街道/b社区/b小区”不在您的管辖范围内。"
    ]
    assert not GridRating.objects.exists()


def test_names_that_lead_nowhere_are_named_by_their_column(users, roster, q1):
    data = messy_workbook(
        ["街镇", "村（社区）", "三级网格", "考核等次"],
        [["a街道", "a社区", "z小区", "合格"], ["a街道", "a社区", None, "合格"]],
        footer=(),
    )
    errors = [str(e) for e in build_rating_plan(data, user=users["center"], period=q1).errors]
    assert errors == [
        "Sheet1 第4行「三级网格」：a社区下找不到三级网格“z小区”。",
        "Sheet1 第5行「村（社区）」：“a街道/a社区”是二级网格（村/社区），不是本季度参与考核的三、四级网格。",
    ]


def test_a_sheet_without_codes_or_the_street_is_refused_naming_both_ways_for_district_users(
    users, roster, q1
):
    data = messy_workbook(STREET_HEADERS, [["合格", "a社区", "a小区", None, "张三", None]], group=NAME_GROUP)
    errors = [str(e) for e in build_rating_plan(data, user=users["center"], period=q1).errors]
    assert errors == ["Sheet1 第3行：缺少必需的列：网格编码，或 街镇/村（社区）/三级网格（/四级网格）。"]
    # The street admin's own sheet may leave the street out.
    assert build_rating_plan(data, user=users["street"], period=q1).ok


def test_a_level_column_that_contradicts_the_grid_is_an_error(users, roster, q1):
    a = roster["a"]
    data = messy_workbook(
        ["网格编码", "层级", "考核等次"], [[a["level3"].code, "四级网格", "合格"]], footer=()
    )
    errors = [str(e) for e in build_rating_plan(data, user=users["street"], period=q1).errors]
    assert errors == ["Sheet1 第4行「层级」：“a街道/a社区/a小区”是三级网格，与所填层级“四级网格”不符。"]


def test_the_quota_overrun_is_reported_with_the_other_errors_and_names_the_grids(users, roster, year, q1):
    a = roster["a"]
    StreetQuota.objects.create(year=year, street=a["street"], level=GridLevel.LEVEL4, quota=1)
    rows = [
        ["优秀", "a社区", "a小区", "a1栋", "张三", None],
        ["优秀", "a社区", "a小区", "a2栋", "李四", None],
        ["良好", "a社区", "a小区", None, "王五", None],
    ]
    with pytest.raises(ImportRejected) as excinfo:
        import_ratings(user=users["street"], period=q1, data=street_sheet(rows))
    assert [str(e) for e in excinfo.value.plan.errors] == [
        "Sheet1 第7行「等次」：未知考核等次“良好”，应为 优秀、合格、基本合格 或 不合格。",
        "Sheet1「等次」：a街道四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。"
        "本文件新评为优秀的 2 个：第5行 a街道/a社区/a小区/a1栋、第6行 a街道/a社区/a小区/a2栋。",
    ]
    assert not GridRating.objects.exists()


def test_the_quota_overrun_shows_on_the_preview_page_beside_the_row_errors(client_for, roster, year, q1):
    year.level4_excellent_quota = 1
    year.save()
    rows = [
        ["优秀", "a社区", "a小区", "a1栋", "张三", None],
        ["优秀", "a社区", "a小区", "a2栋", "李四", "得分见附件"],
        ["合格", "a社区", "无此小区", None, "王五", None],
    ]
    client = client_for("street")
    _preview, page = upload(client, q1, street_sheet(rows))
    assert "正在导入…" not in page  # no confirm button
    assert "a社区下找不到三级网格“无此小区”" in page
    assert "全区四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。" in page
    assert "第5行 a街道/a社区/a小区/a1栋、第6行 a街道/a社区/a小区/a2栋" in page
