import io

import pytest

from assessments.entries import RatingInput
from assessments.exceptions import ImportRejected
from assessments.importers.ratings import build_rating_plan
from assessments.models import GridRating, Rating
from assessments.services.ratings import import_ratings, save_ratings
from core import progress
from core.models import Job
from tests.assessments.helpers import workbook

HEADERS = ["网格编码", "考核等次", "得分", "备注"]


def test_exported_sheet_filled_in_imports(client_for, users, roster, q1):
    response = client_for("street").get(f"/assessments/periods/{q1.pk}/ratings.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content))
    ws = book.active
    assert ws["A1"].value == "2022年第1季度三级、四级网格考核评定表"  # a title over the header, as printed
    header = [c.value for c in ws[3]]
    assert header == [
        "街镇",
        "村（社区）",
        "所属三级网格",
        "网格编码",
        "网格名称",
        "层级",
        "考核等次",
        "得分",
        "备注",
    ]
    assert ws.max_row == 6  # street a only: 1 level-3 + 2 level-4 grids
    for row in ws.iter_rows(min_row=4):
        row[6].value = "合格"
    buffer = io.BytesIO()
    book.save(buffer)
    plan = import_ratings(user=users["street"], period=q1, data=buffer.getvalue())
    assert len(plan.creates) == 3
    assert GridRating.objects.filter(period=q1, rating="qualified").count() == 3


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (lambda r: [[r["a"]["level3"].code, "良好", None, None]], "未知考核等次“良好”"),
        (lambda r: [[r["b"]["level3"].code, "合格", None, None]], "不存在或不在您的管辖范围内"),
        (lambda r: [[r["a"]["community"].code, "合格", None, None]], "不是本季度参与考核的三、四级网格"),
        (
            lambda r: [
                [r["a"]["level3"].code, "合格", None, None],
                [r["a"]["level3"].code, "优秀", None, None],
            ],
            "与第2行重复",
        ),
        (lambda r: [[r["a"]["level3"].code, "合格", "九十", None]], "得分“九十”不是数字"),
        (lambda r: [[r["a"]["level3"].code, None, None, None]], "考核等次不能为空"),
    ],
)
def test_bad_rating_rows_are_named_and_nothing_is_saved(users, roster, q1, rows, expected):
    data = workbook(HEADERS, rows(roster))
    with pytest.raises(ImportRejected) as excinfo:
        import_ratings(user=users["street"], period=q1, data=data)
    assert any(expected in str(e) for e in excinfo.value.plan.errors), [
        str(e) for e in excinfo.value.plan.errors
    ]
    assert not GridRating.objects.exists()


def test_the_exported_sheet_offers_the_ratings_as_a_drop_down(client_for, users, roster, q1):
    from openpyxl import load_workbook

    from assessments.rules import parse_rating

    response = client_for("street").get(f"/assessments/periods/{q1.pk}/ratings.xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref) == "G4:G6"
    words = validation.formula1.strip('"').split(",")
    assert words == ["优秀", "合格", "基本合格", "不合格"]
    assert all(parse_rating(word) for word in words)  # each one is read back by the importer


def test_quota_is_checked_on_the_whole_file(users, roster, year, q1):
    year.level4_excellent_quota = 1
    year.save()
    rows = [[g.code, "优秀", 95, None] for g in roster["a"]["level4"]]
    plan = build_rating_plan(workbook(HEADERS, rows), user=users["street"], period=q1)
    assert [str(e) for e in plan.errors] == [
        "Sheet「考核等次」：全区四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。"
        "本文件新评为优秀的 2 个：第2行 a街道/a社区/a小区/a1栋、第3行 a街道/a社区/a小区/a2栋。"
    ]


def test_upload_preview_confirm_in_the_browser(client_for, roster, q1):
    client = client_for("street")
    upload = io.BytesIO(workbook(HEADERS, [[roster["a"]["level3"].code, "优秀", 96, "示范"]]))
    upload.name = "评定.xlsx"
    preview = client.post(f"/assessments/periods/{q1.pk}/ratings/import/", {"file": upload})["Location"]
    page = client.get(preview).content.decode()
    assert "确认导入" in page and roster["a"]["level3"].code in page and "a小区" in page
    assert client.post(preview).status_code == 302
    assert GridRating.objects.get(grid=roster["a"]["level3"]).remark == "示范"


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


def test_an_import_reports_the_ratings_written_new_ones_first_unchanged_ones_not(
    users, roster, q1, monkeypatch
):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 1)
    level3, (first, second) = roster["a"]["level3"], roster["a"]["level4"]
    entries = [RatingInput(level3.pk, Rating.QUALIFIED), RatingInput(first.pk, Rating.QUALIFIED)]
    save_ratings(user=users["street"], period=q1, entries=entries)
    rows = [[level3.code, "合格"], [first.code, "基本合格"], [second.code, "合格"]]
    seen = []
    import_ratings(
        user=users["street"],
        period=q1,
        data=workbook(["网格编码", "考核等次"], rows),
        progress=lambda done, total, stage="": seen.append((done, total, GridRating.objects.count())),
    )
    assert seen == [(0, 2, 2), (1, 2, 3), (2, 2, 3)]  # the new rating, then the changed one
    assert GridRating.objects.get(grid=first).rating == Rating.BASIC


def test_a_large_rating_upload_is_confirmed_as_a_job_with_its_rows_written(client_for, roster, q1, settings):
    settings.IMPORT_JOB_BYTES = 0  # every upload counts as large
    client = client_for("street")
    rows = [[roster["a"]["level3"].code, "合格"], *[[g.code, "合格"] for g in roster["a"]["level4"]]]
    upload = io.BytesIO(workbook(["网格编码", "考核等次"], rows))
    upload.name = "评定.xlsx"
    preview = client.post(f"/assessments/periods/{q1.pk}/ratings/import/", {"file": upload})["Location"]
    client.get(preview)  # parsed by a job, which then opens the preview
    assert "确认导入" in client.get(preview).content.decode()
    confirm = client.post(preview)
    job = Job.objects.get(kind="assessments.ratings_import")
    assert confirm["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert job.next_url == f"/assessments/periods/{q1.pk}/ratings/"
    assert "已处理 3 / 3 行" in client.get(confirm["Location"]).content.decode()
    assert GridRating.objects.filter(period=q1, rating=Rating.QUALIFIED).count() == 3
