"""The roster list's 类型 column says what a grid is on the ground, a village/community its kind."""

import io
import re

import openpyxl

from grids.models import CommunityKind
from tests.factories import CommunityFactory, Level3Factory
from tests.workbooks import table_rows


def _kinds(page: str) -> dict[str, str]:
    """Grid name → the text of its row's 类型 cell (the 9th column: after 街镇, 村（社区）, 上级网格)."""
    page = re.sub(r'<div class="[^"]*d-md-none">.*?</div>', "", page)  # what a phone shows under a cell
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)]
        for r in rows
    ]
    return {c[1]: c[6] for c in cells if len(c) > 6}


def test_level2_rows_show_the_community_kind(client_for, roster):
    CommunityFactory(parent=roster["a"]["street"], name="港坡村", kind=CommunityKind.RURAL)
    page = client_for("center").get("/grids/list/?level=2").content.decode()
    assert _kinds(page) == {"a社区": "城市社区", "b社区": "城市社区", "港坡村": "农村村（社区）"}


def test_other_levels_show_what_the_grid_is(client_for, roster):
    village = CommunityFactory(parent=roster["a"]["street"], name="港坡村", kind=CommunityKind.RURAL)
    Level3Factory(parent=village, name="第一党支部片区")
    client = client_for("center")
    assert _kinds(client.get("/grids/list/?level=1").content.decode()) == {"a街道": "街镇", "b街道": "街镇"}
    level3 = _kinds(client.get("/grids/list/?level=3").content.decode())
    assert level3 == {"a小区": "楼盘小区", "b小区": "楼盘小区", "第一党支部片区": "党支部服务片区"}


def test_the_roster_export_names_the_community_kind_as_its_category(client_for, roster):
    response = client_for("center").get("/grids/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *rows = table_rows(sheet)
    category = {row[header.index("网格名称")]: row[header.index("网格类别")] for row in rows}
    assert (category["a街道"], category["a社区"], category["a1栋"]) == ("街镇", "城市社区", "楼栋")
