import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from core.roles import Role
from grids import exports, services
from grids.exceptions import ImportRejected
from grids.importers import build_roster_plan
from grids.models import Grid, GridStaff

GRID_HEADERS = ["网格编码", "网格名称", "层级", "上级网格编码", "村（社区）类型"]
STAFF_HEADERS = ["网格编码", "姓名", "职务", "联系电话", "在岗"]


def make_workbook(grid_rows, staff_rows=None, *, grid_headers=GRID_HEADERS, title_rows=()) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "网格"
    for row in title_rows:
        ws.append(row)
    ws.append(grid_headers)
    for row in grid_rows:
        ws.append(row)
    if staff_rows is not None:
        staff = workbook.create_sheet("网格人员")
        staff.append(STAFF_HEADERS)
        for row in staff_rows:
            staff.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def new_branch(roster):
    """A new community with a level-3 and a level-4 grid under street a, plus their staff."""
    street = roster["a"]["street"].code
    grids = [
        ["9001", "新村", "二级网格", street, "农村村（社区）"],
        ["9002", "第一党支部片区", "三级网格", "9001", None],
        ["9003", "一组", "四级网格", "9002", None],
    ]
    staff = [
        ["9002", "王五", "三级网格指导员", "13900002222", "是"],
        ["9003", "赵六", "网格员", 13900003333, None],
    ]
    return grids, staff


def messages(plan):
    return [str(e) for e in plan.errors]


def test_good_file_previews_then_imports_everything(users, roster):
    grids, staff = new_branch(roster)
    data = make_workbook(grids, staff)
    plan = build_roster_plan(data)
    assert plan.ok, messages(plan)
    assert [r.code for r in plan.grid_creates] == ["9001", "9002", "9003"]
    assert len(plan.staff_creates) == 2
    assert not Grid.objects.filter(code="9001").exists()  # the preview writes nothing

    services.import_roster(user=users["center"], data=data)
    level4 = Grid.objects.get(code="9003")
    assert level4.community.code == "9001" and level4.street == roster["a"]["street"]
    assert Grid.objects.get(code="9001").kind == "rural"
    assert GridStaff.objects.get(name="赵六").phone == "13900003333"


def test_second_import_of_the_same_file_changes_nothing(users, roster):
    data = make_workbook(*new_branch(roster))
    services.import_roster(user=users["center"], data=data)
    plan = build_roster_plan(data)
    assert plan.ok and not plan.has_changes
    assert (plan.grid_unchanged, plan.staff_unchanged) == (3, 2)


def test_existing_codes_are_updated(users, roster):
    level3 = roster["a"]["level3"]
    data = make_workbook([[level3.code, "新名字", "三级", level3.parent.code, None]])
    plan = build_roster_plan(data)
    assert plan.grid_updates[0].changes == {"name": ("a小区", "新名字")}
    services.import_roster(user=users["center"], data=data)
    level3.refresh_from_db()
    assert level3.name == "新名字"


def test_moving_a_community_by_import_moves_its_subtree(users, roster):
    community = roster["a"]["community"]
    data = make_workbook([[community.code, community.name, 2, roster["b"]["street"].code, "城市社区"]])
    services.import_roster(user=users["center"], data=data)
    assert set(Grid.objects.filter(community=community).values_list("street__name", flat=True)) == {"b街道"}


def test_header_found_below_title_rows_with_synonyms_spaces_and_numbers(users, roster):
    street = roster["a"]["street"]
    data = make_workbook(
        [[street.name, None, "2", 430112999, "网格\u3000新社区 ", " 城市社区"]],
        grid_headers=["街道（镇）", "村(社区)", "网格 层级", "网格代码", "网格名称", "社区类型"],
        title_rows=[["望城区网格花名册"], ["填报单位：", None, "日期：2022-12-31"]],
    )
    plan = build_roster_plan(data)
    assert plan.ok, messages(plan)
    row = plan.grid_creates[0]
    assert (row.code, row.name, row.parent_code, row.kind) == (
        "430112999",
        "网格 新社区",
        street.code,
        "urban",
    )


def test_level3_parent_found_by_street_and_community_names(roster):
    data = make_workbook(
        [["a街道", "a社区", "三级网格", "9004", "新小区"]],
        grid_headers=["街镇", "村（社区）", "层级", "网格编码", "网格名称"],
    )
    plan = build_roster_plan(data)
    assert plan.ok, messages(plan)
    assert plan.grid_creates[0].parent_code == roster["a"]["community"].code


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["9101", "x", "四级网格", "NOPE", None]], "网格 第2行「上级网格编码」：上级网格编码“NOPE”不存在。"),
        (
            [["9101", "x", "三级网格", "{l3}", None]],
            "网格 第2行「上级网格编码」：三级网格的上级必须是二级网格（村/社区），而不是三级网格。",
        ),
        (
            [["9101", "x", "二级网格", "{street}", "乡镇"]],
            "网格 第2行「村（社区）类型」：未知村（社区）类型“乡镇”",
        ),
        (
            [["9101", "x", "二级网格", "{street}", None]],
            "网格 第2行「村（社区）类型」：二级网格（村/社区）必须填写类型",
        ),
        ([["9101", None, "三级网格", "{community}", None]], "网格 第2行「网格名称」：网格名称不能为空。"),
        ([[None, "x", "三级网格", "{community}", None]], "网格 第2行「网格编码」：网格编码不能为空。"),
        ([["9101", "x", "五级", "{community}", None]], "网格 第2行「层级」：未知层级“五级”"),
        (
            [["9101", "x", "三级网格", "{community}", None], ["9101", "y", "三级网格", "{community}", None]],
            "网格 第3行「网格编码」：网格编码“9101”与第2行重复。",
        ),
        ([["{l3}", "x", "四级网格", "{l3}", None]], "已存在且为三级网格，不能改为四级网格"),
    ],
)
def test_each_bad_grid_row_is_named_by_sheet_row_and_column(roster, rows, expected):
    values = {
        "l3": roster["a"]["level3"].code,
        "street": roster["a"]["street"].code,
        "community": roster["a"]["community"].code,
    }
    rows = [[c.format(**values) if isinstance(c, str) else c for c in row] for row in rows]
    plan = build_roster_plan(make_workbook(rows))
    assert any(expected in m for m in messages(plan)), messages(plan)
    assert not plan.grid_creates or len(rows) > 1


@pytest.mark.parametrize(
    ("staff_row", "expected"),
    [
        (["{l4}", "张三", "网格员", "12345", "是"], "网格人员 第2行「联系电话」：联系电话“12345”格式不正确"),
        (
            ["NOPE", "张三", "网格员", "13800000000", "是"],
            "网格人员 第2行「网格编码」：网格编码“NOPE”不存在。",
        ),
        (["{l4}", "张三", "书记", "13800000000", "是"], "网格人员 第2行「职务」：未知职务“书记”"),
        (["{l4}", "张三", "指导员", "13800000000", "是"], "三级网格指导员只能配备在三级网格"),
        (["{l4}", None, "网格员", "13800000000", "是"], "网格人员 第2行「姓名」：姓名不能为空。"),
        (["{l4}", "张三", "网格员", "13800000000", "可能"], "网格人员 第2行「在岗」：“可能”无法识别"),
    ],
)
def test_each_bad_staff_row_is_named(roster, staff_row, expected):
    l4 = roster["a"]["level4"][0].code
    staff_row = [c.format(l4=l4) if isinstance(c, str) else c for c in staff_row]
    plan = build_roster_plan(make_workbook([], [staff_row]))
    assert any(expected in m for m in messages(plan)), messages(plan)


def test_missing_required_column_is_reported(roster):
    plan = build_roster_plan(make_workbook([["9101", "x"]], grid_headers=["网格编码", "网格名称"]))
    assert messages(plan) == ["网格 第1行：缺少必需的列：层级（或 网格层级、级别、网格级别）。"]


def test_nothing_is_written_while_any_error_remains(users, roster):
    grids, staff = new_branch(roster)
    staff.append(["9003", "坏电话", "网格员", "999", "是"])
    data = make_workbook(grids, staff)
    with pytest.raises(ImportRejected) as excinfo:
        services.import_roster(user=users["center"], data=data)
    assert len(excinfo.value.plan.errors) == 1
    assert not Grid.objects.filter(code__startswith="900").exists()
    assert not GridStaff.objects.filter(name="王五").exists()


def test_street_admin_cannot_import(users, roster):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_roster(user=users["street"], data=make_workbook(*new_branch(roster)))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name,code\nx,1\n", "不是 Excel 工作簿"),
        (b"", "空的"),
        (b"PK\x03\x04broken", "不是 Excel 工作簿"),
    ],
)
def test_unreadable_files_get_a_clear_message(db, content, expected):
    plan = build_roster_plan(content)
    assert expected in messages(plan)[0]


def test_a_zip_that_is_not_a_workbook_gets_a_clear_message(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    plan = build_roster_plan(buffer.getvalue())
    assert "无法读取该 Excel 文件" in messages(plan)[0]


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_oversized_file_is_refused(db):
    plan = build_roster_plan(b"x" * 2000)
    assert "文件过大" in messages(plan)[0]


def test_exported_roster_imports_back_unchanged(users, roster):
    data = exports.roster_workbook(users["center"])
    plan = build_roster_plan(data)
    assert plan.ok, messages(plan)
    assert not plan.has_changes
    assert plan.grid_unchanged == Grid.objects.count()
    assert plan.staff_unchanged == GridStaff.objects.count()


def test_upload_preview_confirm_flow_in_the_browser(client_for, roster):
    client = client_for("center")
    data = make_workbook(*new_branch(roster))
    upload = io.BytesIO(data)
    upload.name = "花名册.xlsx"
    response = client.post("/grids/import/", {"file": upload})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "确认导入" in page and "9001" in page
    assert not Grid.objects.filter(code="9001").exists()
    response = client.post(preview_url)
    assert response.status_code == 302
    assert Grid.objects.filter(code__startswith="900").count() == 3
    assert client.get(preview_url).status_code == 404  # a confirmed import cannot be applied twice


def test_upload_of_errors_shows_them_and_offers_no_confirm(client_for, roster):
    client = client_for("center")
    upload = io.BytesIO(make_workbook([["9101", "x", "四级网格", "NOPE", None]]))
    upload.name = "bad.xlsx"
    page = client.get(client.post("/grids/import/", {"file": upload})["Location"]).content.decode()
    assert "上级网格编码“NOPE”不存在" in page and "确认导入" not in page


def test_upload_of_a_non_xlsx_file_is_refused_on_the_form(client_for):
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.name = "roster.csv"
    response = client_for("center").post("/grids/import/", {"file": upload})
    assert response.status_code == 200 and "请上传 Excel 工作簿" in response.content.decode()


def test_another_users_pending_import_is_not_found(client_for, roster):
    upload = io.BytesIO(make_workbook(*new_branch(roster)))
    upload.name = "a.xlsx"
    url = client_for("center").post("/grids/import/", {"file": upload})["Location"]
    from core.roles import Role
    from tests.factories import UserFactory

    other = client_for(None)
    other.force_login(UserFactory(role=Role.CENTER_STAFF))
    assert other.get(url).status_code == 404


def test_template_has_headers_and_dropdowns(client_for):
    response = client_for("center").get("/grids/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    grids = workbook["网格"]
    assert [c.value for c in grids[3]][:5] == ["街镇", "村（社区）", "层级", "网格编码", "网格名称"]
    formulas = {dv.formula1 for dv in grids.data_validations.dataValidation}
    assert '"城市社区,农村村（社区）"' in formulas
    assert '"一级网格,二级网格,三级网格,四级网格"' in formulas
    staff_formulas = {dv.formula1 for dv in workbook["网格人员"].data_validations.dataValidation}
    assert '"网格员,网格长,三级网格指导员"' in staff_formulas
    # The blank template is itself a valid (empty) import.
    plan = build_roster_plan(response.content)
    assert plan.ok and not plan.has_changes


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_oversized_upload_is_refused_on_the_form(client_for):
    upload = io.BytesIO(b"PK" + b"x" * 5000)
    upload.name = "big.xlsx"
    response = client_for("center").post("/grids/import/", {"file": upload})
    assert response.status_code == 200 and "文件过大" in response.content.decode()


def test_errors_are_listed_in_sheet_and_row_order(roster):
    community = roster["a"]["community"].code
    rows = [
        ["9101", "x", "四级网格", community, None],
        ["9102", "x", "三级网格", community, "城市社区"],
        ["9103", None, 3, community, None],
    ]
    plan = build_roster_plan(make_workbook(rows, [["NOPE", "张三", "网格员", "13800000000", "是"]]))
    assert [(e.sheet, e.row) for e in plan.errors] == [("网格", 2), ("网格", 3), ("网格", 4), ("网格人员", 2)]


def test_the_preview_names_levels_in_words_even_when_the_file_gives_digits(client_for, roster):
    street = roster["a"]["street"].code
    grids = [["9301", "新村", 2, street, "农村村（社区）"], ["9302", "片区", "3", "9301", None]]
    upload = io.BytesIO(make_workbook(grids))
    upload.name = "花名册.xlsx"
    client = client_for("center")
    page = client.get(client.post("/grids/import/", {"file": upload})["Location"]).content.decode()
    assert "<td>二级网格（村/社区）</td>" in page and "<td>三级网格</td>" in page


def test_import_refuses_an_active_grid_under_a_retired_parent(users, roster):
    level3 = roster["a"]["level3"]
    rows = [
        [level3.code, level3.name, "三级网格", level3.parent.code, None, "2022-06-30"],
        ["9109", "新楼", "四级网格", level3.code, None, None],
    ]
    headers = ["网格编码", "网格名称", "层级", "上级网格编码", "村（社区）类型", "撤销日期"]
    plan = build_roster_plan(make_workbook(rows, grid_headers=headers))
    # The new grid would be established today, after its parent was retired.
    assert [str(e) for e in plan.errors] == [
        "网格 第3行「设立日期」：上级网格“a小区”已于 2022年6月30日 撤销，不能在此后设立下级网格。"
    ]
    rows[1][5] = None
    rows.append(["9108", "旧楼", "四级网格", level3.code, None, None])
    headers.append("设立日期")
    rows[1].append("2022-01-01")
    rows[2].append("2022-01-01")
    rows[0].append(None)
    plan = build_roster_plan(make_workbook(rows, grid_headers=headers))
    assert [str(e) for e in plan.errors] == [
        f"网格 第{n}行「撤销日期」：上级网格已于 2022年6月30日 撤销，本网格须同时或更早撤销。" for n in (3, 4)
    ]


def test_import_retiring_a_grid_retires_its_children_not_in_the_file(users, roster):
    level3 = roster["a"]["level3"]
    headers = ["网格编码", "网格名称", "层级", "上级网格编码", "撤销日期"]
    data = make_workbook(
        [[level3.code, level3.name, 3, level3.parent.code, "2022/9/30"]], grid_headers=headers
    )
    services.import_roster(user=users["center"], data=data)
    assert set(Grid.objects.filter(parent=level3).values_list("retired_on", flat=True)) == {
        dt.date(2022, 9, 30)
    }


def test_import_is_refused_to_a_street_admin_even_with_the_permission(users, roster):
    group = Group.objects.get(name=Role.STREET_ADMIN)
    group.permissions.add(Permission.objects.get(codename="import_roster"))
    user = type(users["street"]).objects.get(pk=users["street"].pk)
    level3 = roster["b"]["level3"]
    data = make_workbook([[level3.code, "改名", "三级网格", level3.parent.code, None]])
    with pytest.raises(PermissionDenied):
        services.import_roster(user=user, data=data)
    assert Grid.objects.get(pk=level3.pk).name == "b小区"


def test_over_long_cells_are_reported_not_written(users, roster):
    code = "X" * 33
    plan = build_roster_plan(
        make_workbook([[code, "名" * 101, "三级网格", roster["a"]["community"].code, None]])
    )
    assert [str(e) for e in plan.errors] == [
        "网格 第2行「网格编码」：内容过长（33 字），最多 32 字。",
        "网格 第2行「网格名称」：内容过长（101 字），最多 100 字。",
    ]


def test_level4_parent_found_by_the_names_of_its_ancestors(roster):
    headers = ["街道（镇）", "村（社区）", "三级网格", "网格名称", "网格编码", "层级"]
    plan = build_roster_plan(
        make_workbook([["a街道", "a社区", "a小区", "a3栋", "9103", "四级网格"]], grid_headers=headers)
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.grid_creates[0].parent_code == roster["a"]["level3"].code
    plan = build_roster_plan(
        make_workbook([["a街道", "a社区", "无此小区", "x", "9104", "四级网格"]], grid_headers=headers)
    )
    assert [str(e) for e in plan.errors] == ["网格 第2行「三级网格」：a社区 下找不到“无此小区”。"]


def street_staff_sheet(roster, *, outsider: bool, title: str = "人员") -> bytes:
    """Staff alone, as a street keeps them: a title, a merged two-row header with the columns in its own
    order and names, a footer; optionally a person of another district."""
    level4, level3 = roster["a"]["level4"][0], roster["a"]["level3"]
    workbook = Workbook()
    ws = workbook.active
    ws.title = title
    ws.append(["某街道网格人员名单（2026年11月）"])
    ws.merge_cells("A1:F1")
    ws.append(["人员信息", None, None, "所在网格", None, "是否在岗"])
    ws.merge_cells("A2:C2")
    ws.merge_cells("D2:E2")
    ws.merge_cells("F2:F3")
    ws.append(["人员姓名", "岗位", "手机号码", "网格编号", "网格名称", None])
    ws.append(["街巷新人", "专职网格员", "139 1234 5670", level4.code, level4.name, "是"])
    ws.append(["街巷组长", "网格长", "0731-88886666", level3.code, level3.name, "是"])
    if outsider:
        ws.append(["外区人员", "网格员", "13900000000", 4301059990010101, "开福区某栋", "是"])
    ws.append(["合计", None, None, None, None, "2人"])
    ws.append(["填表人：张三", None, "联系电话：0731-8888", None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("title", ["人员", "Sheet1"])
def test_a_streets_staff_sheet_alone_is_read_as_staff_and_a_stranger_is_named(client_for, roster, title):
    plan = build_roster_plan(street_staff_sheet(roster, outsider=True, title=title))
    assert messages(plan) == [f"{title} 第6行「网格编号」：网格编码“4301059990010101”不存在。"]
    client = client_for("center")
    upload = io.BytesIO(street_staff_sheet(roster, outsider=False, title=title))
    upload.name = "人员名单.xlsx"
    preview_url = client.post("/grids/import/", {"file": upload})["Location"]
    page = client.get(preview_url).content.decode()
    assert "确认导入" in page and "街巷新人" in page and "合计" in page  # the footer named as skipped
    assert client.post(preview_url).status_code == 302
    added = GridStaff.objects.filter(name__in=["街巷新人", "街巷组长"]).order_by("name")
    assert [(s.name, s.role, s.phone, s.grid_id) for s in added] == [
        ("街巷新人", "worker", "13912345670", roster["a"]["level4"][0].pk),
        ("街巷组长", "head", "0731-88886666", roster["a"]["level3"].pk),
    ]
