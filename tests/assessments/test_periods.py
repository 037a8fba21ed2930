import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from assessments.entries import RatingInput
from assessments.exceptions import AssessmentError, PeriodLocked
from assessments.models import (
    AssessmentPeriod,
    HotlineComplaint,
    Rating,
    RatingReward,
    StreetQuota,
    ZeroComplaintResult,
)
from assessments.selectors.periods import street_quota_table
from assessments.services import periods as services
from assessments.services.ratings import save_ratings
from grids.models import Grid


def rate_all(user, period, rating=Rating.QUALIFIED):
    grids = Grid.objects.active().staffable().order_by("code")
    save_ratings(user=user, period=period, entries=[RatingInput(g.pk, rating) for g in grids])


def complaint(community, day, *, valid=True, no=None):
    at = dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)
    return HotlineComplaint.objects.create(
        ticket_no=no or f"T{day:%m%d}-{HotlineComplaint.objects.count()}",
        received_at=at,
        received_on=day,
        street_id=community.street_id if community else None,
        community=community,
        is_valid=valid,
        invalid_reason="" if valid else "重复",
    )


def test_ensure_year_creates_quarters_and_rules_once(year):
    assert [(p.quarter, p.starts_on, p.ends_on) for p in year.periods.order_by("quarter")] == [
        (1, dt.date(2022, 1, 1), dt.date(2022, 3, 31)),
        (2, dt.date(2022, 4, 1), dt.date(2022, 6, 30)),
        (3, dt.date(2022, 7, 1), dt.date(2022, 9, 30)),
        (4, dt.date(2022, 10, 1), dt.date(2022, 12, 31)),
    ]
    assert RatingReward.objects.filter(year=year).count() == 8
    services.ensure_year(year=2022)
    assert AssessmentPeriod.objects.count() == 4 and RatingReward.objects.count() == 8


def test_lock_refuses_until_every_grid_is_rated_and_every_complaint_matched(users, roster, q1):
    complaint(None, dt.date(2022, 2, 1))
    with pytest.raises(AssessmentError) as excinfo:
        services.lock_period(user=users["center"], period=q1)
    assert "还有 6 个三、四级网格未评定" in str(excinfo.value)
    assert "还有 1 条计入投诉的 12345 工单未匹配到村（社区）" in str(excinfo.value)
    q1.refresh_from_db()
    assert not q1.is_locked


def test_lock_freezes_zero_complaint_results(users, roster, q1):
    rate_all(users["center"], q1)
    complaint(roster["a"]["community"], dt.date(2022, 3, 31))
    complaint(roster["b"]["community"], dt.date(2022, 2, 2), valid=False)
    complaint(roster["b"]["community"], dt.date(2022, 4, 1))  # next quarter
    services.lock_period(user=users["center"], period=q1)
    results = {
        r.community.name: (r.complaints, r.is_zero, r.kind)
        for r in ZeroComplaintResult.objects.filter(period=q1)
    }
    assert results == {"a社区": (1, False, "urban"), "b社区": (0, True, "urban")}
    q1.refresh_from_db()
    assert q1.is_locked and q1.locked_by == users["center"]


def test_locked_quarter_is_read_only(users, roster, q1):
    rate_all(users["center"], q1)
    services.lock_period(user=users["center"], period=q1)
    with pytest.raises(PeriodLocked, match="已锁定"):
        rate_all(users["center"], q1, Rating.BASIC)
    with pytest.raises(AssessmentError, match="已锁定"):
        services.lock_period(user=users["center"], period=q1)


def test_only_center_staff_lock_and_only_administrators_unlock_with_a_reason(users, roster, q1):
    rate_all(users["center"], q1)
    for role in ("street", "finance", "leader"):
        with pytest.raises(PermissionDenied):
            services.lock_period(user=users[role], period=q1)
    services.lock_period(user=users["center"], period=q1)
    with pytest.raises(PermissionDenied):
        services.unlock_period(user=users["center"], period=q1, reason="改错")
    with pytest.raises(AssessmentError, match="必须填写理由"):
        services.unlock_period(user=users["admin"], period=q1, reason="  ")
    services.unlock_period(user=users["admin"], period=q1, reason="高塘岭街道评定有误")
    latest = q1.history.latest()
    assert latest.history_change_reason == "解锁：高塘岭街道评定有误"
    assert latest.history_user == users["admin"] and latest.status == "open"


def test_street_quota_split_must_sum_to_the_total(users, roster, year):
    streets = {roster["a"]["street"].pk: 200, roster["b"]["street"].pk: 100}
    with pytest.raises(AssessmentError, match="合计 300 个，应等于全区名额 355 个"):
        services.save_street_quotas(user=users["center"], settings=year, level=3, quotas=streets)
    proposal = services.propose_street_quotas(year, 3)
    assert sum(proposal.values()) == 355 and set(proposal) == set(streets)
    services.save_street_quotas(user=users["center"], settings=year, level=3, quotas=proposal)
    assert year.street_quotas.filter(level=3).count() == 2
    with pytest.raises(PermissionDenied):
        services.save_street_quotas(user=users["street"], settings=year, level=3, quotas=proposal)


def test_settings_cannot_change_once_a_quarter_is_locked(users, roster, year, q1):
    rate_all(users["center"], q1)
    services.lock_period(user=users["center"], period=q1)
    with pytest.raises(AssessmentError, match="已有锁定的季度"):
        services.update_year_settings(
            user=users["center"],
            settings=year,
            level3_quota=1,
            level4_quota=1,
            zero_urban=0,
            zero_rural=0,
            rating_rewards={},
        )


def test_the_unlock_reason_is_checked_by_the_browser_before_the_confirmation(client_for, locked_q1):
    page = client_for("admin").get(f"/assessments/periods/{locked_q1.pk}/").content.decode()
    form = page[page.index(f'action="/assessments/periods/{locked_q1.pk}/unlock/"') :]
    form = form[: form.index("</form>")]
    # static/js/app.js asks data-confirm only once the form's own checks pass: the reason must be required.
    assert 'name="reason"' in form and "required" in form[form.index('name="reason"') :].split(">")[0]
    assert "data-confirm=" in form and "novalidate" not in form


def test_huge_quotas_are_refused_by_the_form(client_for, year):
    form = {
        f"reward_{lv}_{r}": "1" for lv in (3, 4) for r in ("excellent", "qualified", "basic", "unqualified")
    }
    form |= {"level3_quota": "3000000000", "level4_quota": "757", "zero_urban": "5000", "zero_rural": "3000"}
    response = client_for("center").post("/assessments/settings/2022/", form)
    assert response.status_code == 200 and "100000" in response.content.decode()
    year.refresh_from_db()
    assert year.level3_excellent_quota == 355


def test_quotas_cannot_go_below_what_is_rated(users, roster, year, q1):
    level4 = roster["a"]["level4"]
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.EXCELLENT) for g in level4]
    )
    with pytest.raises(AssessmentError, match="已评定 2 个优秀，全区名额不能少于 2 个"):
        services.update_year_settings(
            user=users["center"],
            settings=year,
            level3_quota=355,
            level4_quota=1,
            zero_urban=year.zero_complaint_reward_urban,
            zero_rural=year.zero_complaint_reward_rural,
            rating_rewards={},
        )
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    with pytest.raises(AssessmentError, match="a街道在2022年第1季度已评定 2 个优秀"):
        services.save_street_quotas(user=users["center"], settings=year, level=4, quotas={a: 1, b: 756})


def test_changes_to_rules_and_quota_split_are_kept_with_their_author(users, roster, year):
    rewards = {(3, "excellent"): year.rating_rewards.get(level=3, rating="excellent").amount + 1}
    services.update_year_settings(
        user=users["center"],
        settings=year,
        level3_quota=355,
        level4_quota=757,
        zero_urban=year.zero_complaint_reward_urban,
        zero_rural=year.zero_complaint_reward_rural,
        rating_rewards=rewards,
    )
    reward = RatingReward.objects.get(year=year, level=3, rating="excellent")
    assert reward.history.latest().history_user == users["center"] and str(reward.amount) == "601.00"
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    services.save_street_quotas(user=users["center"], settings=year, level=3, quotas={a: 100, b: 255})
    services.save_street_quotas(user=users["center"], settings=year, level=3, quotas={})
    history = StreetQuota.history.filter(street_id=a).order_by("history_date")
    assert [(h.history_type, h.quota, h.history_user) for h in history] == [
        ("+", 100, users["center"]),
        ("-", 100, users["center"]),
    ]


def test_the_quota_table_shows_each_level_split_and_a_street_admin_only_its_own_share(users, roster, year):
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    services.save_street_quotas(user=users["center"], settings=year, level=4, quotas={b: 700, a: 57})
    level3, level4 = street_quota_table(users["center"], year)
    assert (level3["label"], level3["quotas"], level3["total"]) == ("三级网格", [], 355)
    assert (level4["level"], level4["quotas"], level4["total"]) == (4, [("a街道", 57), ("b街道", 700)], 757)
    assert [q["quotas"] for q in street_quota_table(users["street"], year)] == [[], [("a街道", 57)]]
