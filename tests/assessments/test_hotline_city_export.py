"""A city-wide 12345 export, as the platform produces it, imported through the pages.

The export covers every district of 长沙 and every kind of call; names are written with the district
and/or street in front, with suffixes, spaces and full-width characters; times come in every form.
"""

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages

from assessments.entries import RatingInput
from assessments.models import HotlineComplaint, Rating
from assessments.services import hotline as hotline_services
from assessments.services.periods import ensure_year, lock_period, lock_problems
from assessments.services.ratings import save_ratings
from grids.models import CommunityKind, Grid
from tests.factories import CommunityFactory, StreetFactory
from tests.workbooks import messy_workbook

HEADERS = [
    "工单编号",
    "来电时间",
    "所属区县",
    "所属街镇",
    "所属社区",
    "社区编码",
    "诉求类型",
    "问题类别",
    "诉求内容",
    "办理状态",
    "是否有效",
]


def ticket(no, when, district, street, community, kind="投诉", *, code="", valid="", content="") -> list:
    return [
        no,
        when,
        district,
        street,
        community,
        code,
        kind,
        "城市管理",
        content or f"内容{no}",
        "已办结",
        valid,
    ]


@pytest.fixture
def wangcheng(db):
    """Three streets of 望城; 新华社区 exists in two of them."""
    gtl = StreetFactory(name="高塘岭街道")
    jsq = StreetFactory(name="金山桥街道")
    brp = StreetFactory(name="白箬铺镇")
    return {
        "月坡": CommunityFactory(parent=gtl, name="月坡社区", kind=CommunityKind.URBAN),
        "高塘岭新华": CommunityFactory(parent=gtl, name="新华社区", kind=CommunityKind.URBAN),
        "铺井": CommunityFactory(parent=jsq, name="铺井村", kind=CommunityKind.RURAL),
        "金山桥新华": CommunityFactory(parent=jsq, name="新华社区", kind=CommunityKind.URBAN),
        "光明": CommunityFactory(parent=brp, name="光明村", kind=CommunityKind.RURAL),
    }


def rate_all(user, period) -> None:
    grids = Grid.objects.active(on=period.ends_on).staffable()
    save_ratings(user=user, period=period, entries=[RatingInput(g.pk, Rating.QUALIFIED) for g in grids])


@pytest.fixture
def year2023(users, wangcheng):
    """2023 with its first quarter rated and locked."""
    settings = ensure_year(year=2023)
    q1 = settings.periods.get(quarter=1)
    rate_all(users["center"], q1)
    lock_period(user=users["center"], period=q1)
    return settings


def city_rows(wangcheng) -> list[list]:
    return [
        ticket("W1", "2023-04-03 09:12:33.0", "望城区", "金山桥街道", "铺井村村民委员会"),
        ticket("W2", "2023-04-05T10:00:00", "望城区", "", "金山桥街道铺井村村民委员会"),
        ticket("W3", "20230410091233", "长沙市望城区", "高塘岭街道", "月坡社区", "咨询"),
        ticket("W4", "2023年4月12日 9时12分", "", "金山桥街道", "新华 社区", "建议"),
        ticket("W5", dt.datetime(2023, 4, 15, 8, 30), "望城区", "", "新华社区"),
        ticket("W6", 45040.5, "望城区", "白箬铺镇", "光明村", "求助"),
        ticket("W7", dt.date(2023, 5, 1), "望城区", "白箬铺镇 ", "光明\u3000村"),
        ticket(
            "W8", "2023/05/06 14:20", "望城区", "高塘岭街道", "望城区高塘岭街道新华社区居委会", valid="否"
        ),
        ticket("W9", "2023-05-07 08:00", "望城区", "高塘岭街道", "月坡社区", code=wangcheng["光明"].code),
        ticket("W10", "2023-05-08 08:00", "望城区", "高塘岭街道", "月坡社区", "表扬"),
        ticket("W11", "2023-05-09 08:00", "望城区", "高塘岭街道", "月坡社区", "举报"),
        ticket("W12", "2023-05-10 08:00", "望城区", "高塘岭街道", "新华社区", ""),
        ticket("W13", "2023-05-11 08:00", "望城区", "", "不存在村", "咨询"),
        ticket("K1", "2023-04-06 08:00", "开福区", "东风路街道", "月坡社区"),
        ticket("K2", "2023-04-07 08:00", "开福区", "", "新华社区"),
        ticket("Y1", "2023-04-08 08:00", "岳麓区", "", "铺井村"),
        ticket("C1", "2023-04-09 08:00", "长沙县", "星沙街道", "新华社区"),
        ticket("C2", "2023-04-10 08:00", "长沙县", "", "光明村", "咨询"),
        ticket("W1", "2023-04-03 09:12:33.0", "望城区", "金山桥街道", "铺井村村民委员会"),
        ticket("T3", "2023-07-02 08:00", "望城区", "高塘岭街道", "月坡社区"),
        ticket("L1", "2023-02-01 10:00", "望城区", "高塘岭街道", "月坡社区"),
        ticket("N1", "2024-01-05 10:00", "望城区", "高塘岭街道", "月坡社区"),
    ]


def city_export(rows) -> bytes:
    return messy_workbook(
        HEADERS, rows, title="长沙市12345政务服务便民热线工单明细", group=("所属区域", 2, 5)
    )


def preview_url(client, data: bytes, query: str = "") -> str:
    upload = io.BytesIO(data)
    upload.name = "长沙市12345工单导出.xlsx"
    response = client.post(f"/assessments/complaints/import/{query}", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


@pytest.fixture
def imported(client_for, wangcheng, year2023):
    """The city export previewed and confirmed from the second quarter's own import page."""
    client = client_for("center")
    q2 = year2023.periods.get(quarter=2)
    url = preview_url(client, city_export(city_rows(wangcheng)), f"?period={q2.pk}")
    page = client.get(url).content.decode()
    response = client.post(url)
    return {"client": client, "q2": q2, "preview": page, "response": response}


def test_the_preview_lists_other_districts_locked_and_unset_quarters_and_types_apart(imported):
    page = imported["preview"]
    assert "跳过其他区县的工单 5 条：开福区 2 条、长沙县 2 条、岳麓区 1 条。" in page
    assert "跳过 1 条工单：属于已锁定的2023年第1季度，不能导入。" in page
    assert "跳过 1 条工单：受理时间所在季度尚未设置，不能导入。" in page
    assert "1 条工单的受理时间在2023年第3季度，将导入到该季度。" in page
    assert "不计入 6 条（咨询 2 条、建议 1 条、求助 1 条、表扬 1 条、举报 1 条）" in page
    assert "1 条工单的诉求类型为空，按投诉计入。" in page
    assert "文件中重复列出的工单 W1（第5行与第23行）内容一致，只导入一次。" in page
    assert "未使用的列：办理状态。" in page
    # Each row with the quarter it lands in and its village named with its street.
    assert '<td class="text-nowrap">2023年第3季度</td>' in page
    assert '<td class="text-nowrap">高塘岭街道月坡社区</td>' in page
    assert "“新华社区”有多个同名单位（高塘岭街道新华社区、金山桥街道新华社区）" in page
    assert 'id="count-creates">14<' in page
    assert "确认导入" in page


def test_confirming_stores_only_this_districts_tickets_with_their_type(imported, wangcheng):
    response = imported["response"]
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "导入完成：新增工单 14 条，其中计入投诉 7 条、诉求类型不计入 6 条、标记无效 1 条；已存在跳过 0 条。"
        "未导入：其他区县 5 条（开福区 2 条、长沙县 2 条、岳麓区 1 条）；"
        "属于已锁定的2023年第1季度 1 条；受理时间所在季度尚未设置 1 条。"
    ]
    stored = {c.ticket_no: c for c in HotlineComplaint.objects.all()}
    assert sorted(stored) == sorted([f"W{i}" for i in range(1, 14)] + ["T3"])
    where = {no: c.community_id for no, c in stored.items()}
    assert where == {
        "W1": wangcheng["铺井"].pk,
        "W2": wangcheng["铺井"].pk,
        "W3": wangcheng["月坡"].pk,
        "W4": wangcheng["金山桥新华"].pk,
        "W5": None,  # 新华社区 of which street? Never guessed.
        "W6": wangcheng["光明"].pk,
        "W7": wangcheng["光明"].pk,
        "W8": wangcheng["高塘岭新华"].pk,
        "W9": wangcheng["光明"].pk,  # the code wins over the names
        "W10": wangcheng["月坡"].pk,
        "W11": wangcheng["月坡"].pk,
        "W12": wangcheng["高塘岭新华"].pk,
        "W13": None,
        "T3": wangcheng["月坡"].pk,
    }
    assert {no for no, c in stored.items() if not c.counts} == {"W3", "W4", "W6", "W10", "W11", "W13"}
    assert (stored["W3"].complaint_type, stored["W3"].category) == ("咨询", "城市管理")
    assert stored["W12"].complaint_type == "" and stored["W12"].counts
    assert stored["W1"].received_at == dt.datetime(2023, 4, 3, 1, 12, 33, tzinfo=dt.UTC)
    assert stored["W3"].received_on == dt.date(2023, 4, 10)
    assert stored["W4"].received_at == dt.datetime(2023, 4, 12, 1, 12, tzinfo=dt.UTC)
    assert stored["W6"].received_at == dt.datetime(2023, 4, 24, 4, 0, tzinfo=dt.UTC)
    assert stored["T3"].received_on == dt.date(2023, 7, 2)
    assert not stored["W8"].is_valid


def test_the_zero_complaint_page_counts_complaints_only_and_shows_the_rest_apart(imported, wangcheng):
    client, q2 = imported["client"], imported["q2"]
    response = client.get(f"/assessments/periods/{q2.pk}/zero-complaint/")
    rows = {r.community_id: (r.complaints, r.not_counted, r.is_zero) for r in response.context["rows"]}
    assert {pk: rows[pk] for pk in (c.pk for c in wangcheng.values())} == {
        wangcheng["月坡"].pk: (0, 3, True),  # a 咨询, a 表扬 and a 举报; 开福区's 月坡社区 never lands here
        wangcheng["高塘岭新华"].pk: (1, 0, False),  # W12 without a type; W8 marked invalid
        wangcheng["铺井"].pk: (2, 0, False),
        wangcheng["金山桥新华"].pk: (0, 1, True),
        wangcheng["光明"].pk: (2, 1, False),
    }
    page = response.content.decode()
    assert "另有 5 条工单的诉求类型不是“投诉”，标记为不计入，不影响零投诉。" in page
    assert "1 条计入投诉的工单未匹配到村（社区），请先处理。" in page
    assert f"counts=false&community={wangcheng['月坡'].pk}" in page


def test_the_complaint_list_filters_and_marks_tickets_that_do_not_count(imported):
    client = imported["client"]
    response = client.get("/assessments/complaints/", {"counts": "false"})
    listed = {c.ticket_no for c in response.context["table"].data}
    assert listed == {"W3", "W4", "W6", "W10", "W11", "W13"}
    assert "不计入" in response.content.decode()
    counted = client.get("/assessments/complaints/", {"counts": "true", "year": 2023, "quarter": 2})
    assert "W1" in {c.ticket_no for c in counted.context["table"].data}


def test_only_counted_unmatched_tickets_block_locking(imported, users):
    q2 = imported["q2"]
    rate_all(users["center"], q2)
    assert lock_problems(q2) == ["还有 1 条计入投诉的 12345 工单未匹配到村（社区）。"]
    hotline_services.invalidate_complaint(
        user=users["center"],
        complaint=HotlineComplaint.objects.get(ticket_no="W5"),
        reason="无法确定所属社区",
    )
    assert lock_problems(q2) == []  # W13 is unmatched too, but a 咨询 counts for nothing
    lock_period(user=users["center"], period=q2)


def test_reimporting_the_export_adds_nothing(imported, wangcheng):
    client, q2 = imported["client"], imported["q2"]
    url = preview_url(client, city_export(city_rows(wangcheng)), f"?period={q2.pk}")
    page = client.get(url).content.decode()
    assert 'id="count-creates">0<' in page and 'id="count-unchanged">14<' in page
    assert HotlineComplaint.objects.count() == 14


def test_a_ticket_listed_twice_with_different_content_is_an_error_naming_both_rows(
    client_for, wangcheng, year2023
):
    client = client_for("center")
    rows = [
        ticket("W1", "2023-04-03 09:12:33", "望城区", "金山桥街道", "铺井村"),
        ticket("W2", "2023-04-05 10:00", "望城区", "高塘岭街道", "月坡社区"),
        ticket("W1", "2023-04-03 09:12:33", "望城区", "高塘岭街道", "月坡社区"),
        ticket("L1", "2023-02-01 10:00", "望城区", "高塘岭街道", "月坡社区"),
    ]
    url = preview_url(client, city_export(rows))
    page = client.get(url).content.decode()
    assert "工单编号“W1”在第5行和第7行重复，且所属街镇、所属社区不同，请核对后只保留一行。" in page
    assert "属于已锁定" not in page.split("工单编号“W1”")[1][:200]  # the locked row is no error
    response = client.post(url)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["导入未执行：仍有 1 处问题，未写入任何数据。"]
    assert not HotlineComplaint.objects.exists()


def test_without_a_type_column_every_row_counts_and_the_preview_says_so(client_for, wangcheng, year2023):
    client = client_for("center")
    data = messy_workbook(
        ["工单编号", "受理时间", "区县", "街道", "社区"],
        [["A1", "2023-04-03 09:00", "望城区", "高塘岭街道", "月坡社区"]],
    )
    page = client.get(preview_url(client, data)).content.decode()
    assert "文件中没有“诉求类型”列：所有工单都按投诉计入零投诉统计。" in page
    client.post(preview_url(client, data))
    assert HotlineComplaint.objects.get().counts


# A street office's own export: other header words for the same columns, and a column nobody reads.
WORDED_HEADERS = [
    "受理单号",
    "受理时间",
    "行政区",
    "街道/乡镇",
    "社区/村",
    "诉求类型",
    "反映内容",
    "联系电话",
]


def test_an_export_with_other_header_words_is_read_column_by_column(wangcheng):
    from assessments.importers.hotline import build_complaint_plan

    rows = [
        ["D1", "2023-04-03 09:00", "望城区", "金山桥街道", "铺井村", "投诉", "路灯不亮", "139"],
        ["D2", "2023-04-04 09:00", "望城区", "高塘岭街道", "月坡社区", "投诉", "噪音", "138"],
    ]
    plan = build_complaint_plan(messy_workbook(WORDED_HEADERS, rows))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [(r.ticket_no, r.community_id, r.content) for r in plan.creates] == [
        ("D1", wangcheng["铺井"].pk, "路灯不亮"),
        ("D2", wangcheng["月坡"].pk, "噪音"),
    ]
    assert "未使用的列：联系电话。" in plan.notes


@pytest.mark.parametrize(
    ("street", "community", "content"),
    [("乡镇", "村", "诉求详情"), ("乡镇（街道）", "村居", "来电内容"), ("街乡镇", "社区/村", "反映内容")],
)
def test_the_usual_street_village_and_content_headers_are_read(wangcheng, street, community, content):
    from assessments.importers.hotline import build_complaint_plan

    headers = ["单号", "受理时间", street, community, content]
    plan = build_complaint_plan(messy_workbook(headers, [["D1", "2023-04-03", "金山桥街道", "铺井村", "x"]]))
    assert [(r.community_id, r.content) for r in plan.creates] == [(wangcheng["铺井"].pk, "x")]
    assert not any(note.startswith("未使用的列") for note in plan.notes)


def test_a_ticket_repeated_with_a_difference_in_an_unread_column_is_an_error_not_merged(wangcheng):
    from assessments.importers.hotline import build_complaint_plan

    rows = [
        ["D1", "2023-04-03 09:00", "望城区", "金山桥街道", "铺井村", "投诉", "路灯不亮", "139"],
        ["D1", "2023-04-03 09:00", "望城区", "金山桥街道", "铺井村", "投诉", "路灯不亮", "138"],
        ["D2", "2023-04-04 09:00", "望城区", "高塘岭街道", "月坡社区", "投诉", "噪音", "138"],
        ["D2", "2023-04-04 09:00", "望城区", "高塘岭街道", "月坡社区", "投诉", "噪音", "138"],
    ]
    plan = build_complaint_plan(messy_workbook(WORDED_HEADERS, rows))
    assert [str(e) for e in plan.errors] == [
        "Sheet1 第5行「受理单号」：工单编号“D1”在第4行和第5行重复，且联系电话不同，请核对后只保留一行。"
    ]
    assert "文件中重复列出的工单 D2（第6行与第7行）内容一致，只导入一次。" in plan.notes
