"""Behaviour added after the review of the assessments app."""

import io

import pytest
from openpyxl import load_workbook

from assessments.entries import RatingInput
from assessments.exceptions import AssessmentError, ImportRejected
from assessments.importers.hotline import build_complaint_plan
from assessments.models import GridRating, Rating, RatingReward, StreetQuota, WhistleTicket
from assessments.services import periods as period_services
from assessments.services import whistle as whistle_services
from assessments.services.ratings import save_ratings
from grids.models import Grid
from tests.assessments.helpers import workbook
from tests.assessments.test_whistle import HEADERS as TICKET_HEADERS
from tests.assessments.test_whistle import row as ticket_row

HOTLINE = ["工单编号", "受理时间", "街镇", "村（社区）", "是否有效"]


def lock_q1(users, q1):
    grids = Grid.objects.active().staffable()
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.QUALIFIED) for g in grids]
    )
    period_services.lock_period(user=users["center"], period=q1)


def test_every_row_of_a_hotline_import_is_checked_against_its_own_quarter(users, roster, year, q1):
    lock_q1(users, q1)
    rows = [[f"N{i}", f"2022-05-0{i}", "a街道", "a社区", "有效"] for i in range(1, 4)] + [
        ["N9", "2022-02-02", "a街道", "a社区", "无效"]
    ]
    plan = build_complaint_plan(workbook(HOTLINE, rows))
    assert plan.ok and [r.ticket_no for r in plan.creates] == ["N1", "N2", "N3"]
    assert "跳过 1 条工单：属于已锁定的2022年第1季度，不能导入。" in plan.notes
    q2 = year.periods.get(quarter=2)
    plan = build_complaint_plan(workbook(HOTLINE, rows[:3]), period=q2)
    assert plan.ok and len(plan.creates) == 3


def test_validity_words_of_hotline_exports(roster, q1):
    plan = build_complaint_plan(
        workbook(
            HOTLINE,
            [["V1", "2022-01-02", "a街道", "a社区", "有效"], ["V2", "2022-01-02", "a街道", "a社区", "无效"]],
        )
    )
    assert [r.is_valid for r in plan.creates] == [True, False]


@pytest.mark.parametrize("score", ["NaN", "inf", "-1", "100.5"])
def test_non_finite_or_out_of_range_scores_get_a_message(client_for, roster, q1, score):
    grid = roster["a"]["level3"]
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    response = client_for("center").post(
        url, {f"rating-{grid.pk}": "qualified", f"score-{grid.pk}": score}, follow=True
    )
    assert response.status_code == 200 and "得分" in response.content.decode()
    assert not GridRating.objects.exists()


@pytest.mark.parametrize("value", ["10000", "0", "-1"])
def test_out_of_range_year_filter_is_not_a_server_error(client_for, q1, value):
    assert client_for("center").get(f"/assessments/complaints/?year={value}").status_code == 200


def test_implausible_dates_are_refused(client_for, users, roster, q1):
    plan = build_complaint_plan(workbook(HOTLINE, [["D1", "0001-01-01", "a街道", "a社区", "是"]]))
    assert "日期应在 2000-01-01 至" in str(plan.errors[0])
    response = client_for("street").post(
        "/assessments/tickets/new/",
        {
            "number": "Y1",
            "grid_code": roster["a"]["level4"][0].code,
            "reporter": "x",
            "collected_at": "0001-01-01T09:00",
            "category": "x",
            "description": "x",
        },
    )
    assert "日期应在 2000-01-01 至" in response.content.decode()


def test_huge_quotas_are_refused_by_the_form(client_for, year):
    form = {
        f"reward_{lv}_{r}": "1" for lv in (3, 4) for r in ("excellent", "qualified", "basic", "unqualified")
    }
    form |= {"level3_quota": "3000000000", "level4_quota": "757", "zero_urban": "5000", "zero_rural": "3000"}
    response = client_for("center").post("/assessments/settings/2022/", form)
    assert response.status_code == 200 and "100000" in response.content.decode()
    year.refresh_from_db()
    assert year.level3_excellent_quota == 355


def test_ticket_import_only_moves_tickets_forward(users, roster):
    grid = roster["a"]["level4"][0]
    whistle_services.import_tickets(
        user=users["center"], data=workbook(TICKET_HEADERS, [ticket_row("F1", grid)])
    )
    with pytest.raises(ImportRejected) as excinfo:
        whistle_services.import_tickets(
            user=users["center"], data=workbook(TICKET_HEADERS, [ticket_row("F1", grid, "已采集")])
        )
    assert "已是“已办结”，不能改回“已采集”" in str(excinfo.value.plan.errors[0])
    moved = ticket_row("F1", roster["a"]["level4"][1])
    with pytest.raises(ImportRejected) as excinfo:
        whistle_services.import_tickets(user=users["center"], data=workbook(TICKET_HEADERS, [moved]))
    assert "网格、采集人、采集时间、问题类别不能通过导入修改" in str(excinfo.value.plan.errors[0])
    assert WhistleTicket.objects.get(number="F1").status == "closed"


def test_blank_ticket_template_has_only_the_headers(client_for, users, roster):
    whistle_services.import_tickets(
        user=users["center"], data=workbook(TICKET_HEADERS, [ticket_row("B1", roster["a"]["level4"][0])])
    )
    ws = load_workbook(
        io.BytesIO(client_for("center").get("/assessments/tickets/export.xlsx?blank=1").content)
    ).active
    assert ws.max_row == 1 and ws["A1"].value == "哨单编号"


def test_street_admin_sees_its_street_quota_on_the_quarter_cards(client_for, users, roster, year):
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    period_services.save_street_quotas(user=users["center"], settings=year, level=3, quotas={a: 120, b: 235})
    page = client_for("street").get("/assessments/?year=2022").content.decode()
    assert "三级 0 / 120" in page and "四级 0 / 757" in page


def test_quotas_cannot_go_below_what_is_rated(users, roster, year, q1):
    level4 = roster["a"]["level4"]
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.EXCELLENT) for g in level4]
    )
    with pytest.raises(AssessmentError, match="已评定 2 个优秀，全区名额不能少于 2 个"):
        period_services.update_year_settings(
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
        period_services.save_street_quotas(
            user=users["center"], settings=year, level=4, quotas={a: 1, b: 756}
        )


def test_a_save_that_does_not_add_excellent_grids_passes_even_over_quota(users, roster, year, q1):
    level4 = roster["a"]["level4"]
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.EXCELLENT) for g in level4]
    )
    year.level4_excellent_quota = 1  # changed behind the app's back, e.g. by a later rule
    year.save()
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(level4[0].pk, Rating.EXCELLENT, remark="复核")]
    )
    with pytest.raises(AssessmentError, match="优秀名额为 1 个"):
        save_ratings(
            user=users["center"],
            period=q1,
            entries=[RatingInput(roster["b"]["level4"][0].pk, Rating.EXCELLENT)],
        )


def test_a_quota_taken_between_preview_and_confirm_is_a_message(client_for, users, roster, year, q1):
    year.level4_excellent_quota = 2
    year.save()
    client = client_for("center")
    upload = io.BytesIO(workbook(["网格编码", "考核等次"], [[g.code, "优秀"] for g in roster["a"]["level4"]]))
    upload.name = "r.xlsx"
    preview = client.post(f"/assessments/periods/{q1.pk}/ratings/import/", {"file": upload})["Location"]
    save_ratings(
        user=users["street_b"],
        period=q1,
        entries=[RatingInput(roster["b"]["level4"][0].pk, Rating.EXCELLENT)],
    )
    response = client.post(preview, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入未执行" in page and "全区四级网格优秀名额为 2 个，保存后将有 3 个优秀" in page
    assert GridRating.objects.filter(street=roster["a"]["street"]).count() == 0


def test_changes_to_rules_and_quota_split_are_kept_with_their_author(users, roster, year):
    rewards = {(3, "excellent"): year.rating_rewards.get(level=3, rating="excellent").amount + 1}
    period_services.update_year_settings(
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
    period_services.save_street_quotas(user=users["center"], settings=year, level=3, quotas={a: 100, b: 255})
    period_services.save_street_quotas(user=users["center"], settings=year, level=3, quotas={})
    history = StreetQuota.history.filter(street_id=a).order_by("history_date")
    assert [(h.history_type, h.quota, h.history_user) for h in history] == [
        ("+", 100, users["center"]),
        ("-", 100, users["center"]),
    ]


def test_a_street_without_tickets_shows_no_closure_rate(client_for, q1):
    page = client_for("leader").get(f"/assessments/tickets/statistics/?period={q1.pk}").content.decode()
    assert "100.00%" not in page and "—" in page
