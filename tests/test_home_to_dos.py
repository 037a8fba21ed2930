"""The home page as each role's to-do list: what to do next, with counts and links, and nothing else's."""

import datetime as dt
from decimal import Decimal

import pytest

from assessments.entries import RatingInput
from assessments.models import HotlineComplaint
from assessments.services.ratings import save_ratings
from core.todos import to_dos_for
from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.workflow import apply_transition


def labelled(user) -> dict[str, object]:
    return {item.label: item for item in to_dos_for(user)}


def rate_all(users, roster, period):
    grids = [g for key in ("a", "b") for g in (roster[key]["level3"], *roster[key]["level4"])]
    save_ratings(user=users["center"], period=period, entries=[RatingInput(g.pk, "qualified") for g in grids])


def unmatched_ticket(on: dt.date) -> HotlineComplaint:
    return HotlineComplaint.objects.create(
        ticket_no=f"U-{on}",
        received_at=dt.datetime.combine(on, dt.time(2), tzinfo=dt.UTC),
        received_on=on,
        street_text="某某街道",
    )


def test_street_admin_is_told_its_unrated_grids_and_quota_used_in_the_quarter_being_worked_on(
    users, roster, q1
):
    save_ratings(
        user=users["street"], period=q1, entries=[RatingInput(roster["a"]["level3"].pk, "excellent")]
    )
    unmatched_ticket(dt.date(2022, 2, 3))
    items = to_dos_for(users["street"])
    assert [i.label for i in items] == ["2022年第1季度：还有 2 个网格未评定"]
    item = items[0]
    assert item.count == 2 and item.urgent and item.url == f"/assessments/periods/{q1.pk}/ratings/"
    # no split of the quota between streets: its own excellent count and the district's use of the quota
    assert item.detail.startswith("三级优秀 1 个（全区名额已用 1/")
    # street b's admin: its own three grids, none rated
    assert [i.label for i in to_dos_for(users["street_b"])] == ["2022年第1季度：还有 3 个网格未评定"]


def test_a_street_split_quota_is_shown_as_used_of_its_own(users, roster, q1):
    from assessments.models import StreetQuota

    StreetQuota.objects.create(year=q1.year, street=roster["a"]["street"], level=3, quota=2)
    save_ratings(
        user=users["street"], period=q1, entries=[RatingInput(roster["a"]["level3"].pk, "excellent")]
    )
    assert "三级优秀名额已用 1/2" in to_dos_for(users["street"])[0].detail


def test_center_is_told_which_ended_quarter_can_be_locked_and_what_stops_the_next(users, roster, year, q1):
    rate_all(users, roster, q1)
    unmatched_ticket(dt.date(2022, 5, 3))
    items = labelled(users["center"])
    ready = items["2022年第1季度已全部评定，可以锁定"]
    assert ready.urgent and ready.url == f"/assessments/periods/{q1.pk}/"
    blocked = items["2022年第2季度已结束，尚不能锁定"]
    assert (
        "还有 6 个三、四级网格未评定" in blocked.detail
        and "1 条计入投诉的 12345 工单未匹配" in blocked.detail
    )
    assert "另有2022年第3季度、2022年第4季度已结束" in blocked.detail
    tickets = items["12345 工单未匹配到村（社区）"]
    assert tickets.count == 1 and tickets.url == "/assessments/complaints/unmatched/"
    # the rest of the district's roles are told nothing about quarters
    assert not to_dos_for(users["finance"]) and not to_dos_for(users["admin"])


def test_center_is_told_to_generate_then_about_a_returned_batch(users, locked_q1):
    item = labelled(users["center"])["已锁定季度待生成拨付批次"]
    assert item.count == 1 and item.detail == "2022年第1季度"
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert "已锁定季度待生成拨付批次" not in labelled(users["center"])
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="reject", user=users["finance"], comment="金额有误")
    returned = labelled(users["center"])["拨付批次被财务退回"]
    assert returned.count == 1 and returned.urgent and returned.url == "/funds/batches/?status=rejected"


def test_finance_is_told_what_waits_for_approval_then_for_payment(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert not to_dos_for(users["finance"])
    apply_transition(batch=batch, action="submit", user=users["center"])
    item = labelled(users["finance"])["拨付批次待审核"]
    assert item.count == 1 and item.detail == f"合计 {batch.total:,.2f} 元" and item.url == "/funds/queue/"
    apply_transition(batch=batch, action="approve", user=users["finance"])
    assert list(labelled(users["finance"])) == ["已审核批次待登记拨付"]
    assert batch.total > Decimal("0")


def test_the_home_page_lists_the_to_dos_or_says_there_are_none(client_for, users, roster, q1):
    page = client_for("street").get("/").content.decode()
    assert 'id="to-dos"' in page and "2022年第1季度：还有 3 个网格未评定" in page
    assert f'href="/assessments/periods/{q1.pk}/ratings/"' in page
    page = client_for("admin").get("/").content.decode()
    assert 'id="to-dos"' in page and "暂无待办事项" in page


@pytest.mark.parametrize("role", ["street", "center", "finance"])
def test_no_to_dos_before_any_quarter_begins(users, role):
    assert to_dos_for(users[role]) == []
