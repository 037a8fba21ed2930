"""A grid named in a workbook by its code or by its name path (grids.matching.locate_grid)."""

import pytest

from grids.matching import GridIndex, MergedNames, locate_grid, missing_grid_columns


@pytest.fixture
def index(roster):
    return GridIndex.load()


def path(street="", community="", level3="", level4=""):
    return {"street_name": street, "community_name": community, "level3_name": level3, "level4_name": level4}


def test_a_grid_is_found_by_its_code_or_by_its_names(roster, index):
    a1 = roster["a"]["level4"][0]
    assert locate_grid(index, {"grid_code": a1.code.lower()})[0].pk == a1.pk
    assert locate_grid(index, path("a街道办事处", "a社区居委会", "a小区", "a1 栋"))[0].pk == a1.pk
    assert index.label(locate_grid(index, path("a街道", "a社区"))[0]) == "a街道/a社区"


def test_the_code_wins_over_names_of_its_own_branch(roster, index):
    a1 = roster["a"]["level4"][0]
    assert locate_grid(index, {"grid_code": a1.code, **path("a街道", "a社区")})[0].pk == a1.pk


def test_a_code_and_names_of_another_grid_are_an_error_naming_both(roster, index):
    a1 = roster["a"]["level4"][0]
    grid, column, why = locate_grid(index, {"grid_code": a1.code, **path("b街道", "b社区", "b小区")})
    assert (grid, column) == (None, "grid_code")
    assert (
        why == f"网格编码“{a1.code}”是“a街道/a社区/a小区/a1栋”，与所填名称“b街道/b社区/b小区”不符，请核对。"
    )
    grid, column, why = locate_grid(index, {"grid_code": a1.code, **path("a街道", "无此社区")})
    assert grid is None and "与所填名称“a街道/无此社区”不符" in why


def test_a_name_that_leads_nowhere_is_blamed_on_its_column(roster, index):
    assert locate_grid(index, path("a街道", "a社区", "z小区")) == (
        None,
        "level3_name",
        "a社区下找不到三级网格“z小区”。",
    )
    assert locate_grid(index, {"grid_code": "NOPE"}) == (None, "grid_code", "网格编码“NOPE”不存在。")
    assert locate_grid(index, path()) == (None, "grid_code", "没有填写网格编码或网格名称。")
    assert locate_grid(index, {"grid_code": ""}) == (None, "grid_code", "网格编码不能为空。")


def test_a_street_admins_sheet_may_leave_the_street_out(roster, index):
    street = index.nodes[roster["a"]["street"].pk]
    found = locate_grid(index, path("", "a社区", "a小区"), street=street)[0]
    assert found.pk == roster["a"]["level3"].pk
    # A street written in the sheet is taken as written, even another one.
    assert locate_grid(index, path("b街道", "b社区"), street=street)[0].pk == roster["b"]["community"].pk


def test_a_sheet_needs_a_code_column_or_the_names_down_to_the_community():
    message = "缺少必需的列：网格编码，或 街镇/村（社区）/三级网格（/四级网格）。"
    assert missing_grid_columns({"grid_code", "rating"}) is None
    assert missing_grid_columns({"street_name", "community_name"}) is None
    assert missing_grid_columns({"community_name", "level3_name"}) == message
    assert missing_grid_columns({"community_name", "level3_name"}, street_known=True) is None
    assert missing_grid_columns({"street_name", "level3_name"}) == message


def test_names_merged_down_over_rows_are_read_from_the_row_above():
    merged = MergedNames()
    assert merged.fill(5, path("a街道", "a社区", "a小区")) == path("a街道", "a社区", "a小区")
    assert merged.fill(6, path("", "", "", "a1栋")) == path("a街道", "a社区", "a小区", "a1栋")
    assert merged.fill(7, {"grid_code": "X"}) == {"grid_code": "X"}  # a row by code alone is left alone
    assert merged.fill(8, path("", "", "b小区")) == path("a街道", "a社区", "b小区")
    # Only names above the deepest written one: a level-3 row does not borrow the 楼栋 above it.
    assert merged.fill(9, path("", "", "", "b1栋")) == path("a街道", "a社区", "b小区", "b1栋")
    assert merged.fill(10, path("", "", "c小区")) == path("a街道", "a社区", "c小区", "")
    assert (
        merged.note()
        == "4 行的街镇、村（社区）或三级网格为空（合并单元格），已沿用上一行的名称：第6、8、9、10行。"
    )


def test_nothing_is_noted_when_no_name_was_borrowed():
    merged = MergedNames()
    merged.fill(2, path("a街道", "a社区"))
    merged.fill(3, path("a街道", "a社区", "a小区"))
    assert merged.note() is None
