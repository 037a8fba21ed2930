"""The one-sheet roster a street keeps: grids named by their path, staff on the grid's row, no codes."""

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from grids import services
from grids.exceptions import ImportRejected
from grids.importers import build_roster_plan
from grids.models import CommunityKind, Grid, GridLevel, GridStaff, StaffRole
from tests.core.test_import_fuzz import Importer, check_plan_then_confirm, fuzz, hostile_workbook
from tests.core.test_import_fuzz import make_workbook as make_fuzz_workbook
from tests.factories import CommunityFactory, Level3Factory, Level4Factory, StaffFactory, StreetFactory
from tests.workbooks import messy_workbook

# As a street writes it: the path first, then 网格员 and 网格长 each over 姓名 | 联系电话, and a remark.
HEADERS = ["街道", "村（社区）", "三级网格", "四级网格", "姓名", "联系电话", "姓名", "联系电话", "备注"]
GROUPS = [("网格名称", 2, 3), ("网格员", 4, 5), ("网格长", 6, 7)]


@pytest.fixture
def district(db):
    """高塘岭街道 with 月坡社区 (金桥小区: 1栋 with its 网格员, and a 网格长) and 铺井村, coded as the demo."""
    street = StreetFactory(name="高塘岭街道", code="430112001")
    yuepo = CommunityFactory(parent=street, name="月坡社区", code="430112001001", kind=CommunityKind.URBAN)
    pujing = CommunityFactory(parent=street, name="铺井村", code="430112001002", kind=CommunityKind.RURAL)
    jinqiao = Level3Factory(parent=yuepo, name="金桥小区", code="43011200100101")
    building = Level4Factory(parent=jinqiao, name="1栋", code="4301120010010101")
    StaffFactory(grid=building, name="王芳", phone="13800000001", role=StaffRole.WORKER)
    StaffFactory(grid=jinqiao, name="李强", phone="13800000009", role=StaffRole.HEAD)
    other = StreetFactory(name="乔口镇", code="430112014")
    return {
        "street": street,
        "yuepo": yuepo,
        "pujing": pujing,
        "jinqiao": jinqiao,
        "building": building,
        "other": other,
    }


def street_roster(rows, **kwargs) -> bytes:
    kwargs.setdefault("groups", GROUPS)
    kwargs.setdefault("title", "高塘岭街道网格员花名册")
    return messy_workbook(kwargs.pop("headers", HEADERS), rows, **kwargs)


# Merged cells leave the street, community and level-3 cells blank below their first row.
STREET_ROWS = [
    [
        "望城区高塘岭街道",
        "月坡社区居委会",
        "金桥\u3000小区",
        "1栋",
        "王芳",
        "13800000001",
        "李强",
        "13800000009",
        "",
    ],
    [None, None, None, "2栋", "赵敏", "13800000002", "李强", "13800000009", "新建楼栋"],
    [None, None, "银湖花园", "1栋", "刘洋", "138 0000 0003", "陈静", "13800000010", None],
    [None, None, None, "2栋", "刘洋", "13800000003", "陈静", "13800000010", None],
    ["高塘岭街道", "铺井村", "第一党支部片区", "一组", "周杰", 13800000004, None, None, None],
]


def upload(client, data: bytes) -> str:
    file = io.BytesIO(data)
    file.name = "高塘岭街道花名册.xlsx"
    response = client.post("/grids/import/", {"file": file})
    assert response.status_code == 302
    return response["Location"]


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_street_roster_by_names_is_previewed_and_confirmed_through_the_pages(client_for, district):
    client = client_for("center")
    preview = upload(client, street_roster(STREET_ROWS))
    response = client.get(preview)
    page = page_text(response)
    plan = response.context["plan"]
    # New grids: 2栋 under 金桥小区, 银湖花园 with two buildings, and 第一党支部片区 with 一组.
    assert [(r.name, r.parent_label) for r in plan.grid_creates] == [
        ("2栋", "高塘岭街道/月坡社区/金桥小区"),
        ("银湖花园", "高塘岭街道/月坡社区"),
        ("1栋", "高塘岭街道/月坡社区/银湖花园"),
        ("2栋", "高塘岭街道/月坡社区/银湖花园"),
        ("第一党支部片区", "高塘岭街道/铺井村"),
        ("一组", "高塘岭街道/铺井村/第一党支部片区"),
    ]
    assert "网格 新增 6" in page and "网格人员 新增 5" in page
    for code in ("4301120010010102", "43011200100102", "4301120010010201", "4301120010010202"):
        assert code in page
    assert "43011200100201" in page and "4301120010020101" in page
    assert "确认导入" in page
    assert "未使用的列：备注" in page
    assert "“合计”" in page and "已跳过" in page
    assert "已沿用上一行的名称" in page  # merged path cells, the note every importer gives
    assert "上级网格编码 + 顺序号" in page
    assert not Grid.objects.filter(name="银湖花园").exists()  # the preview writes nothing

    assert client.post(preview).status_code == 302
    yinhu = Grid.objects.get(name="银湖花园")
    assert (yinhu.code, yinhu.level, yinhu.parent, yinhu.street) == (
        "43011200100102",
        GridLevel.LEVEL3,
        district["yuepo"],
        district["street"],
    )
    assert list(yinhu.children.order_by("code").values_list("code", "name")) == [
        ("4301120010010201", "1栋"),
        ("4301120010010202", "2栋"),
    ]
    assert Grid.objects.get(name="一组").code == "4301120010020101"
    # 网格员 on the building, 网格长 on the level-3 grid, each person once however many rows list them.
    assert set(GridStaff.objects.filter(grid__parent=yinhu).values_list("grid__name", "name", "role")) == {
        ("1栋", "刘洋", "worker"),
        ("2栋", "刘洋", "worker"),
    }
    assert list(yinhu.staff.values_list("name", "phone", "role")) == [("陈静", "13800000010", "head")]
    assert GridStaff.objects.filter(name="李强").count() == 1
    assert GridStaff.objects.get(name="周杰").grid.name == "一组"


def test_importing_the_same_roster_again_changes_nothing_and_offers_no_confirm(client_for, district):
    client = client_for("center")
    data = street_roster(STREET_ROWS)
    client.post(upload(client, data))
    grids, staff = Grid.objects.count(), GridStaff.objects.count()

    response = client.get(upload(client, data))
    page = page_text(response)
    plan = response.context["plan"]
    assert (len(plan.grid_creates), len(plan.grid_updates)) == (0, 0)
    assert (len(plan.staff_creates), len(plan.staff_updates)) == (0, 0)
    assert plan.grid_unchanged == 11 and plan.staff_unchanged == 7
    assert "确认导入" not in page and "没有需要导入的内容" in page
    assert (Grid.objects.count(), GridStaff.objects.count()) == (grids, staff)


def test_a_new_phone_is_an_update_and_a_person_off_duty_is_put_back(users, district):
    GridStaff.objects.filter(name="李强").update(ended_on=dt.date(2022, 1, 1))
    rows = [["高塘岭街道", "月坡社区", "金桥小区", "1栋", "王芳", "13900000001", "李强", "13800000009", None]]
    plan = build_roster_plan(street_roster(rows))
    assert plan.ok, [str(e) for e in plan.errors]
    changes = {r.name: r.changes for r in plan.staff_updates}
    assert changes == {"王芳": {"phone": ("13800000001", "13900000001")}, "李强": {"active": (False, True)}}
    assert not plan.grid_creates and plan.grid_unchanged == 4

    services.import_roster(user=users["center"], data=street_roster(rows))
    assert GridStaff.objects.get(name="王芳").phone == "13900000001"
    # Back in post is a new post from today; the ended one stays as history.
    posts = GridStaff.objects.filter(name="李强").order_by("started_on")
    assert [(p.ended_on, p.is_serving) for p in posts] == [(dt.date(2022, 1, 1), False), (None, True)]
    assert posts[1].started_on == timezone.localdate()


def test_codes_follow_the_highest_sequence_and_skip_codes_held_elsewhere(users, district):
    # A hand-typed code under 金桥小区 is passed over; 4301120010010102 is already held by another grid.
    Level4Factory(parent=district["jinqiao"], name="3栋", code="JQ-3")
    Level4Factory(
        parent=Level3Factory(parent=district["pujing"], code="43011200200101"), code="4301120010010102"
    )
    rows = [
        ["高塘岭街道", "月坡社区", "金桥小区", "5栋", "甲", "13800000005", None, None, None],
        ["高塘岭街道", "月坡社区", "金桥小区", "6栋", "乙", "13800000006", None, None, None],
    ]
    plan = build_roster_plan(street_roster(rows))
    assert [r.code for r in plan.grid_creates] == ["4301120010010103", "4301120010010104"]


def test_a_new_community_needs_its_kind_and_gets_a_street_code(users, district):
    headers = ["街镇", "村（社区）", "村（社区）类型", "三级网格", "四级网格", "网格员", "联系电话"]
    rows = [
        ["高塘岭街道", "新桥村", "农村", "第一党支部片区", "一组", "甲", "13800000005"],
        ["高塘岭街道", "新桥村", None, "第一党支部片区", "二组", "乙", "13800000006"],
        ["高塘岭街道", "新星社区", None, "星光小区", "1栋", "丙", "13800000007"],
    ]
    plan = build_roster_plan(street_roster(rows, headers=headers, groups=()))
    assert [str(e) for e in plan.errors] == [
        "Sheet1 第6行「村（社区）」：高塘岭街道下找不到二级网格（村/社区）“新星社区”。"
        "新的村（社区）须在“村（社区）类型”列填写城市社区或农村村（社区）。"
    ]
    plan = build_roster_plan(street_roster(rows[:2], headers=headers, groups=()))
    assert [(r.code, r.name, r.kind) for r in plan.grid_creates] == [
        ("430112001003", "新桥村", "rural"),
        ("43011200100301", "第一党支部片区", ""),
        ("4301120010030101", "一组", ""),
        ("4301120010030102", "二组", ""),
    ]
    services.import_roster(user=users["center"], data=street_roster(rows[:2], headers=headers, groups=()))
    assert Grid.objects.get(name="二组").community.kind == "rural"


def test_a_type_contradicting_the_roster_is_an_error_not_a_change(district):
    headers = ["街镇", "村（社区）", "类型", "三级网格"]
    plan = build_roster_plan(
        street_roster([["高塘岭街道", "月坡社区", "农村", "金桥小区"]], headers=headers, groups=())
    )
    assert [str(e) for e in plan.errors] == [
        "Sheet1 第4行「类型」：“月坡社区”在花名册中是城市社区；村（社区）类型请在网格页面修改。"
    ]


def test_errors_name_the_row_and_column_and_nothing_is_written(users, district):
    Level3Factory(parent=district["pujing"], name="第二党支部片区", code="43011200200102")
    Level3Factory(parent=district["pujing"], name="第二党支部 片区", code="43011200200103")
    rows = [
        ["高塘岭街道", "月坡社区", "金桥小区", "9栋", "甲", "13800000005", None, None, None],
        ["不存在街道", "月坡社区", "金桥小区", "1栋", "乙", "13800000006", None, None, None],
        ["高塘岭街道", "铺井村", "第二党支部片区", "一组", "丙", "13800000007", None, None, None],
        ["高塘岭街道", "月坡社区", "金桥小区", "1栋", "丁", "1380000", None, None, None],
        ["高塘岭街道", "月坡社区", None, None, None, None, "戊", "13800000008", None],
    ]
    data = street_roster(rows, title=None, subtitle=None, footer=())
    with pytest.raises(ImportRejected) as refused:
        services.import_roster(user=users["center"], data=data)
    assert [str(e) for e in refused.value.plan.errors] == [
        "Sheet1 第4行「街道」：找不到一级网格（街镇）“不存在街道”。",
        # The sheet has no code column: the message says what a names-only sheet can do.
        "Sheet1 第5行「三级网格」：铺井村下有 2 个名为“第二党支部片区”的三级网格"
        "（编码 43011200200102、43011200200103），名称仅差空格或全角字符，按名称无法区分："
        "请先在网格页面修改其中一个的名称（或撤销重复的网格）。",
        "Sheet1 第6行「网格员联系电话」：联系电话“1380000”格式不正确（11位手机号或带区号的固定电话）。",
        "Sheet1 第7行「网格长姓名」：网格长配备在三级网格：本行只写到村（社区）“月坡社区”，请填写三级网格名称。",
    ]
    assert not Grid.objects.filter(name="9栋").exists()
    assert not GridStaff.objects.filter(name="甲").exists()


def test_the_same_person_with_two_phones_is_an_error_naming_both_rows(district):
    rows = [
        ["高塘岭街道", "月坡社区", "金桥小区", "1栋", "王芳", "13800000001", "李强", "13800000009", None],
        ["高塘岭街道", "月坡社区", "金桥小区", "2栋", "赵敏", "13800000002", "李强", "13900000009", None],
    ]
    plan = build_roster_plan(street_roster(rows))
    assert [str(e) for e in plan.errors] == [
        "Sheet1 第6行「网格长联系电话」：第5行已列出李强，联系电话却不同（13800000009）。"
    ]


def test_a_head_group_before_the_worker_group_keeps_each_column_to_its_role(district):
    headers = ["街镇", "村（社区）", "三级网格", "姓名", "电话", "四级网格", "姓名", "电话"]
    rows = [["高塘岭街道", "月坡社区", "金桥小区", "李强", "13800000009", "1栋", "王芳", "13800000001"]]
    plan = build_roster_plan(
        street_roster(rows, headers=headers, groups=[("网格长", 3, 4), ("网格员", 6, 7)])
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.staff_unchanged == 2 and not plan.has_changes


def test_a_sheet_without_a_street_column_finds_the_street_by_its_community(users, district):
    headers = ["社区", "小区/片区", "楼栋", "网格员（姓名）", "手机"]
    rows = [["月坡社区", "金桥小区", "3栋", "孙丽", "13800000011"]]
    plan = build_roster_plan(street_roster(rows, headers=headers, groups=()))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [(r.code, r.parent_label) for r in plan.grid_creates] == [
        ("4301120010010102", "高塘岭街道/月坡社区/金桥小区")
    ]
    CommunityFactory(parent=district["other"], name="月坡社区", code="430112014001")
    plan = build_roster_plan(street_roster(rows, headers=headers, groups=()))
    assert "有多个同名村（社区）（高塘岭街道/月坡社区、乔口镇/月坡社区），请增加“街镇”列" in str(
        plan.errors[0]
    )


def test_a_retired_grid_named_again_is_a_new_grid(district):
    Grid.objects.filter(pk=district["building"].pk).update(retired_on=dt.date(2022, 1, 1))
    rows = [["高塘岭街道", "月坡社区", "金桥小区", "1栋", "王芳", "13800000001", None, None, None]]
    plan = build_roster_plan(street_roster(rows))
    assert [r.code for r in plan.grid_creates] == ["4301120010010102"]
    assert [r.name for r in plan.staff_creates] == ["王芳"]


def test_the_preview_reads_the_roster_in_a_fixed_number_of_queries(district):
    def queries(count: int) -> int:
        rows = [
            ["高塘岭街道", "月坡社区", f"小区{i // 5}", f"{i}栋", f"人{i}", f"139{i:08d}", None, None, None]
            for i in range(count)
        ]
        data = street_roster(rows)
        with CaptureQueriesContext(connection) as captured:
            assert build_roster_plan(data).ok
        return len(captured)

    assert queries(3) == queries(60)


def test_the_template_layout_shows_its_unused_columns_as_notes(client_for, district):
    from tests.grids.test_importer import make_workbook

    data = make_workbook([], grid_headers=["网格编码", "网格名称", "层级", "负责人备注"])
    page = page_text(client_for("center").get(upload(client_for("center"), data)))
    assert "网格：未使用的列：负责人备注" in page


# --- hostile versions of a street roster: clear errors or a valid plan, nothing written on refusal ------

NAMED_ROSTER = Importer(
    key="roster_by_names",
    role="center",
    url=lambda ctx: "/grids/import/",
    sheets=lambda ctx: [
        (
            "Sheet1",
            ["街道", "社区", "类型", "小区/片区", "楼栋", "网格员", "联系电话", "网格长", "网格长电话"],
            [
                ["a街道", "a社区", None, "a小区", "a1栋", "张三", "13900001111", "李四", "13900002222"],
                ["a街道", "新村", "农村", "第一片区", "一组", "王五", "13900003333", None, None],
                [None, None, None, "第一片区", "二组", "王五", 13900003333, "赵六", "0731-88123456"],
            ],
        )
    ],
    plan=lambda data, ctx: build_roster_plan(data),
    apply=lambda data, ctx: services.import_roster(user=ctx["users"]["center"], data=data),
    rejected=ImportRejected,
    refused=(),
    models=(Grid, GridStaff),
    keys=("street_name", "community_name", "level3_name", "level4_name", "kind", "worker_name", "head_phone"),
    export=None,
)


@pytest.mark.slow
@fuzz(40)
@given(data=st.data())
def test_hostile_street_rosters_give_clear_errors_and_write_nothing(users, roster, data):
    ctx = {"users": users, "roster": roster}
    check_plan_then_confirm(
        NAMED_ROSTER, ctx, make_fuzz_workbook(data.draw(hostile_workbook(NAMED_ROSTER, ctx)))
    )


def test_the_valid_street_roster_of_the_fuzz_imports(users, roster):
    ctx = {"users": users, "roster": roster}
    plan = build_roster_plan(make_fuzz_workbook([(t, [h, *r]) for t, h, r in NAMED_ROSTER.sheets(ctx)]))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [r.name for r in plan.grid_creates] == ["新村", "第一片区", "一组", "二组"]
    assert [(r.name, r.role, r.grid_label.split("/")[-1]) for r in plan.staff_creates] == [
        ("张三", "worker", "a1栋"),
        ("李四", "head", "a小区"),
        ("王五", "worker", "一组"),
        ("王五", "worker", "二组"),
        ("赵六", "head", "第一片区"),
    ]


def test_the_preview_names_changed_fields_in_the_users_words():
    from grids.importers.plan import StaffRow

    row = StaffRow(5, "G1", "王芳", "worker", "13900000001", True)
    row.changes = {"phone": ("13800000001", "13900000001"), "active": (False, True)}
    assert row.shown_changes == [("联系电话", "13800000001", "13900000001"), ("在岗", "否", "是")]


# --- a village's own list: 村（居） | 党支部片区 | 村民小组, the level names the district itself uses ------------

VILLAGE_HEADERS = ["村（居）", "党支部片区", "村民小组", "网格员", "手机号码"]


@pytest.fixture
def gangpo(district):
    """港坡村 under 高塘岭街道, unique in the district, with 第一党支部片区/一组 and its 网格员."""
    village = CommunityFactory(
        parent=district["street"], name="港坡村", code="430112001011", kind=CommunityKind.RURAL
    )
    party = Level3Factory(parent=village, name="第一党支部片区", code="43011200101101")
    StaffFactory(grid=Level4Factory(parent=party, name="一组"), name="小一", phone="13900000011")
    return village


def village_list(rows, headers=VILLAGE_HEADERS) -> bytes:
    return messy_workbook(headers, rows, title="港坡村网格员名单", subtitle=None, footer=())


def test_a_village_list_by_party_branch_and_group_places_workers_on_their_groups(client_for, gangpo):
    rows = [
        ["港坡村", "第一党支部片区", "一组", "小一", "13900000011"],
        ["港坡村", "第一党支部片区", "二组", "小二", "13900000012"],
        ["港坡村", "第九党支部片区", "一组", "小三", "13900000013"],
    ]
    client = client_for("center")
    response = client.get(upload(client, village_list(rows)))
    page = page_text(response)
    plan = response.context["plan"]
    assert "未使用的列" not in page
    # No 街镇 column: the unique 港坡村 says which street it is.
    assert [(r.name, r.grid_label) for r in plan.staff_creates] == [
        ("小二", "高塘岭街道/港坡村/第一党支部片区/二组"),
        ("小三", "高塘岭街道/港坡村/第九党支部片区/一组"),
    ]
    assert plan.staff_unchanged == 1
    assert [r.name for r in plan.grid_creates] == ["二组", "第九党支部片区", "一组"]

    assert client.post(upload(client, village_list(rows))).status_code == 302
    assert GridStaff.objects.get(name="小三").grid.parent.name == "第九党支部片区"
    assert not GridStaff.objects.filter(grid=gangpo).exists()


@pytest.mark.parametrize(
    "headers",
    [
        ["乡镇（街道）", "村居", "片区", "组", "网格员", "联系电话"],
        ["乡镇", "村（社区）", "党支部服务片区", "村（居）民小组", "网格员", "联系电话"],
        ["街镇", "村（居）", "小区（片区）", "楼栋（组）", "网格员", "联系电话"],
        ["街道", "社区", "小区", "村民组", "网格员", "联系电话"],
    ],
)
def test_the_level_names_people_write_over_their_columns_are_read_as_the_grid_path(gangpo, headers):
    rows = [["高塘岭街道", "港坡村", "第一党支部片区", "一组", "小一", "13900000011"]]
    plan = build_roster_plan(village_list(rows, headers))
    assert plan.ok, [str(e) for e in plan.errors]
    assert not plan.notes
    assert (plan.grid_unchanged, plan.staff_unchanged, plan.has_changes) == (4, 1, False)


def test_a_worker_written_on_a_village_row_is_an_error_not_the_villages_own_worker(users, gangpo):
    headers = ["村（居）", "网格员", "手机号码", "网格长", "网格长电话"]
    rows = [["港坡村", "小四", "13900000014", "老王", "13900000001"]]
    with pytest.raises(ImportRejected) as refused:
        services.import_roster(user=users["center"], data=village_list(rows, headers))
    assert [str(e) for e in refused.value.plan.errors] == [
        "Sheet1 第3行「网格员」：网格员应配备在四级网格：本行只写到村（社区）“港坡村”，"
        "请填写三级网格及四级网格名称。",
        "Sheet1 第3行「网格长」：网格长配备在三级网格：本行只写到村（社区）“港坡村”，请填写三级网格名称。",
    ]
    assert not GridStaff.objects.filter(name__in=["小四", "老王"]).exists()


def test_a_new_phone_shows_in_the_preview_as_before_and_after_and_updates_are_listed_in_row_order(
    client_for, district
):
    rows = [
        ["高塘岭街道", "月坡社区", "金桥小区", "1栋", "王芳", "138 0000 1111", "李强", "13800000009", None],
        [None, None, None, "5栋", "孙丽", "13800000011", "李强", "13800000009", None],
        [None, None, "银湖花园", "1栋", "刘洋", "13800000003", "陈静", "13800000010", None],
    ]
    client = client_for("center")
    page = page_text(client.get(upload(client, street_roster(rows))))
    assert "联系电话 ：13800000001 → 13800001111" in page
    # 王芳 (row 5, an update) before 孙丽 (row 6, new) and 刘洋 (row 7, new): the file's own order.
    assert page.index("王芳 联系电话") < page.index("孙丽 新增") < page.index("刘洋 新增")


def test_a_village_and_a_community_alike_are_told_apart_by_the_full_name_or_named_as_ambiguous(district):
    CommunityFactory(parent=district["street"], name="月坡村", code="430112001005", kind=CommunityKind.RURAL)
    headers = ["街镇", "村（社区）", "三级网格", "网格长", "网格长电话"]
    rows = [
        ["高塘岭街道", "月坡社区", "金桥小区", "李强", "13800000009"],
        ["高塘岭街道", "月坡", "金桥小区", "李强", "13800000009"],
    ]
    plan = build_roster_plan(street_roster(rows, headers=headers, groups=()))
    assert [str(e) for e in plan.errors] == [
        "Sheet1 第5行「村（社区）」：高塘岭街道下有 2 个二级网格（村/社区）与“月坡”相符（月坡社区、月坡村），"
        "请写出完整名称。"
    ]
    plan = build_roster_plan(street_roster(rows[:1], headers=headers, groups=()))
    assert plan.ok and plan.staff_unchanged == 1
