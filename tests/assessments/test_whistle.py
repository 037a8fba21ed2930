import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from assessments.exceptions import AssessmentError, ImportRejected
from assessments.importers.whistle import build_ticket_plan
from assessments.models import TicketStatus, WhistleTicket
from assessments.selectors.whistle import ticket_statistics
from assessments.services import whistle as services
from core import progress
from tests.assessments.helpers import workbook

HEADERS = [
    "哨单编号",
    "网格编码",
    "采集人",
    "采集时间",
    "问题类别",
    "问题描述",
    "责任单位",
    "状态",
    "吹哨时间",
    "报到时间",
    "办结时间",
]
T0 = dt.datetime(2022, 2, 1, 9, tzinfo=dt.UTC)


def new_ticket(users, roster, number="S1", key="a"):
    return services.create_ticket(
        user=users["street"] if key == "a" else users["street_b"],
        number=number,
        grid=roster[key]["level4"][0],
        reporter="张三",
        collected_at=T0,
        category="环境卫生",
        description="楼道堆放杂物",
    )


def test_ticket_moves_through_its_lifecycle_one_stamped_step_at_a_time(users, roster):
    ticket = new_ticket(users, roster)
    with pytest.raises(AssessmentError, match="吹哨时须指定责任单位"):
        services.advance_ticket(user=users["street"], ticket=ticket, at=T0 + dt.timedelta(hours=1))
    ticket = services.advance_ticket(
        user=users["street"], ticket=ticket, at=T0 + dt.timedelta(hours=1), department="区城管局"
    )
    with pytest.raises(AssessmentError, match="不能早于上一步"):
        services.advance_ticket(user=users["street"], ticket=ticket, at=T0)
    ticket = services.advance_ticket(user=users["center"], ticket=ticket, at=T0 + dt.timedelta(hours=5))
    ticket = services.advance_ticket(user=users["center"], ticket=ticket, at=T0 + dt.timedelta(days=2))
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_at == T0 + dt.timedelta(days=2)
    with pytest.raises(AssessmentError, match="已办结"):
        services.advance_ticket(user=users["center"], ticket=ticket)
    steps = [h.history_change_reason for h in ticket.history.order_by("history_date")]
    assert steps == ["登记", "已吹哨", "已报到/处置中", "已办结"]


def test_database_refuses_inconsistent_stamps(users, roster):
    ticket = new_ticket(users, roster)
    with pytest.raises(IntegrityError), transaction.atomic():
        WhistleTicket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        WhistleTicket.objects.filter(pk=ticket.pk).update(
            status=TicketStatus.WHISTLED, whistled_at=T0 - dt.timedelta(hours=1)
        )


def test_street_admin_works_only_on_its_street(users, roster):
    other = new_ticket(users, roster, "S2", key="b")
    with pytest.raises(PermissionDenied):
        services.advance_ticket(user=users["street"], ticket=other, department="x")
    with pytest.raises(PermissionDenied):
        services.create_ticket(
            user=users["street"],
            number="S3",
            grid=roster["b"]["level3"],
            reporter="x",
            collected_at=T0,
            category="x",
            description="x",
        )
    with pytest.raises(PermissionDenied):
        services.advance_ticket(user=users["leader"], ticket=other, department="x")


def row(number, grid, status="已办结", **times):
    stamps = {
        "whistled": "2022-02-01 10:00",
        "reported": "2022-02-01 12:00",
        "closed": "2022-02-03 09:00",
        **times,
    }
    order = ["已采集", "已吹哨", "已报到/处置中", "已办结"]
    upto = order.index(status) if status in order else 3
    return [
        number,
        grid.code,
        "李四",
        "2022-02-01 09:00",
        "安全隐患",
        "电线老化",
        "区应急管理局",
        status,
        stamps["whistled"] if upto >= 1 else None,
        stamps["reported"] if upto >= 2 else None,
        stamps["closed"] if upto >= 3 else None,
    ]


def test_import_creates_then_updates_known_numbers(users, roster):
    grid = roster["a"]["level4"][1]
    data = workbook(HEADERS, [row("W1", grid, "已吹哨"), row("W2", grid, "已采集")])
    services.import_tickets(user=users["center"], data=data)
    assert WhistleTicket.objects.get(number="W1").status == TicketStatus.WHISTLED
    plan = services.import_tickets(
        user=users["center"], data=workbook(HEADERS, [row("W1", grid), row("W2", grid, "已采集")])
    )
    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (0, 1, 1)
    assert WhistleTicket.objects.get(number="W1").status == TicketStatus.CLOSED


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (lambda g: [row("W1", g, "已处理")], "第2行「状态」：未知状态“已处理”"),
        (lambda g: [row("W1", g, closed=None)], "第2行「办结时间」：办结时间不能为空。"),
        (lambda g: [[*row("W1", g, "已吹哨")[:9], "2022-02-02", None]], "状态为“已吹哨”时不应填写此时间"),
        (lambda g: [row("W1", g, closed="2022-01-01 00:00")], "必须依次不早于前一步"),
        (lambda g: [row("W1", g), row("W1", g)], "第3行「哨单编号」：哨单编号“W1”与第2行重复。"),
        (
            lambda g: [["W1", "NOPE", "李四", "2022-02-01", "x", "", "", "已采集", None, None, None]],
            "网格编码“NOPE”不存在",
        ),
    ],
)
def test_bad_ticket_rows_are_named_and_nothing_is_written(users, roster, rows, expected):
    data = workbook(HEADERS, rows(roster["a"]["level4"][0]))
    with pytest.raises(ImportRejected) as excinfo:
        services.import_tickets(user=users["center"], data=data)
    assert any(expected in str(e) for e in excinfo.value.plan.errors), [
        str(e) for e in excinfo.value.plan.errors
    ]
    assert not WhistleTicket.objects.exists()


def test_street_admin_import_is_limited_to_its_street(users, roster):
    plan = build_ticket_plan(
        workbook(HEADERS, [row("W9", roster["b"]["level4"][0])]), street_id=roster["a"]["street"].pk
    )
    assert "不在您的街镇" in str(plan.errors[0])


def test_statistics_per_street_closure_rate_and_median(users, roster, q1):
    grid = roster["a"]["level4"][0]
    rows = [row(f"W{i}", grid, closed=f"2022-02-0{2 + i} 09:00") for i in range(3)] + [
        row("W9", grid, "已报到/处置中")
    ]
    services.import_tickets(user=users["center"], data=workbook(HEADERS, rows))
    stats = ticket_statistics(users["center"], q1)
    a = next(r for r in stats["rows"] if r["street"] == roster["a"]["street"])
    assert (a["collected"], a["closed"], str(a["rate"]), str(a["median_hours"])) == (4, 3, "75.00", "48.0")
    assert stats["total"]["collected"] == 4
    assert [r["street"] for r in ticket_statistics(users["street_b"], q1)["rows"]] == [roster["b"]["street"]]


def test_a_ticket_entered_by_hand_needs_a_description_but_no_category(client_for, roster, q1):
    client = client_for("street")
    entry = {
        "number": "S200",
        "grid_code": roster["a"]["level4"][0].code,
        "reporter": "王五",
        "collected_at": "2022-03-01T09:00",
        "category": "",
        "description": "",
    }
    refused = client.post("/assessments/tickets/new/", entry)
    assert list(refused.context["form"].errors) == ["description"]
    assert not WhistleTicket.objects.exists()
    response = client.post("/assessments/tickets/new/", {**entry, "description": "楼道堆放杂物"})
    ticket = WhistleTicket.objects.get(number="S200")
    assert response["Location"] == f"/assessments/tickets/{ticket.pk}/"
    assert (ticket.category, ticket.description) == ("", "楼道堆放杂物")


def test_a_ticket_imported_without_category_or_description_is_a_valid_record(users, roster):
    rows = [["S300", roster["a"]["level4"][0].code, "张三", "2022-02-01 09:00", "", "", "", "", "", "", ""]]
    services.import_tickets(user=users["street"], data=workbook(HEADERS, rows))
    ticket = WhistleTicket.objects.get(number="S300")
    assert (ticket.category, ticket.description) == ("", "")
    ticket.full_clean()  # the admin's form, too, accepts what the import stores


def test_statistics_open_on_the_quarter_of_the_latest_ticket_not_an_empty_later_one(
    client_for, users, roster, q1
):
    from assessments.services.periods import ensure_year

    ensure_year(year=2023)  # four later quarters without a ticket
    new_ticket(users, roster)  # collected in 2022 Q1
    response = client_for("center").get("/assessments/tickets/statistics/")
    assert response.context["period"] == q1
    a = next(r for r in response.context["stats"]["rows"] if r["street"] == roster["a"]["street"])
    assert a["collected"] == 1


def test_statistics_without_tickets_open_on_the_latest_quarter_already_begun(client_for, roster, year):
    from django.utils import timezone

    from assessments.services.periods import ensure_year

    this_year = timezone.localdate().year
    ensure_year(year=this_year + 1)  # not begun: it would show only zeros
    ensure_year(year=this_year)
    today = timezone.localdate()
    response = client_for("center").get("/assessments/tickets/statistics/")
    assert response.context["period"].year.year == this_year
    assert response.context["period"].starts_on <= today <= response.context["period"].ends_on


def test_ticket_import_only_moves_tickets_forward(users, roster):
    grid = roster["a"]["level4"][0]
    services.import_tickets(user=users["center"], data=workbook(HEADERS, [row("F1", grid)]))
    with pytest.raises(ImportRejected) as excinfo:
        services.import_tickets(user=users["center"], data=workbook(HEADERS, [row("F1", grid, "已采集")]))
    assert "已是“已办结”，不能改回“已采集”" in str(excinfo.value.plan.errors[0])
    moved = row("F1", roster["a"]["level4"][1])
    with pytest.raises(ImportRejected) as excinfo:
        services.import_tickets(user=users["center"], data=workbook(HEADERS, [moved]))
    assert "网格、采集人、采集时间、问题类别不能通过导入修改" in str(excinfo.value.plan.errors[0])
    assert WhistleTicket.objects.get(number="F1").status == "closed"


def test_a_street_without_tickets_shows_no_closure_rate(client_for, q1):
    page = client_for("leader").get(f"/assessments/tickets/statistics/?period={q1.pk}").content.decode()
    assert "100.00%" not in page and "—" in page


def test_an_import_reports_the_tickets_written_new_ones_first(users, roster, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 2)
    grid = roster["a"]["level4"][1]
    known = [row("W1", grid, "已采集"), row("W2", grid, "已采集")]
    services.import_tickets(user=users["center"], data=workbook(HEADERS, known))
    rows = [row("W1", grid), row("W2", grid), *(row(f"W{n}", grid) for n in (3, 4, 5))]
    seen = []
    services.import_tickets(
        user=users["center"],
        data=workbook(HEADERS, rows),
        progress=lambda done, total, stage="": seen.append(
            (done, total, WhistleTicket.objects.filter(status=TicketStatus.CLOSED).count())
        ),
    )
    # three new tickets in chunks of two, then the two closed since
    assert seen == [(0, 5, 0), (2, 5, 2), (5, 5, 5)]


def test_the_statistics_are_kept_until_a_ticket_changes_and_per_street(
    client_for, users, roster, q1, monkeypatch
):
    from assessments.selectors import whistle as whistle_selectors

    counted = []
    compute = whistle_selectors.ticket_statistics
    monkeypatch.setattr(
        whistle_selectors, "ticket_statistics", lambda *a, **k: counted.append(1) or compute(*a, **k)
    )
    new_ticket(users, roster)
    url = f"/assessments/tickets/statistics/?period={q1.pk}"

    def collected(client) -> dict:
        rows = client.get(url).context["stats"]["rows"]
        return {r["street"].name: r["collected"] for r in rows}

    center = client_for("center")
    assert collected(center) == {"a街道": 1, "b街道": 0} and len(counted) == 1
    assert collected(center) == {"a街道": 1, "b街道": 0} and len(counted) == 1  # kept
    assert collected(client_for("street_b")) == {"b街道": 0} and len(counted) == 2  # another street's own
    services.import_tickets(
        user=users["center"], data=workbook(HEADERS, [row("W77", roster["b"]["level4"][0])])
    )
    assert collected(center) == {"a街道": 1, "b街道": 1} and len(counted) == 3
