"""The 未匹配工单 page: resolving unmatched 12345 tickets in bulk, and who is told about them."""

import datetime as dt
import html
import io
import itertools
import re

import pytest
from django.core.exceptions import PermissionDenied

from assessments.entries import RatingInput
from assessments.exceptions import AssessmentError
from assessments.models import HotlineComplaint, PeriodStatus, Rating
from assessments.selectors.periods import periods_overview
from assessments.services.hotline import invalidate_complaint
from assessments.services.ratings import save_ratings
from assessments.services.unmatched import assign_complaints, invalidate_complaints
from core.navigation import menu_for
from tests.assessments.helpers import workbook
from tests.queries import page_queries

URL = "/assessments/complaints/unmatched/"
ASSIGN = URL + "assign/"
INVALIDATE = URL + "invalidate/"
_numbers = itertools.count(1)


def ticket(*, street=None, community=None, street_text="", community_text="", content="", day=None, **extra):
    day = day or dt.date(2022, 2, 1)
    return HotlineComplaint.objects.create(
        ticket_no=extra.pop("ticket_no", None) or f"U{next(_numbers):05d}",
        received_at=dt.datetime.combine(day, dt.time(1, 30), tzinfo=dt.UTC),
        received_on=day,
        street=street,
        community=community,
        street_text=street_text,
        community_text=community_text,
        content=content,
        **extra,
    )


@pytest.fixture
def tickets(roster, q1):
    """Unmatched tickets: one with its street recognised, two with only the export's texts."""
    return {
        "known_street": ticket(
            street=roster["a"]["street"], street_text="a街道", community_text="月亮村", content="路灯不亮"
        ),
        "written": ticket(street_text="金山桥街道", community_text="铺井村村民委员会", content="噪音扰民"),
        "blank": ticket(content="垃圾清运不及时"),
    }


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _listed(response) -> set[str]:
    return {complaint.ticket_no for complaint, _locked in response.context["rows"]}


# --- services ---------------------------------------------------------------------------------------


def test_assign_complaints_assigns_every_selected_ticket_and_records_who(users, roster, tickets):
    community = roster["b"]["community"]
    selected = [tickets["written"], tickets["blank"]]
    assert assign_complaints(user=users["center"], complaints=selected, community=community) == 2
    for complaint in selected:
        complaint.refresh_from_db()
        assert (complaint.community, complaint.street) == (community, roster["b"]["street"])
        latest = complaint.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (users["center"], "人工指定村（社区）")
    assert HotlineComplaint.objects.get(pk=tickets["known_street"].pk).community is None


def test_invalidate_complaints_reduces_every_selected_ticket_with_the_one_reason(users, tickets):
    selected = list(tickets.values())
    assert invalidate_complaints(user=users["center"], complaints=selected, reason="外区工单") == 3
    for complaint in selected:
        complaint.refresh_from_db()
        assert (complaint.is_valid, complaint.invalid_reason) == (False, "外区工单")
        latest = complaint.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (users["center"], "核减：外区工单")


def test_bulk_actions_change_nothing_when_one_ticket_is_in_a_locked_quarter(users, roster, year, tickets):
    q2_ticket = ticket(community_text="x", day=dt.date(2022, 5, 2))
    year.periods.filter(quarter=1).update(status=PeriodStatus.LOCKED)
    selected = [tickets["written"], q2_ticket]
    with pytest.raises(AssessmentError, match=rf"工单 {tickets['written'].ticket_no}：2022年第1季度已锁定"):
        assign_complaints(user=users["center"], complaints=selected, community=roster["a"]["community"])
    with pytest.raises(AssessmentError, match="所选工单均未修改"):
        invalidate_complaints(user=users["center"], complaints=selected, reason="重复")
    q2_ticket.refresh_from_db()
    assert (q2_ticket.community, q2_ticket.is_valid) == (None, True)


def test_invalidate_complaints_refuses_all_when_one_is_already_reduced(users, tickets):
    invalidate_complaints(user=users["center"], complaints=[tickets["blank"]], reason="重复")
    with pytest.raises(AssessmentError, match=rf"工单 {tickets['blank'].ticket_no}：该工单已核减"):
        invalidate_complaints(user=users["center"], complaints=list(tickets.values()), reason="外区")
    assert HotlineComplaint.objects.filter(is_valid=False).count() == 1


def test_bulk_actions_need_a_reason_a_community_and_a_selection(users, roster, tickets):
    with pytest.raises(AssessmentError, match="核减必须填写理由"):
        invalidate_complaints(user=users["center"], complaints=[tickets["blank"]], reason="  ")
    with pytest.raises(AssessmentError, match="请选择一个村（社区）"):
        assign_complaints(
            user=users["center"], complaints=[tickets["blank"]], community=roster["a"]["level3"]
        )
    with pytest.raises(AssessmentError, match="请先勾选工单"):
        assign_complaints(user=users["center"], complaints=[], community=roster["a"]["community"])
    assert not HotlineComplaint.objects.filter(is_valid=False).exists()


@pytest.mark.parametrize("role", ["street", "leader", "finance", "admin"])
def test_only_district_staff_resolve_tickets_in_bulk(users, roster, tickets, role):
    with pytest.raises(PermissionDenied):
        assign_complaints(user=users[role], complaints=[], community=roster["a"]["community"])
    with pytest.raises(PermissionDenied):
        invalidate_complaints(user=users[role], complaints=[tickets["known_street"]], reason="x")
    assert not HotlineComplaint.objects.filter(is_valid=False).exists()


# --- the page ---------------------------------------------------------------------------------------


def test_page_lists_only_tickets_still_waiting_for_a_community(client_for, roster, tickets):
    ticket(street=roster["a"]["street"], community=roster["a"]["community"], ticket_no="MATCHED")
    ticket(community_text="x", is_valid=False, invalid_reason="重复", ticket_no="REDUCED")
    response = client_for("center").get(URL)
    assert response.status_code == 200
    assert _listed(response) == {t.ticket_no for t in tickets.values()}
    html = response.content.decode()
    assert "铺井村村民委员会" in html and "金山桥街道" in html and "噪音扰民" in html


@pytest.mark.parametrize("role", ["street", "street_b", "leader", "finance", "admin"])
def test_page_is_refused_to_everyone_but_district_staff(client_for, tickets, role):
    assert client_for(role).get(URL).status_code == 403
    assert client_for(role).post(ASSIGN, {"complaints": [tickets["blank"].pk]}).status_code == 403
    assert not HotlineComplaint.objects.filter(community__isnull=False).exists()


def test_anonymous_users_are_sent_to_the_login_page(client_for):
    assert client_for(None).get(URL)["Location"].startswith("/accounts/login/")


def test_street_filter_finds_a_recognised_street_or_the_exports_text(client_for, roster, tickets):
    client = client_for("center")
    by_id = client.get(URL, {"street": roster["a"]["street"].pk})
    assert _listed(by_id) == {tickets["known_street"].ticket_no}
    by_text = client.get(URL, {"street": "t:金山桥街道"})
    assert _listed(by_text) == {tickets["written"].ticket_no}
    blank = client.get(URL, {"street": "t:"})
    assert _listed(blank) == {tickets["blank"].ticket_no}
    options = by_id.content.decode()
    assert "已识别的街镇" in options and "导出表中的街镇（未识别）" in options


def test_street_filter_stays_chosen_after_its_last_ticket_is_resolved(client_for, users, roster, tickets):
    assign_complaints(
        user=users["center"],
        complaints=[tickets["written"], tickets["known_street"]],
        community=roster["a"]["community"],
    )
    client = client_for("center")
    for value in ("t:金山桥街道", str(roster["a"]["street"].pk)):
        response = client.get(URL, {"street": value})
        assert response.context["filter"].form.is_valid()
        assert _listed(response) == set()
        assert f'value="{value}" selected' in response.content.decode()


@pytest.mark.parametrize(
    ("text", "key"), [("铺井", "written"), ("路灯", "known_street"), ("U", None), ("月亮", "known_street")]
)
def test_text_filter_searches_ticket_number_community_text_and_content(client_for, tickets, text, key):
    listed = _listed(client_for("center").get(URL, {"q": text}))
    assert listed == ({tickets[key].ticket_no} if key else {t.ticket_no for t in tickets.values()})


def test_quarter_filter_keeps_the_quarters_tickets(client_for, year, tickets):
    later = ticket(community_text="y", day=dt.date(2022, 8, 1))
    q3 = year.periods.get(quarter=3)
    assert _listed(client_for("center").get(URL, {"period": q3.pk})) == {later.ticket_no}


def test_tickets_of_a_locked_quarter_are_shown_but_cannot_be_selected(client_for, year, tickets):
    year.periods.filter(quarter=1).update(status=PeriodStatus.LOCKED)
    response = client_for("center").get(URL)
    assert all(locked for _complaint, locked in response.context["rows"])
    html = response.content.decode()
    assert "季度已锁定" in html and "data-select-item" not in html


def test_assign_from_the_page_keeps_the_filters_and_says_how_many(client_for, roster, tickets):
    community = roster["a"]["community"]
    response = client_for("center").post(
        ASSIGN,
        {
            "complaints": [tickets["written"].pk, tickets["blank"].pk],
            "community": community.pk,
            "back": "q=x&street=t%3A金山桥街道&page=2&evil=1",
        },
        follow=True,
    )
    assert (
        response.redirect_chain[0][0]
        == f"{URL}?q=x&street=t%3A%E9%87%91%E5%B1%B1%E6%A1%A5%E8%A1%97%E9%81%93&page=2"
    )
    assert _messages(response) == ["已将 2 条工单指定到“a街道a社区”。"]
    assert set(HotlineComplaint.objects.filter(community=community).values_list("pk", flat=True)) == {
        tickets["written"].pk,
        tickets["blank"].pk,
    }


def test_invalidate_from_the_page_needs_a_reason(client_for, tickets):
    client = client_for("center")
    selected = [t.pk for t in tickets.values()]
    refused = client.post(INVALIDATE, {"complaints": selected, "reason": ""}, follow=True)
    assert _messages(refused) == ["核减必须填写理由。"]
    assert not HotlineComplaint.objects.filter(is_valid=False).exists()
    done = client.post(INVALIDATE, {"complaints": selected, "reason": "外区工单"}, follow=True)
    assert _messages(done) == ["已核减 3 条工单，不再计入投诉数。"]
    assert HotlineComplaint.objects.filter(is_valid=False, invalid_reason="外区工单").count() == 3
    assert _listed(done) == set()


def test_the_reduce_button_asks_for_its_reason_before_its_confirm(client_for, tickets):
    html = client_for("center").get(URL).content.decode()
    button = re.search(r'<button[^>]*formaction="[^"]*invalidate/"[^>]*>', html).group(0)
    assert 'data-requires="id_reason"' in button and 'data-requires-message="核减必须填写理由。"' in button
    assert 'id="id_reason"' in html and "js/selection.js" in html


def test_the_badge_counts_what_is_left_in_the_quarter_not_what_the_text_filter_shows(
    client_for, roster, year, tickets
):
    ticket(community_text="y", day=dt.date(2022, 8, 1))  # another quarter
    q1 = year.periods.get(quarter=1)
    client = client_for("center")
    client.post(
        ASSIGN,
        {"complaints": [tickets["known_street"].pk], "community": roster["a"]["community"].pk},
    )
    filtered = client.get(URL, {"q": "路灯", "period": q1.pk})
    assert _listed(filtered) == set()
    page = html.unescape(filtered.content.decode())
    assert re.search(r'id="waiting"[^>]*>2</span>', page)
    assert "2022年第1季度待处理，符合条件 0 条" in page
    everything = html.unescape(client.get(URL).content.decode())
    assert re.search(r'id="waiting"[^>]*>3</span>', everything) and "全部季度待处理" in everything
    assert "符合条件" not in everything


def test_page_actions_without_a_selection_or_community_are_refused(client_for, tickets):
    client = client_for("center")
    none = client.post(ASSIGN, {"community": ""}, follow=True)
    assert _messages(none) == ["请先勾选工单。 请选择一个村（社区）。"]
    assert not HotlineComplaint.objects.filter(community__isnull=False).exists()


def test_a_ticket_resolved_meanwhile_refuses_the_whole_selection(client_for, users, roster, tickets):
    assign_complaints(user=users["center"], complaints=[tickets["blank"]], community=roster["b"]["community"])
    response = client_for("center").post(
        ASSIGN,
        {
            "complaints": [tickets["written"].pk, tickets["blank"].pk],
            "community": roster["a"]["community"].pk,
        },
        follow=True,
    )
    assert _messages(response) == ["所选工单有的已被处理，请刷新页面后重新选择。"]
    assert HotlineComplaint.objects.get(pk=tickets["written"].pk).community is None
    assert HotlineComplaint.objects.get(pk=tickets["blank"].pk).community == roster["b"]["community"]


def test_community_choices_are_grouped_by_street(client_for, roster, tickets):
    html = client_for("center").get(URL).content.decode()
    assert '<optgroup label="a街道">' in html and '<optgroup label="b街道">' in html


def test_neither_action_makes_the_browser_demand_the_other_actions_field(client_for, tickets):
    html = client_for("center").get(URL).content.decode()
    start = html.index("data-selection")
    form = html[start : html.index("</form>", start)]
    assert 'name="reason"' in form and 'name="community"' in form and " required" not in form


def test_page_is_paginated_by_100(client_for, tickets):
    for _ in range(100):
        ticket(community_text="z")
    client = client_for("center")
    assert len(client.get(URL).context["rows"]) == 100
    assert len(client.get(URL, {"page": 2}).context["rows"]) == 3


def test_query_count_is_the_same_for_10_and_100_tickets(client_for, roster, q1):
    client = client_for("center")

    def grow(n):
        for i in range(n):
            street = roster["a"]["street"] if i % 2 else None
            ticket(street=street, street_text=f"街道{i % 7}", community_text=f"社区{i}")

    grow(10)
    small = page_queries(client, URL)
    grow(90)
    assert page_queries(client, URL) == small <= 14
    assert page_queries(client, f"{URL}?q=社区&street=t%3A街道0&period={q1.pk}") <= small + 1


# --- who is told about unmatched tickets -------------------------------------------------------------


def test_quarter_overview_tells_the_center_but_not_a_street_admin_of_unmatched_tickets(
    client_for, users, year, tickets
):
    ticket(community_text="x", is_valid=False, invalid_reason="重复")  # 核减'd: nothing left to do
    q1_row = periods_overview(users["center"], year)[0]
    assert q1_row["unmatched"] == 3
    assert periods_overview(users["street"], year)[0]["unmatched"] == 0
    center_page = client_for("center").get("/assessments/").content.decode()
    assert f'href="{URL}?period={q1_row["period"].pk}"' in center_page and "3 条工单未匹配" in center_page
    assert "条工单未匹配" not in client_for("street").get("/assessments/").content.decode()


def test_navigation_offers_the_page_to_center_staff_only(users):
    def labels(user):
        return {item["label"] for section in menu_for(user) for item in section["items"]}

    assert "未匹配工单" in labels(users["center"])
    assert all("未匹配工单" not in labels(users[role]) for role in ("street", "leader", "finance", "admin"))


def _rate(user, period, *streets):
    grids = [grid for street in streets for grid in (street["level3"], *street["level4"])]
    save_ratings(user=user, period=period, entries=[RatingInput(g.pk, Rating.QUALIFIED) for g in grids])


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_zero_complaint_page_tells_the_center_of_unresolved_tickets_and_leads_to_them(
    client_for, q1, tickets
):
    ticket(community_text="x", is_valid=False, invalid_reason="重复", ticket_no="REDUCED")
    ticket(community_text="y", complaint_type="咨询", counts=False, ticket_no="CONSULT")
    ticket(community_text="z", day=dt.date(2022, 5, 2), ticket_no="Q2")  # another quarter's
    client = client_for("center")
    page = _text(client.get(f"/assessments/periods/{q1.pk}/zero-complaint/"))
    assert "3 条计入投诉的工单未匹配到村（社区），请先处理。" in page
    assert f'href="{URL}?period={q1.pk}"' in page
    assert _listed(client.get(URL, {"period": q1.pk})) == {t.ticket_no for t in tickets.values()}


@pytest.mark.parametrize("role", ["street", "leader", "finance", "admin"])
def test_zero_complaint_page_tells_no_one_else_of_unmatched_tickets(client_for, q1, tickets, role):
    page = _text(client_for(role).get(f"/assessments/periods/{q1.pk}/zero-complaint/"))
    assert "未匹配" not in page and URL not in page


def test_period_page_tells_a_street_admin_only_of_its_own_unrated_grids(
    client_for, users, roster, q1, tickets
):
    _rate(users["center"], q1, roster["a"])
    own = client_for("street").get(f"/assessments/periods/{q1.pk}/")
    assert own.context["problems"] == []
    assert "您管辖范围内的三、四级网格均已评定。" in _text(own) and URL not in _text(own)
    other = client_for("street_b").get(f"/assessments/periods/{q1.pk}/")
    assert other.context["problems"] == ["还有 3 个三、四级网格未评定。"]
    center = client_for("center").get(f"/assessments/periods/{q1.pk}/")
    assert center.context["problems"] == [
        "还有 3 个三、四级网格未评定。",
        "还有 3 条计入投诉的 12345 工单未匹配到村（社区）。",
    ]
    assert f'href="{URL}?period={q1.pk}"' in _text(center)


def test_period_page_links_to_the_bulk_page_only_while_tickets_wait(client_for, users, roster, q1, tickets):
    _rate(users["center"], q1, roster["a"], roster["b"])
    invalidate_complaints(user=users["center"], complaints=list(tickets.values()), reason="外区工单")
    page = _text(client_for("center").get(f"/assessments/periods/{q1.pk}/"))
    assert "所有网格均已评定，工单均已匹配，可以锁定。" in page and f"{URL}?period=" not in page


def test_a_ticket_that_does_not_count_is_not_listed_and_does_not_block_locking(client_for, users, roster, q1):
    consult = ticket(street_text="a街道", community_text="某某村", complaint_type="咨询", counts=False)
    _rate(users["center"], q1, roster["a"], roster["b"])
    client = client_for("center")
    assert _listed(client.get(URL)) == set()
    assert client.get(f"/assessments/periods/{q1.pk}/").context["problems"] == []
    client.post(f"/assessments/periods/{q1.pk}/lock/")
    q1.refresh_from_db()
    assert q1.is_locked
    consult.refresh_from_db()
    assert (consult.community, consult.counts) == (None, False)


def test_complaint_list_offers_the_bulk_page_to_those_who_resolve(client_for, tickets):
    ticket(community_text="y", complaint_type="咨询", counts=False)
    center = _text(client_for("center").get("/assessments/complaints/"))
    assert f'id="unresolved-link" href="{URL}"' in center and "未匹配工单（3）" in center
    for role in ("street", "leader"):
        assert 'id="unresolved-link"' not in _text(client_for(role).get("/assessments/complaints/"))


IMPORT = "/assessments/complaints/import/"


def _import(client, rows, period) -> str:
    """Upload a hotline export from a quarter's page, confirm it, and return where it leads."""
    upload = io.BytesIO(workbook(["工单编号", "受理时间", "所属区县", "街道", "社区", "诉求类型"], rows))
    upload.name = "12345工单.xlsx"
    preview = client.post(f"{IMPORT}?period={period.pk}", {"file": upload})["Location"]
    return client.post(preview)["Location"]


def test_an_import_leaving_tickets_unmatched_ends_on_the_bulk_page_of_its_quarter(client_for, roster, q1):
    rows = [
        ["N1", "2022-01-05 09:30", "望城区", "a街道", "a社区", "投诉"],
        ["N2", "2022-01-06 10:00", "望城区", "a街道", "不存在村", "投诉"],
    ]
    assert _import(client_for("center"), rows, q1) == f"{URL}?period={q1.pk}"


def test_an_import_leaving_only_other_quarters_unmatched_ends_on_the_whole_bulk_page(client_for, roster, q1):
    rows = [
        ["N1", "2022-01-05 09:30", "望城区", "a街道", "a社区", "投诉"],
        ["N2", "2022-05-06 10:00", "望城区", "a街道", "不存在村", "投诉"],
    ]
    assert _import(client_for("center"), rows, q1) == URL


def test_an_import_leaving_nothing_to_resolve_ends_on_the_complaint_list(client_for, roster, q1):
    rows = [
        ["N1", "2022-01-05 09:30", "望城区", "a街道", "a社区", "投诉"],
        ["N2", "2022-01-06 10:00", "望城区", "a街道", "不存在村", "咨询"],  # unmatched, but not counted
    ]
    assert _import(client_for("center"), rows, q1) == "/assessments/complaints/"
    assert HotlineComplaint.objects.get(ticket_no="N2").community is None


@pytest.mark.parametrize("role", ["center", "street", "leader", "finance", "admin"])
def test_complaint_page_offers_the_actions_exactly_to_whom_the_service_allows(
    client_for, users, roster, role
):
    complaint = ticket(street=roster["a"]["street"], community=roster["a"]["community"])
    offered = client_for(role).get(f"/assessments/complaints/{complaint.pk}/").context["can_change"]
    try:
        invalidate_complaint(user=users[role], complaint=complaint, reason="重复来电")
    except PermissionDenied:
        allowed = False
    else:
        allowed = True
    assert offered == allowed == (role == "center")


def test_the_communities_to_assign_are_grouped_by_street(client_for, roster):
    import re

    page = client_for("center").get("/assessments/complaints/new/").content.decode()
    select = page[
        page.index('<select name="community"') : page.index("</select>", page.index('name="community"'))
    ]
    groups = re.findall(r'<optgroup label="([^"]+)">\s*<option value="(\d+)">', select)
    assert groups == [
        ("a街道", str(roster["a"]["community"].pk)),
        ("b街道", str(roster["b"]["community"].pk)),
    ]
