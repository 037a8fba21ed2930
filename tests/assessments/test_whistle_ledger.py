"""A 哨单 ledger as streets keep it: grids by name, everyday statuses, 报到部门, no 问题类别, times in any form."""

import datetime as dt

import pytest

from assessments.exceptions import ImportRejected
from assessments.importers.whistle import build_ticket_plan
from assessments.models import TicketStatus, WhistleTicket
from assessments.services import whistle as services
from core.import_plan import parse_datetime
from tests.assessments.helpers import merged_down, preview_page
from tests.workbooks import messy_workbook

# 所在网格 merged over 街道 | 社区 | 网格（小区/片区） | 楼栋; the times of each step merged under 办理时间.
LEDGER_HEADERS = [
    "哨单号",
    "吹哨人",
    "发现时间",
    "街道",
    "社区",
    "网格（小区/片区）",
    "楼栋",
    "事件描述",
    "报到部门",
    "办理状态",
    "吹哨时间",
    "报到时间",
    "办结时间",
    "联系电话",
]
GROUPS = [("所在网格", 3, 6), ("办理时间", 10, 12)]


def ledger(rows, **options) -> bytes:
    return messy_workbook(
        LEDGER_HEADERS, rows, title="a街道“雷锋哨”哨单台账（2022年2月）", groups=GROUPS, **options
    )


def entry(number, collected, place, status, *, department=None, times=(), description="楼道堆物", phone=None):
    """A ledger row: place is (街道, 社区, 网格（小区/片区）, 楼栋); times the 吹哨, 报到, 办结 cells."""
    stamps = [*times, None, None, None][:3]
    return [number, "张三", collected, *place, description, department, status, *stamps, phone]


A1 = ("a街道", "a社区", "a小区", "a1栋")
LEDGER_ROWS = [
    # 待吹哨: collected only; the time as a platform exports it, with fractions of a second.
    entry("LF-001", "2022-02-01 09:12:33.0", A1, "待吹哨", phone="13900001111"),
    # 待报到: whistled; ISO times with a T.
    entry(
        "LF-002",
        "2022-02-01T10:00:00",
        ("a街道", "a社区", "a小区", None),
        "待报到",
        department="区城管局",
        times=["2022-02-01T11:30:00"],
    ),
    # 处理中: reported in; times as digits only and in Chinese; names with their suffixes.
    entry(
        "LF-003",
        "20220202083000",
        ("a街道办事处", "a社区居委会", "a小区", "a2栋"),
        "处理中",
        department="区住建局",
        times=["2022年2月2日 9时05分", "2022年2月2日 14时30分"],
    ),
    # 办结: closed; real Excel datetimes; the community itself.
    entry(
        "LF-004",
        dt.datetime(2022, 2, 3, 8),
        ("a街道", "a社区", None, None),
        "办结",
        department="区市场监管局",
        times=[dt.datetime(2022, 2, 3, 9), dt.datetime(2022, 2, 3, 10), dt.datetime(2022, 2, 4, 17)],
    ),
]


def test_a_streets_ledger_goes_through_preview_and_confirm(client_for, roster):
    client = client_for("street")
    preview, page = preview_page(client, "/assessments/tickets/import/", ledger(LEDGER_ROWS), "哨单台账.xlsx")
    assert "正在导入…" in page  # the confirm button
    assert "a街道/a社区/a小区/a2栋" in page and "区住建局" in page
    assert "未使用的列：联系电话。" in page
    assert "是合计、签名或日期等表尾行，已跳过。" in page
    assert client.post(preview).status_code == 302

    tickets = {t.number: t for t in WhistleTicket.objects.all()}
    a = roster["a"]
    assert {n: (t.grid_id, t.status, t.department, t.category) for n, t in tickets.items()} == {
        "LF-001": (a["level4"][0].pk, TicketStatus.COLLECTED, "", ""),
        "LF-002": (a["level3"].pk, TicketStatus.WHISTLED, "区城管局", ""),
        "LF-003": (a["level4"][1].pk, TicketStatus.PROCESSING, "区住建局", ""),
        "LF-004": (a["community"].pk, TicketStatus.CLOSED, "区市场监管局", ""),
    }
    assert tickets["LF-001"].collected_at == parse_datetime("2022-02-01 09:12:33")
    assert tickets["LF-003"].collected_at == parse_datetime("2022-02-02 08:30")
    assert tickets["LF-003"].reported_at == parse_datetime("2022-02-02 14:30")
    assert tickets["LF-004"].closed_at == parse_datetime("2022-02-04 17:00")
    assert all(t.street_id == a["street"].pk for t in tickets.values())


def test_a_ticket_without_category_shows_a_dash_on_its_page(client_for, users, roster):
    services.import_tickets(user=users["street"], data=ledger(LEDGER_ROWS[:1]))
    ticket = WhistleTicket.objects.get()
    page = client_for("street").get(f"/assessments/tickets/{ticket.pk}/").content.decode()
    assert '<dd class="col-8">—</dd>' in page


def test_a_ledger_without_category_keeps_the_category_of_a_known_ticket(users, roster):
    services.create_ticket(
        user=users["street"],
        number="LF-001",
        grid=roster["a"]["level4"][0],
        reporter="张三",
        collected_at=parse_datetime("2022-02-01 09:12:33"),
        category="环境卫生",
        description="楼道堆物",
        department="区城管局",
    )
    row = entry(
        "LF-001", "2022-02-01 09:12:33", A1, "已派发", department="区城管局", times=["2022-02-01 10:00"]
    )
    plan = services.import_tickets(user=users["street"], data=ledger([row]))
    assert (len(plan.creates), len(plan.updates)) == (0, 1)
    ticket = WhistleTicket.objects.get()
    assert (ticket.status, ticket.category, ticket.department) == (
        TicketStatus.WHISTLED,
        "环境卫生",
        "区城管局",
    )


def test_a_street_admins_ledger_naming_another_street_is_refused_for_that_row(users, roster):
    other = entry("LF-009", "2022-02-01 09:00", ("b街道", "b社区", "b小区", None), "新建")
    data = ledger([LEDGER_ROWS[0], other])
    with pytest.raises(ImportRejected) as excinfo:
        services.import_tickets(user=users["street"], data=data)
    assert [str(e) for e in excinfo.value.plan.errors] == [
        "Sheet1 第6行「街道」：网格“b街道/b社区/b小区”不在您的街镇。"
    ]
    assert not WhistleTicket.objects.exists()


def test_a_ledger_row_naming_only_a_street_or_a_missing_place_is_named(users, roster):
    rows = [
        ["LF-010", "张三", "2022-02-01 09:00", "a街道", None, None, None, "x", None, "已采集"] + [None] * 4,
        ["LF-011", "张三", "2022-02-01 09:00", "a街道", "无此社区", None, None, "x", None, "已采集"]
        + [None] * 4,
        ["LF-012", "张三", "2022-02-01 09:00", "a街道", "a社区", None, None, "x", None, "已处理"]
        + [None] * 4,
    ]
    assert [str(e) for e in build_ticket_plan(ledger(rows, footer=())).errors] == [
        "Sheet1 第5行「街道」：“a街道”是街镇：哨单应登记到村（社区）或三、四级网格。",
        "Sheet1 第6行「社区」：a街道下找不到二级网格（村/社区）“无此社区”。",
        "Sheet1 第7行「办理状态」：未知状态“已处理”，应为 已采集（待吹哨）、已吹哨（待报到、已派发）、"
        "已报到/处置中（处理中、办理中）或 已办结（办结、已完成、已结案）。",
    ]


def test_the_missing_column_message_names_both_ways_to_name_a_grid(users, roster):
    data = messy_workbook(["哨单编号", "采集人", "采集时间", "社区"], [["X1", "张三", "2022-02-01", "a社区"]])
    assert [str(e) for e in build_ticket_plan(data).errors] == [
        "Sheet1 第3行：缺少必需的列：网格编码，或 街镇/村（社区）/三级网格（/四级网格）。"
    ]
    # A street admin's own ledger may leave the street out.
    plan = build_ticket_plan(data, street_id=roster["a"]["street"].pk)
    assert plan.ok and plan.creates[0].values["grid_id"] == roster["a"]["community"].pk


def test_a_street_merged_over_the_whole_ledger_is_read_on_every_row(users, roster):
    plan = build_ticket_plan(merged_down(ledger(LEDGER_ROWS), "E5:E8"))  # 街道, over the four tickets
    assert plan.ok, [str(e) for e in plan.errors]
    assert {row.values["street_id"] for row in plan.creates} == {roster["a"]["street"].pk}
    assert (
        "3 行的街镇、村（社区）或三级网格为空（合并单元格），已沿用上一行的名称：第6、7、8行。" in plan.notes
    )


# A ledger keeping only when a problem was found and when it was closed, as many streets do.
SHORT_HEADERS = [
    "哨单号",
    "发现时间",
    "所属街道",
    "所属社区",
    "三级网格",
    "四级网格",
    "网格员",
    "报到部门",
    "办理状态",
]


def short_ledger(rows, headers=(*SHORT_HEADERS, "办结时间")) -> bytes:
    return messy_workbook(list(headers), rows, title="望城区“雷锋哨”哨单台账（2022年1-3月）", subtitle=None)


def short_row(number, status, closed=None, found="2022-02-01 08:30"):
    return [number, found, "a街道", "a社区", "a小区", "a1栋", "张三", "区城管局", status, closed]


def test_a_ledger_without_whistle_and_report_columns_takes_each_step_at_the_step_before(users, roster):
    rows = [
        short_row("LF-1", "办结", "2022-02-02 17:00"),
        short_row("LF-2", "处理中"),
        short_row("LF-3", "待报到"),
        short_row("LF-4", "待吹哨"),
        short_row("LF-5", "已反馈", "2022-02-03"),
    ]
    plan = services.import_tickets(user=users["center"], data=short_ledger(rows))
    found = parse_datetime("2022-02-01 08:30")
    tickets = {t.number: t for t in WhistleTicket.objects.all()}
    assert {n: (t.status, t.whistled_at, t.reported_at, t.closed_at) for n, t in tickets.items()} == {
        "LF-1": (TicketStatus.CLOSED, found, found, parse_datetime("2022-02-02 17:00")),
        "LF-2": (TicketStatus.PROCESSING, found, found, None),
        "LF-3": (TicketStatus.WHISTLED, found, None, None),
        "LF-4": (TicketStatus.COLLECTED, None, None, None),
        "LF-5": (TicketStatus.CLOSED, found, found, parse_datetime("2022-02-03")),
    }
    assert "文件中没有“吹哨时间”“报到时间”列：4 条哨单的这两步按上一步时间记录。" in plan.notes


def test_a_ledger_without_report_column_takes_the_report_at_the_whistle(users, roster):
    headers = [*SHORT_HEADERS, "吹哨时间", "办结时间"]
    rows = [[*short_row("LF-1", "办结")[:9], "2022-02-01 10:00", "2022-02-02 17:00"]]
    plan = build_ticket_plan(short_ledger(rows, headers))
    assert plan.ok, [str(e) for e in plan.errors]
    stamps = plan.creates[0].values
    assert stamps["reported_at"] == stamps["whistled_at"] == parse_datetime("2022-02-01 10:00")
    assert "文件中没有“报到时间”列：1 条哨单的这一步按上一步时间记录。" in plan.notes


def test_a_closed_ticket_without_its_closing_time_stays_an_error(users, roster):
    rows = [short_row("LF-1", "办结"), short_row("LF-2", "处理中")]
    assert [str(e) for e in build_ticket_plan(short_ledger(rows)).errors] == [
        "Sheet1 第3行「办结时间」：办结时间不能为空。"
    ]
    # Nor is a closing time invented where the ledger has no such column.
    rows = [short_row("LF-1", "办结")[:9]]
    assert [str(e) for e in build_ticket_plan(short_ledger(rows, SHORT_HEADERS)).errors] == [
        "Sheet1 第3行「办结时间」：文件中没有“办结时间”列，状态为“已办结”的哨单须填写办结时间。"
    ]


def test_a_blank_whistle_time_in_a_ledger_that_has_the_column_stays_an_error(users, roster):
    headers = [*SHORT_HEADERS, "吹哨时间", "报到时间", "办结时间"]
    rows = [[*short_row("LF-1", "处理中")[:9], "2022-02-01 10:00", None, None]]
    assert [str(e) for e in build_ticket_plan(short_ledger(rows, headers)).errors] == [
        "Sheet1 第3行「报到时间」：报到时间不能为空。"
    ]


def test_a_known_ticket_keeps_its_recorded_steps_when_the_ledger_has_no_such_columns(users, roster):
    headers = [*SHORT_HEADERS, "吹哨时间", "报到时间", "办结时间"]
    full = [*short_row("LF-1", "处理中")[:9], "2022-02-01 10:00", "2022-02-01 12:00", None]
    services.import_tickets(user=users["center"], data=short_ledger([full], headers))
    plan = services.import_tickets(
        user=users["center"], data=short_ledger([short_row("LF-1", "办结", "2022-02-02 17:00")])
    )
    assert len(plan.updates) == 1
    ticket = WhistleTicket.objects.get()
    assert (ticket.status, ticket.whistled_at, ticket.reported_at) == (
        TicketStatus.CLOSED,
        parse_datetime("2022-02-01 10:00"),
        parse_datetime("2022-02-01 12:00"),
    )
    assert not any("按上一步时间记录" in note for note in plan.notes)


def test_a_step_dated_before_the_one_it_follows_is_named_at_its_own_column(users, roster):
    rows = [short_row("LF-9", "办结", "2022-01-10 10:00", found="2022-01-14 11:00")]
    assert [str(e) for e in build_ticket_plan(short_ledger(rows)).errors] == [
        "Sheet1 第3行「办结时间」：办结时间早于发现时间：采集、吹哨、报到、办结时间必须依次不早于前一步。"
    ]


def test_only_rows_written_are_counted_in_the_stepped_over_note(users, roster):
    b = roster["b"]
    WhistleTicket.objects.create(
        number="LF-2",
        grid=b["level4"][0],
        street=b["street"],
        reporter="李四",
        collected_at=parse_datetime("2022-02-01 08:30"),
    )
    rows = [short_row("LF-1", "处理中"), short_row("LF-2", "处理中")]  # LF-2 is another grid's
    plan = build_ticket_plan(short_ledger(rows))
    assert len(plan.errors) == 1 and "已登记" in str(plan.errors[0])
    assert "文件中没有“吹哨时间”“报到时间”列：1 条哨单的这两步按上一步时间记录。" in plan.notes
