"""Which 12345 tickets count: the 诉求类型 rule, the year's setting, districts, duplicates and quarters."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from assessments import complaint_types
from assessments.importers.hotline import build_complaint_plan
from assessments.models import HotlineComplaint
from assessments.services.hotline import import_complaints
from tests.assessments.helpers import lock_q1, workbook

HEADERS = ["工单编号", "受理时间", "所属区县", "街镇", "村（社区）", "诉求类型"]


@pytest.mark.parametrize(
    ("written", "configured", "expected"),
    [
        ("投诉", ["投诉"], True),
        (" 投诉类 ", ["投诉"], True),
        ("投诉件", ["投诉"], True),
        ("咨询", ["投诉"], False),
        ("举报", ["投诉"], False),
        ("举报", ["投诉", "举报"], True),
        ("", ["投诉"], True),  # no type written: counted, as before types were read
        ("其他", ["投诉"], False),
    ],
)
def test_a_ticket_counts_only_when_its_type_is_configured(written, configured, expected):
    assert complaint_types.counts_as_complaint(written, configured) is expected


def test_configured_types_are_read_from_text_and_refused_when_empty_or_too_long():
    assert complaint_types.parse_types("投诉、举报，投诉类 ") == ["投诉", "举报"]
    assert complaint_types.parse_types(["投诉", " 举报 "]) == ["投诉", "举报"]
    with pytest.raises(ValueError, match="请至少填写一个计入投诉的诉求类型"):
        complaint_types.parse_types(" 、 ")
    with pytest.raises(ValueError, match="过长"):
        complaint_types.parse_types("投" * 21)
    with pytest.raises(ValueError, match="最多 10 个"):
        complaint_types.parse_types("、".join(f"类型{i}" for i in range(11)))


def settings_form(year, **changes) -> dict:
    form = {
        f"reward_{lv}_{r}": "0" for lv in (3, 4) for r in ("excellent", "qualified", "basic", "unqualified")
    }
    return form | {
        "level3_quota": year.level3_excellent_quota,
        "level4_quota": year.level4_excellent_quota,
        "zero_urban": "5000",
        "zero_rural": "3000",
        "complaint_types": "、".join(year.complaint_types),
        **changes,
    }


def test_the_year_settings_page_edits_the_types_and_recounts_the_years_tickets(
    client_for, users, roster, year
):
    data = workbook(
        HEADERS,
        [
            ["J1", "2022-01-05", "望城区", "a街道", "a社区", "举报"],
            ["T1", "2022-01-06", "望城区", "a街道", "a社区", "投诉"],
            ["Z1", "2022-01-07", "望城区", "a街道", "a社区", "咨询"],
        ],
    )
    import_complaints(user=users["center"], data=data)
    client = client_for("center")
    assert "投诉" in client.get("/assessments/settings/2022/").content.decode()
    response = client.post("/assessments/settings/2022/", settings_form(year, complaint_types="投诉、举报"))
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.complaint_types == ["投诉", "举报"]
    counts = dict(HotlineComplaint.objects.values_list("ticket_no", "counts"))
    assert counts == {"J1": True, "T1": True, "Z1": False}
    refused = client.post("/assessments/settings/2022/", settings_form(year, complaint_types="、"))
    assert "请至少填写一个计入投诉的诉求类型" in refused.content.decode()


def test_types_cannot_change_once_a_quarter_is_locked(client_for, users, roster, year, q1):
    lock_q1(users, q1)
    response = client_for("center").post(
        "/assessments/settings/2022/", settings_form(year, complaint_types="投诉、咨询")
    )
    assert "2022 年已有锁定的季度，考核设置不能再修改。" in response.content.decode()
    year.refresh_from_db()
    assert year.complaint_types == ["投诉"]


def test_a_blank_district_is_this_district_and_a_city_prefix_is_understood(roster, year):
    plan = build_complaint_plan(
        workbook(
            HEADERS,
            [
                ["D1", "2022-01-05", "", "a街道", "a社区", "投诉"],
                ["D2", "2022-01-05", "湖南省长沙市望城区", "a街道", "a社区", "投诉"],
                ["D3", "2022-01-05", "长沙市开福区", "a街道", "a社区", "投诉"],
                ["D4", "2022-01-05", "宁乡市", "a街道", "a社区", "投诉"],
            ],
        )
    )
    assert [r.ticket_no for r in plan.creates] == ["D1", "D2"]
    assert dict(plan.other_districts) == {"长沙市开福区": 1, "宁乡市": 1}
    assert any("1 条工单的“所属区县”为空，按本区（望城区）工单处理" in n for n in plan.notes), plan.notes


def test_a_known_ticket_of_a_locked_quarter_is_unchanged_not_skipped(users, roster, year, q1):
    import_complaints(
        user=users["center"],
        data=workbook(HEADERS, [["K1", "2022-02-01", "望城区", "a街道", "a社区", "投诉"]]),
    )
    lock_q1(users, q1)
    plan = build_complaint_plan(workbook(HEADERS, [["K1", "2022-02-01", "望城区", "a街道", "a社区", "投诉"]]))
    assert (plan.unchanged, len(plan.creates), dict(plan.skipped)) == (1, 0, {})


def test_a_street_written_in_front_that_contradicts_the_street_column_is_not_matched(roster, year):
    plan = build_complaint_plan(
        workbook(HEADERS, [["P1", "2022-01-05", "望城区", "b街道", "a街道a社区居委会", "投诉"]])
    )
    assert plan.creates[0].community_id is None
    assert plan.creates[0].street_id == roster["b"]["street"].pk


def test_locked_quarter_results_stay_frozen_after_a_later_import(users, roster, year, q1, client_for):
    lock_q1(users, q1)
    before = {r.community_id: r.complaints for r in q1.zero_complaint_results.all()}
    import_complaints(
        user=users["center"],
        data=workbook(HEADERS, [["F1", "2022-03-01", "望城区", "a街道", "a社区", "投诉"]]),
    )
    assert not HotlineComplaint.objects.exists()
    page = client_for("center").get(f"/assessments/periods/{q1.pk}/zero-complaint/")
    assert {r.community_id: r.complaints for r in page.context["rows"]} == before


def test_the_data_migration_moves_types_out_of_the_category(roster, year):
    migration = importlib.import_module("assessments.migrations.0005_types_moved_out_of_category")
    base = {"received_at": dt.datetime(2022, 1, 5, tzinfo=dt.UTC), "received_on": dt.date(2022, 1, 5)}
    HotlineComplaint.objects.create(ticket_no="M1", category="咨询", **base)
    HotlineComplaint.objects.create(ticket_no="M2", category="投诉", **base)
    HotlineComplaint.objects.create(ticket_no="M3", category="噪音扰民", **base)
    migration.move_types(apps, None)
    rows = {c.ticket_no: (c.complaint_type, c.category, c.counts) for c in HotlineComplaint.objects.all()}
    assert rows == {"M1": ("咨询", "", False), "M2": ("投诉", "", True), "M3": ("", "噪音扰民", True)}
