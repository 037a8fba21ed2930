import datetime as dt
import io
import re

from openpyxl import load_workbook

from grids.models import GridStaff
from tests.workbooks import table_rows


def _sheets(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return {ws.title: table_rows(ws) for ws in workbook}


def test_roster_export_has_one_row_per_grid_with_ancestors_and_staff(client_for, roster):
    response = client_for("leader").get("/grids/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _sheets(response)
    grids = sheets["网格"]
    assert grids[0] == [
        "街镇",
        "村（社区）",
        "层级",
        "网格编码",
        "网格名称",
        "上级网格编码",
        "村（社区）类型",
        "网格类别",
        "设立日期",
        "撤销日期",
        "在岗人员",
    ]
    assert len(grids) - 1 == 10
    level4 = roster["a"]["level4"][0]
    row = next(r for r in grids if r[3] == level4.code)
    person = GridStaff.objects.get(grid=level4)
    assert row[:8] == ["a街道", "a社区", "四级网格", level4.code, "a1栋", level4.parent.code, None, "楼栋"]
    assert (row[8].date(), row[9]) == (dt.date(2021, 1, 1), None)
    assert row[10] == f"{person.name}（网格员）{person.phone}"
    staff = sheets["网格人员"]
    assert staff[0][5:] == ["在岗", "任职日期", "离任日期"]
    assert len(staff) - 1 == 4


def test_street_admin_exports_only_its_street(client_for, roster):
    sheets = _sheets(client_for("street").get("/grids/export.xlsx"))
    assert {r[0] for r in sheets["网格"][1:]} == {"a街道"}
    assert len(sheets["网格"]) - 1 == 5
    assert len(sheets["网格人员"]) - 1 == 2


def test_codes_are_exported_as_text(client_for, roster):
    sheets = _sheets(client_for("center").get("/grids/export.xlsx"))
    assert all(isinstance(r[3], str) for r in sheets["网格"][1:])


def test_the_grid_list_offers_an_export_of_what_its_filters_show(client_for, roster):
    street = roster["b"]["street"]
    page = client_for("center").get(f"/grids/list/?street={street.pk}&level=4").content.decode()
    # the export runs in the background (tests/grids/test_export_job.py), with the list's filters
    assert f'action="/grids/export/?list=grids&amp;street={street.pk}&amp;level=4"' in page
    assert "导出筛选结果" in page


def test_an_export_from_the_grid_list_keeps_its_filters(client_for, roster):
    street = roster["b"]["street"]
    sheets = _sheets(client_for("center").get(f"/grids/export.xlsx?list=grids&street={street.pk}&level=4"))
    rows = sheets["网格"][1:]
    assert sorted(r[4] for r in rows) == ["b1栋", "b2栋"]
    # Ancestors the filter leaves out are still named on each row.
    assert {(r[0], r[1], r[5]) for r in rows} == {("b街道", "b社区", roster["b"]["level3"].code)}
    assert {r[0] for r in sheets["网格人员"][1:]} == {g.code for g in roster["b"]["level4"]}


def test_an_export_from_the_staff_list_keeps_its_filters(client_for, roster):
    person = GridStaff.objects.get(grid=roster["a"]["level4"][1])
    sheets = _sheets(client_for("center").get(f"/grids/export.xlsx?list=staff&q={person.name}"))
    assert [r[2] for r in sheets["网格人员"][1:]] == [person.name]
    assert [r[3] for r in sheets["网格"][1:]] == [person.grid.code]


def test_a_filtered_export_stays_within_the_street_admins_street(client_for, roster):
    other = roster["b"]["street"]
    sheets = _sheets(client_for("street").get(f"/grids/export.xlsx?list=grids&street={other.pk}"))
    assert {r[0] for r in sheets["网格"][1:]} == {"a街道"}  # another street's id is ignored, not obeyed


def test_an_exported_roster_imported_again_names_its_reference_columns_and_changes_nothing(
    client_for, roster
):
    client = client_for("center")
    exported = client.get("/grids/export.xlsx").content
    upload = io.BytesIO(exported)
    upload.name = "花名册.xlsx"
    page = client.get(client.post("/grids/import/", {"file": upload})["Location"]).content.decode()
    assert "网格类别、在岗人员是导出时附上的参考信息，导入时不读取。" in page
    assert "网格名称是导出时附上的参考信息" in page  # the staff sheet's
    unused = "".join(re.findall(r"未使用的列：([^。]*)。", page))
    assert not {"网格类别", "在岗人员", "网格名称"} & set(unused.split("、"))
