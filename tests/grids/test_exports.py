import datetime as dt
import io

from openpyxl import load_workbook

from grids.models import GridStaff


def _sheets(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in workbook}


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
