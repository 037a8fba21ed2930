import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from assessments.models import GridRating, HotlineComplaint, Rating, WhistleTicket
from assessments.services import periods as period_services
from tests.assessments.helpers import rating_rows
from tests.factories import CommunityFactory, Level3Factory, Level4Factory
from tests.queries import page_queries
from tests.workbooks import table_rows

ROLES = ["center", "street", "finance", "leader", "admin"]


def pages(period):
    return [
        "/assessments/",
        f"/assessments/periods/{period.pk}/",
        f"/assessments/periods/{period.pk}/zero-complaint/",
        f"/assessments/periods/{period.pk}/zero-complaint.xlsx",
        f"/assessments/periods/{period.pk}/ratings/",
        f"/assessments/periods/{period.pk}/ratings.xlsx",
        "/assessments/settings/2022/",
        "/assessments/complaints/",
        "/assessments/tickets/",
        "/assessments/tickets/export.xlsx",
        "/assessments/tickets/statistics/",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_assessment_pages(client_for, q1, role):
    client = client_for(role)
    for url in pages(q1):
        assert client.get(url).status_code == 200, url


def test_anonymous_and_roleless_users_are_kept_out(client_for, q1):
    for url in pages(q1):
        assert client_for(None).get(url).status_code == 302, url
        assert client_for("nobody").get(url).status_code == 403, url


@pytest.mark.parametrize(
    ("role", "status"), [("center", 200), ("street", 200), ("finance", 403), ("leader", 403), ("admin", 403)]
)
def test_rating_import_is_for_raters(client_for, q1, role, status):
    assert client_for(role).get(f"/assessments/periods/{q1.pk}/ratings/import/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("center", 200), ("street", 403), ("finance", 403), ("leader", 403)]
)
def test_complaint_entry_and_import_are_for_center_staff(client_for, q1, role, status):
    assert client_for(role).get("/assessments/complaints/new/").status_code == status
    assert client_for(role).get("/assessments/complaints/import/").status_code == status


def test_street_admin_rates_its_community_and_gets_404_for_another(client_for, roster, q1):
    client = client_for("street")
    assert (
        client.get(f"/assessments/periods/{q1.pk}/ratings/{roster['b']['community'].pk}/").status_code == 404
    )
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    grids = [roster["a"]["level3"], *roster["a"]["level4"]]
    data = rating_rows(
        {grids[0]: {"rating": "qualified", "score": "88.5", "remark": "良好"}}
        | dict.fromkeys(grids[1:], "qualified")
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert GridRating.objects.filter(period=q1, rating=Rating.QUALIFIED).count() == 3
    assert str(GridRating.objects.get(grid=grids[0]).score) == "88.50"
    page = client.get(url).content.decode()
    assert "已评定 3 / 3" in page


def test_rating_page_shows_the_quota_refusal_and_keeps_the_choices(client_for, roster, year, q1):
    year.level4_excellent_quota = 1
    year.save()
    client = client_for("center")
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    level4 = roster["a"]["level4"]
    response = client.post(url, rating_rows(dict.fromkeys(level4, "excellent")), follow=True)
    page = response.content.decode()
    assert "全区四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。" in page
    assert page.count('value="excellent" autocomplete="off" checked') == 2
    assert not GridRating.objects.exists()
    # The kept choices are not shown as saved: the count and the history links say nothing was.
    assert "已评定 0 / 3" in page
    assert "/ratings/grid/" not in page


def test_read_only_roles_cannot_post_ratings(client_for, roster, q1):
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    assert (
        client_for("leader").post(url, rating_rows({roster["a"]["level3"]: "qualified"})).status_code == 403
    )
    assert not GridRating.objects.exists()


def test_lock_and_unlock_through_the_pages(client_for, roster, q1):
    center = client_for("center")
    response = center.post(f"/assessments/periods/{q1.pk}/lock/", follow=True)
    assert "还有 6 个三、四级网格未评定" in response.content.decode()
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    for key in ("a", "b"):
        url = f"/assessments/periods/{q1.pk}/ratings/{roster[key]['community'].pk}/"
        grids = [roster[key]["level3"], *roster[key]["level4"]]
        center.post(url, rating_rows(dict.fromkeys(grids, "basic")))
    center.post(f"/assessments/periods/{q1.pk}/lock/")
    q1.refresh_from_db()
    assert q1.is_locked
    assert (
        client_for("center").post(f"/assessments/periods/{q1.pk}/unlock/", {"reason": "x"}).status_code == 403
    )
    client_for("admin").post(f"/assessments/periods/{q1.pk}/unlock/", {"reason": "复核"})
    q1.refresh_from_db()
    assert not q1.is_locked
    assert "解锁：复核" in client_for("leader").get(f"/assessments/periods/{q1.pk}/").content.decode()


def test_zero_complaint_export_has_numbers_and_a_total(client_for, roster, q1):
    response = client_for("leader").get(f"/assessments/periods/{q1.pk}/zero-complaint.xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "2022年第1季度12345热线“零投诉”村（社区）评比结果"
    assert ws["A2"].value.startswith("望城区　单位：元　生成日期：")
    assert ws.page_setup.orientation == "portrait" and ws.print_title_rows == "$3:$3"
    rows = table_rows(ws)
    assert rows[0] == [
        "街镇",
        "村（社区）编码",
        "村（社区）",
        "类型",
        "有效投诉数",
        "不计入工单数",
        "零投诉",
        "奖励金额（元）",
    ]
    assert rows[-1][0] == "合计" and rows[-1][7] == 10000
    assert (
        ws.cell(row=4, column=8).number_format == "#,##0.00" and ws.cell(row=ws.max_row, column=1).font.bold
    )


def test_zero_complaint_export_counts_tickets_that_do_not_count_apart(client_for, roster, q1):
    a, b = roster["a"], roster["b"]
    for no, community, kind, counts in [
        ("Z1", a["community"], "咨询", False),
        ("Z2", a["community"], "建议", False),
        ("Z3", b["community"], "投诉", True),
        ("Z4", b["community"], "求助", False),
    ]:
        HotlineComplaint.objects.create(
            ticket_no=no,
            received_at=dt.datetime(2022, 2, 1, 2, tzinfo=dt.UTC),
            received_on=dt.date(2022, 2, 1),
            street_id=community.street_id,
            community=community,
            complaint_type=kind,
            counts=counts,
        )
    page = client_for("center").get(f"/assessments/periods/{q1.pk}/zero-complaint/")
    shown = {r.name: (r.complaints, r.not_counted) for r in page.context["rows"]}
    response = client_for("center").get(f"/assessments/periods/{q1.pk}/zero-complaint.xlsx")
    rows = table_rows(load_workbook(io.BytesIO(response.content)).active)
    assert rows[0][4:7] == ["有效投诉数", "不计入工单数", "零投诉"]
    exported = {row[2]: (row[4], row[5], row[6], row[7]) for row in rows[1:-1]}
    assert exported == {"a社区": (0, 2, "是", 5000), "b社区": (1, 1, "否", 0)}
    assert {name: values[:2] for name, values in exported.items()} == shown
    assert rows[-1] == ["合计", None, None, None, 1, 3, 1, 5000]


def test_complaint_actions_through_the_pages(client_for, roster, q1):
    complaint = HotlineComplaint.objects.create(
        ticket_no="U1",
        received_at=dt.datetime(2022, 1, 9, tzinfo=dt.UTC),
        received_on=dt.date(2022, 1, 9),
        community_text="某社区",
    )
    client = client_for("center")
    client.post(f"/assessments/complaints/{complaint.pk}/assign/", {"community": roster["a"]["community"].pk})
    client.post(f"/assessments/complaints/{complaint.pk}/invalidate/", {"reason": "重复来电"})
    complaint.refresh_from_db()
    assert complaint.community == roster["a"]["community"] and not complaint.is_valid
    page = client.get(f"/assessments/complaints/{complaint.pk}/").content.decode()
    assert "核减：重复来电" in page and "人工指定村（社区）" in page
    assert client_for("street_b").get(f"/assessments/complaints/{complaint.pk}/").status_code == 404
    assert client_for("leader").post(f"/assessments/complaints/{complaint.pk}/restore/").status_code == 403


def test_ticket_pages(client_for, roster, q1):
    client = client_for("street")
    response = client.post(
        "/assessments/tickets/new/",
        {
            "number": "S100",
            "grid_code": roster["a"]["level4"][0].code,
            "reporter": "王五",
            "collected_at": "2022-03-01T09:00",
            "category": "环境卫生",
            "description": "垃圾堆放",
        },
    )
    ticket = WhistleTicket.objects.get(number="S100")
    assert response.status_code == 302
    client.post(
        f"/assessments/tickets/{ticket.pk}/advance/", {"at": "2022-03-01T10:00", "department": "区城管局"}
    )
    ticket.refresh_from_db()
    assert ticket.status == "whistled" and ticket.department == "区城管局"
    assert client_for("street_b").get(f"/assessments/tickets/{ticket.pk}/").status_code == 404
    bad = client.post(
        "/assessments/tickets/new/",
        {
            "number": "S101",
            "grid_code": roster["b"]["level4"][0].code,
            "reporter": "x",
            "collected_at": "2022-03-01T09:00",
            "category": "x",
            "description": "x",
        },
    )
    assert "不在您的管辖范围内" in bad.content.decode()


def _grow(roster, n):
    community = roster["a"]["community"]
    for _ in range(n):
        Level4Factory(parent=Level3Factory(parent=community))
    CommunityFactory.create_batch(n // 10, parent=roster["a"]["street"])
    for i in range(n):
        WhistleTicket.objects.create(
            number=f"Q{WhistleTicket.objects.count()}-{i}",
            grid=roster["a"]["level4"][0],
            street=roster["a"]["street"],
            reporter="x",
            category="x",
            description="x",
            collected_at=dt.datetime(2022, 2, 1, tzinfo=dt.UTC),
        )


@pytest.mark.parametrize(
    "url",
    [
        "/assessments/periods/{q}/ratings/{c}/",
        "/assessments/periods/{q}/zero-complaint/",
        "/assessments/periods/{q}/ratings/?street={s}",
        "/assessments/tickets/",
        "/assessments/complaints/",
        "/assessments/tickets/statistics/",
    ],
)
def test_query_counts_are_the_same_for_10_and_100_rows(client_for, roster, q1, url):
    url = url.format(q=q1.pk, c=roster["a"]["community"].pk, s=roster["a"]["street"].pk)
    client = client_for("center")
    _grow(roster, 10)
    small = page_queries(client, url)
    _grow(roster, 90)
    assert page_queries(client, url) == small <= 16


@pytest.mark.parametrize("score", ["NaN", "inf", "-1", "100.5"])
def test_non_finite_or_out_of_range_scores_get_a_message(client_for, roster, q1, score):
    grid = roster["a"]["level3"]
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    response = client_for("center").post(
        url, rating_rows({grid: {"rating": "qualified", "score": score}}), follow=True
    )
    assert response.status_code == 200 and "得分" in response.content.decode()
    assert not GridRating.objects.exists()


def test_street_admin_sees_its_street_quota_on_the_quarter_cards(client_for, users, roster, year):
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    period_services.save_street_quotas(user=users["center"], settings=year, level=3, quotas={a: 120, b: 235})
    page = client_for("street").get("/assessments/?year=2022").content.decode()
    assert "三级 0 / 120" in page and "四级 0 / 757" in page
