import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from assessments.entries import RatingInput
from assessments.exceptions import AssessmentError, ImportRejected, PeriodLocked
from assessments.importers.hotline import build_complaint_plan
from assessments.models import HotlineComplaint, Rating
from assessments.selectors.hotline import zero_complaint_rows
from assessments.services import hotline as services
from assessments.services.periods import lock_period
from assessments.services.ratings import save_ratings
from core import progress
from grids.models import Grid
from tests.assessments.helpers import lock_q1, workbook

HEADERS = ["工单编号", "受理时间", "街道（镇）", "社区", "诉求类别", "诉求内容", "是否有效"]
HOTLINE = ["工单编号", "受理时间", "街镇", "村（社区）", "是否有效"]


def export(rows, **kwargs) -> bytes:
    return workbook(HEADERS, rows, **kwargs)


def test_import_matches_communities_by_name_despite_suffixes_and_spaces(users, roster, q1):
    data = export(
        [
            ["A1", "2022-01-05 09:30", "a街道办事处", "a社区居委会", "环境", "垃圾", "是"],
            ["A2", dt.datetime(2022, 2, 1, 8, 0), " a街道", "a 社区", "噪音", "", None],
            ["B1", "2022/3/3", "b街道", "b社区居民委员会", "", "", "否"],
            ["X1", "2022-03-05 10:00", "c街道", "不存在社区", "", "", "是"],
        ],
        title_rows=[["12345 政务服务热线工单导出"], ["导出时间：2022-04-01"]],
    )
    plan = build_complaint_plan(data)
    assert plan.ok, [str(e) for e in plan.errors]
    matched = {r.ticket_no: r.community_id for r in plan.creates}
    assert matched == {
        "A1": roster["a"]["community"].pk,
        "A2": roster["a"]["community"].pk,
        "B1": roster["b"]["community"].pk,
        "X1": None,
    }
    assert plan.notes == [
        "文件中没有“诉求类型”列：所有工单都按投诉计入零投诉统计。",
        "1 条工单未能匹配到村（社区），导入后请在“未匹配工单”中人工指定。",
        "第7行 工单 X1：街镇“c街道”未能识别，也找不到村（社区）“不存在社区”。",
    ]
    services.import_complaints(user=users["center"], data=data)
    assert HotlineComplaint.objects.count() == 4
    unmatched = HotlineComplaint.objects.get(ticket_no="X1")
    assert unmatched.community is None and unmatched.community_text == "不存在社区"
    assert HotlineComplaint.objects.get(ticket_no="B1").is_valid is False


def test_the_unmatched_rows_are_listed_in_file_order_saying_what_is_missing(users, roster, q1):
    headers = ["工单编号", "受理时间", "街道（镇）", "社区", "诉求类型"]
    rows = [
        ["N1", "2022-01-05", "a街道", "", "咨询"],  # not counted: sorted after the counted rows in the plan
        ["N2", "2022-01-05", "a街道", "月亮村", "投诉"],
        ["N3", "2022-01-05", "", "", "投诉"],
        ["N4", "2022-01-05", "", "月亮村", "投诉"],
        ["N5", "2022-01-05", "c街道", "", "投诉"],
    ]
    plan = build_complaint_plan(workbook(headers, rows))
    assert [n for n in plan.notes if n.startswith("第")] == [
        "第2行 工单 N1：未填写村（社区）（街镇“a街道”）。",
        "第3行 工单 N2：街镇“a街道”下找不到村（社区）“月亮村”。",
        "第4行 工单 N3：未填写街镇和村（社区）。",
        "第5行 工单 N4：找不到村（社区）“月亮村”，且未填写街镇。",
        "第6行 工单 N5：未填写村（社区）（街镇“c街道”）。",
    ]


def test_reimporting_the_same_tickets_counts_nothing_twice(users, roster, q1):
    data = export([["A1", "2022-01-05", "a街道", "a社区", "", "", "是"]])
    services.import_complaints(user=users["center"], data=data)
    plan = services.import_complaints(user=users["center"], data=data)
    assert (len(plan.creates), plan.unchanged) == (0, 1)
    assert HotlineComplaint.objects.count() == 1


def test_match_by_community_code(users, roster, q1):
    community = roster["b"]["community"]
    data = workbook(["工单编号", "受理时间", "村（社区）编码"], [["C1", "2022-01-02", community.code]])
    assert build_complaint_plan(data).creates[0].community_id == community.pk


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [
                ["A1", "2022-01-05", "a街道", "a社区", "", "", "是"],
                ["A1", "2022-01-06", "a街道", "a社区", "", "", "是"],
            ],
            "第3行「工单编号」：工单编号“A1”在第2行和第3行重复，且受理时间不同，请核对后只保留一行。",
        ),
        ([["A1", "昨天", "a街道", "a社区", "", "", "是"]], "第2行「受理时间」：“昨天”不是有效的时间"),
        ([["A1", "2022-01-05", "a街道", "a社区", "", "", "也许"]], "第2行「是否有效」：“也许”无法识别"),
        ([[None, "2022-01-05", "a街道", "a社区", "", "", "是"]], "第2行「工单编号」：工单编号不能为空。"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(users, roster, q1, rows, expected):
    data = export(rows)
    with pytest.raises(ImportRejected) as excinfo:
        services.import_complaints(user=users["center"], data=data)
    assert any(expected in str(e) for e in excinfo.value.plan.errors), [
        str(e) for e in excinfo.value.plan.errors
    ]
    assert not HotlineComplaint.objects.exists()


def test_new_tickets_in_a_locked_quarter_are_skipped_and_changes_refused(users, roster, q1):
    grids = Grid.objects.active().staffable()
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.QUALIFIED) for g in grids]
    )
    lock_period(user=users["center"], period=q1)
    plan = build_complaint_plan(export([["L1", "2022-02-01", "a街道", "a社区", "", "", "是"]]))
    assert plan.ok and not plan.creates
    assert "跳过 1 条工单：属于已锁定的2022年第1季度，不能导入。" in plan.notes
    complaint = HotlineComplaint.objects.create(
        ticket_no="OLD",
        received_at=dt.datetime(2022, 2, 1, tzinfo=dt.UTC),
        received_on=dt.date(2022, 2, 1),
        street=roster["a"]["street"],
        community=roster["a"]["community"],
    )
    with pytest.raises(PeriodLocked):
        services.invalidate_complaint(user=users["center"], complaint=complaint, reason="重复")


def test_invalidate_needs_a_reason_and_stops_the_complaint_counting(users, roster, q1):
    community = roster["a"]["community"]
    complaint = services.add_complaint(
        user=users["center"],
        ticket_no="M1",
        received_at=dt.datetime(2022, 1, 9, 9, tzinfo=dt.UTC),
        community=community,
    )
    counts = {r.name: r.complaints for r in zero_complaint_rows(users["center"], q1)}
    assert counts == {"a社区": 1, "b社区": 0}
    with pytest.raises(AssessmentError, match="必须填写理由"):
        services.invalidate_complaint(user=users["center"], complaint=complaint, reason=" ")
    services.invalidate_complaint(user=users["center"], complaint=complaint, reason="非本辖区事项")
    rows = {r.name: (r.complaints, r.reward) for r in zero_complaint_rows(users["center"], q1)}
    assert rows["a社区"] == (0, q1.year.zero_complaint_reward_urban)
    latest = complaint.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (users["center"], "核减：非本辖区事项")
    services.restore_complaint(user=users["center"], complaint=complaint)
    assert HotlineComplaint.objects.get(pk=complaint.pk).is_valid


def test_assign_an_unmatched_complaint(users, roster, q1):
    complaint = HotlineComplaint.objects.create(
        ticket_no="U1",
        received_at=dt.datetime(2022, 1, 9, tzinfo=dt.UTC),
        received_on=dt.date(2022, 1, 9),
        community_text="某社区",
    )
    services.assign_complaint(user=users["center"], complaint=complaint, community=roster["b"]["community"])
    complaint.refresh_from_db()
    assert (complaint.community, complaint.street) == (roster["b"]["community"], roster["b"]["street"])
    with pytest.raises(AssessmentError, match="请选择一个村（社区）"):
        services.assign_complaint(user=users["center"], complaint=complaint, community=roster["b"]["level3"])


def test_street_admins_cannot_change_complaints(users, roster, q1):
    with pytest.raises(PermissionDenied):
        services.add_complaint(
            user=users["street"],
            ticket_no="S1",
            received_at=dt.datetime(2022, 1, 9, tzinfo=dt.UTC),
            community=roster["a"]["community"],
        )
    with pytest.raises(PermissionDenied):
        services.import_complaints(
            user=users["street"], data=export([["A1", "2022-01-05", "a街道", "a社区", "", "", "是"]])
        )


def test_rural_zero_complaint_reward_and_street_filter(users, roster, q1):
    Grid.objects.filter(pk=roster["b"]["community"].pk).update(kind="rural")
    rows = zero_complaint_rows(users["center"], q1, street_id=roster["b"]["street"].pk)
    assert [(r.name, r.kind_label, r.reward) for r in rows] == [
        ("b社区", "农村村（社区）", q1.year.zero_complaint_reward_rural)
    ]
    assert [r.name for r in zero_complaint_rows(users["street"], q1)] == ["a社区"]


def test_import_for_a_quarter_sends_rows_of_another_open_quarter_there(users, roster, q1):
    data = export(
        [
            ["A1", "2022-03-31 23:00", "a街道", "a社区", "", "", "是"],
            ["A2", "2022-04-01 08:00", "a街道", "a社区", "", "", "是"],
        ]
    )
    plan = build_complaint_plan(data, period=q1)
    assert plan.ok and [r.ticket_no for r in plan.creates] == ["A1", "A2"]
    assert "1 条工单的受理时间在2022年第2季度，将导入到该季度。" in plan.notes
    services.import_complaints(user=users["center"], data=data, period=q1)
    assert HotlineComplaint.objects.get(ticket_no="A2").received_on == dt.date(2022, 4, 1)


def test_future_times_are_refused(users, roster, q1):
    soon = dt.date.today() + dt.timedelta(days=30)  # within the plausible window
    plan = build_complaint_plan(export([["F1", soon.isoformat(), "a街道", "a社区", "", "", "是"]]))
    assert f"受理时间 {soon.year}年{soon.month}月{soon.day}日 晚于今天" in str(plan.errors[0])
    with pytest.raises(AssessmentError, match="不能晚于现在"):
        services.add_complaint(
            user=users["center"],
            ticket_no="F2",
            received_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
            community=roster["a"]["community"],
        )


def test_quarter_restriction_carries_from_upload_to_preview(client_for, roster, q1):
    import io

    client = client_for("center")
    page = client.get(f"/assessments/complaints/import/?period={q1.pk}").content.decode()
    assert "从2022年第1季度导入：受理时间在其他开放季度的工单导入到各自的季度" in page
    upload = io.BytesIO(export([["A2", "2023-04-01 08:00", "a街道", "a社区", "", "", "是"]]))
    upload.name = "12345.xlsx"
    preview = client.post(f"/assessments/complaints/import/?period={q1.pk}", {"file": upload})["Location"]
    assert preview.endswith(f"?period={q1.pk}")
    assert "跳过 1 条工单：受理时间所在季度尚未设置，不能导入。" in client.get(preview).content.decode()


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


def test_a_large_hotline_upload_is_previewed_and_imported_as_jobs_for_its_quarter(
    client_for, roster, q1, settings
):
    import io

    from core.models import Job

    settings.IMPORT_JOB_BYTES = 0  # every upload counts as large
    client = client_for("center")
    upload = io.BytesIO(export([["J1", "2022-02-01 08:00", "a街道", "a社区", "", "", "是"]]))
    upload.name = "12345.xlsx"
    preview = client.post(f"/assessments/complaints/import/?period={q1.pk}", {"file": upload})["Location"]
    parsing = client.get(preview)
    job = Job.objects.get()
    assert (job.kind, job.status, job.next_url) == ("assessments.complaints_import_preview", "done", preview)
    assert client.get(parsing["Location"])["Location"] == preview  # the job's page opens the preview
    assert "确认导入" in client.get(preview).content.decode()

    confirm = client.post(preview)
    job = Job.objects.get(kind="assessments.complaints_import")
    assert confirm["Location"] == f"/jobs/{job.pk}/" and job.status == "done"
    assert job.message.startswith("导入完成") and job.next_url == "/assessments/complaints/"
    complaint = HotlineComplaint.objects.get(ticket_no="J1")
    assert complaint.received_on == dt.date(2022, 2, 1) and complaint.community == roster["a"]["community"]


def test_an_import_reports_the_tickets_written_as_it_writes_them(users, roster, q1, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 2)
    services.import_complaints(
        user=users["center"], data=export([["K1", "2022-02-01 08:00", "a街道", "a社区"]])
    )
    rows = [["K1", "2022-02-01 08:00", "a街道", "a社区"]]  # known: skipped, not counted
    rows += [[f"P{n}", "2022-02-01 08:00", "a街道", "a社区"] for n in range(5)]
    seen = []
    services.import_complaints(
        user=users["center"],
        data=export(rows),
        # (reported, tickets in the database by then): each report follows the rows it counts
        progress=lambda done, total, stage="": seen.append(
            (done, total, HotlineComplaint.objects.count() - 1)
        ),
    )
    assert seen == [(0, 5, 0), (2, 5, 2), (4, 5, 4), (5, 5, 5)]


def test_a_large_hotline_imports_job_pages_show_the_rows_checked_then_written(
    client_for, users, roster, q1, settings
):
    import io

    from core.models import Job

    settings.IMPORT_JOB_BYTES = 0  # every upload counts as large
    services.import_complaints(
        user=users["center"], data=export([["K1", "2022-02-01 08:00", "a街道", "a社区"]])
    )
    rows = [["K1", "2022-02-01 08:00", "a街道", "a社区"]]
    rows += [[f"P{n}", "2022-02-01 08:00", "a街道", "a社区"] for n in range(5)]
    upload = io.BytesIO(export(rows))
    upload.name = "12345.xlsx"
    client = client_for("center")
    preview = client.post(f"/assessments/complaints/import/?period={q1.pk}", {"file": upload})["Location"]
    client.get(preview)
    parsed = Job.objects.get(kind="assessments.complaints_import_preview")
    assert (parsed.status, parsed.done, parsed.total) == ("done", 6, 6)  # every row of the sheet checked

    confirm = client.post(preview)
    job = Job.objects.get(kind="assessments.complaints_import")
    assert (job.status, job.done, job.total) == ("done", 5, 5)  # the known ticket is not written again
    page = client.get(confirm["Location"]).content.decode()
    assert "已处理 5 / 5 行" in page and job.message in page
    assert HotlineComplaint.objects.count() == 6
