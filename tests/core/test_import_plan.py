"""What every importer shares (core.import_plan): the rows a preview job checks, told to its page."""

import pickle

from assessments.importers.whistle import build_ticket_plan
from core import progress
from core.import_plan import CheckedRows, Plan, read_first_sheet
from core.progress import reporting_rows
from core.xlsx import Column
from tests.assessments.helpers import workbook

COLUMNS = [Column("name", "名称", required=True)]


def test_the_rows_an_importer_checks_are_told_to_a_preview_job_every_few_rows(roster, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 2)
    grid = roster["a"]["level4"][0]
    rows = [[f"S{n}", grid.code, "张三", "2022-02-01 09:00", "", "", "", "已采集"] for n in range(5)]
    headers = ["哨单编号", "网格编码", "采集人", "采集时间", "问题类别", "问题描述", "责任单位", "状态"]
    seen = []
    with reporting_rows(lambda done, total, stage="": seen.append((done, total, stage))):
        plan = build_ticket_plan(workbook(headers, rows))
    assert plan.ok and len(plan.creates) == 5
    assert seen[:1] == [(0, 0, "打开工作簿")]
    assert [s for s in seen if s[2] == "读取工作表“Sheet”"][-1] == (5, 5, "读取工作表“Sheet”")
    assert [s for s in seen if s[2] == "检查数据"] == [
        (0, 5, "检查数据"),
        (2, 5, "检查数据"),
        (4, 5, "检查数据"),
        (5, 5, "检查数据"),
    ]
    told = len(seen)
    build_ticket_plan(workbook(headers, rows))  # outside a preview job: no one is told
    assert len(seen) == told


def test_a_sheet_read_outside_a_preview_job_has_plain_rows():
    data = workbook(["名称"], [["甲"], ["乙"]])
    assert type(read_first_sheet(data, COLUMNS, Plan()).rows) is list
    with reporting_rows(lambda done, total, stage="": None):
        assert type(read_first_sheet(data, COLUMNS, Plan()).rows) is CheckedRows
    assert type(read_first_sheet(data, COLUMNS, Plan()).rows) is list


def test_checked_rows_are_kept_as_plain_rows_without_the_jobs_callback():
    rows = CheckedRows([(2, {"name": "甲"})], lambda done, total, stage="": None)
    kept = pickle.loads(pickle.dumps(rows))
    assert type(kept) is list and kept == [(2, {"name": "甲"})]
