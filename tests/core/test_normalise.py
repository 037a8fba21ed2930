"""Normalise, then validate (core.normalise): the rules, and every entry path keeping look-alikes out."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.importers.hotline import build_complaint_plan
from core.forms import Form, MoneyField
from core.import_plan import parse_datetime
from core.normalise import grid_code, normalise_text, read_amount, validate_plausible_moment
from core.xlsx import clean_text, parse_date
from disbursements.models import DisbursementBatch
from grids.models import Grid
from tests.assessments.helpers import workbook
from tests.assessments.test_hotline import HOTLINE
from tests.grids.test_importer import make_workbook

ZWSP, BOM, NBSP = "\u200b", "\ufeff", "\u00a0"
ARABIC_1000 = "\u0661\u0660\u0660\u0660"  # ١٠٠٠
NEXT_YEAR = timezone.localdate().year + 1


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        (f"4301{ZWSP}12", "430112"),
        (f"{BOM}月坡社区{NBSP}", "月坡社区"),
        ("４３０１１２", "430112"),
        ("ＬＦ－００１", "LF-001"),
        ("a\u3000b", "a b"),
        ("x\u202ey\u2066z", "xyz"),  # bidirectional controls, which can make text read differently
        ("一组（北），说明：好！", "一组（北），说明：好！"),  # Chinese punctuation stays as written
        ("①宣传……②制度", "①宣传……②制度"),
        ("  多行\n文字  ", "多行\n文字"),
    ],
)
def test_text_is_normalised(text, stored):
    assert normalise_text(text) == stored
    assert clean_text(text) == " ".join(stored.split())  # an imported cell, on one line


@pytest.mark.parametrize(
    ("text", "code"), [(f"4301{ZWSP}12", "430112"), ("４３０１１２", "430112"), (" 430 112 ", "430112")]
)
def test_grid_codes_are_ascii_digits_after_normalising(text, code):
    assert grid_code(text) == code


@pytest.mark.parametrize("text", ["43O112", "\u0664\u0663\u0660", "430112-1", "Ⅳ"])
def test_grid_codes_with_anything_but_digits_are_refused(text):
    with pytest.raises(ValueError, match="只能由数字 0-9 组成"):
        grid_code(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("¥1,000.50", "1000.50"),
        ("￥1,000.50", "1000.50"),
        ("1,000元", "1000"),
        (" 1000 ", "1000"),
        ("１，２００．５元", "1200.5"),
        ("-1,000.00", "-1000.00"),
        ("6 000", "6000"),
        (f"{ZWSP}12,966.00", "12966.00"),
    ],
)
def test_amounts_in_the_forms_people_write(text, amount):
    assert read_amount(text) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1_000", "不能含下划线"),
        (ARABIC_1000, "只能用阿拉伯数字 0-9"),
        ("1e3", "不能用科学计数法"),
        ("1.005", "最多保留 2 位小数"),
        ("1,00", "不是数字"),
        ("1.000,50", "不是数字"),
        ("壹万元", "不是数字"),
        ("", "不是数字"),
    ],
)
def test_look_alike_amounts_are_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        read_amount(text)


def test_an_amount_in_ten_thousands_may_carry_four_more_decimals():
    assert read_amount("1.2345", places=6) == Decimal("1.2345")


@pytest.mark.parametrize(
    ("day", "plausible"),
    [
        (dt.date(1, 1, 1), False),
        (dt.date(9999, 12, 31), False),
        (dt.date(1999, 12, 31), False),
        (dt.date(2000, 1, 1), True),
        (dt.date(NEXT_YEAR, 12, 31), True),
        (dt.date(NEXT_YEAR + 1, 1, 1), False),
    ],
)
def test_dates_keep_to_the_window(day, plausible):
    if plausible:
        validate_plausible_moment(day)
        assert parse_date(day.isoformat()) == day
        assert parse_datetime(day.isoformat()).date() == day
    else:
        with pytest.raises(ValidationError, match=f"日期应在 2000-01-01 至 {NEXT_YEAR}-12-31 之间"):
            validate_plausible_moment(day)
        with pytest.raises(ValueError, match="日期应在 2000-01-01 至"):
            parse_date(day.isoformat())
        assert parse_datetime(day.isoformat()) is None


def test_dates_in_other_scripts_are_not_read():
    with pytest.raises(ValueError, match="不是有效日期"):
        parse_date("\u0662\u0660\u0662\u0662-\u0660\u0661-\u0660\u0661")  # ٢٠٢٢-٠١-٠١
    assert parse_datetime("\u0662\u0660\u0662\u0662-\u0660\u0661-\u0660\u0661") is None
    assert parse_date("２０２２－０１－０５") == dt.date(2022, 1, 5)


class Sample(Form):
    text = forms.CharField(required=False)
    count = forms.IntegerField(required=False)
    share = forms.DecimalField(required=False)
    amount = MoneyField(required=False, max_digits=14, decimal_places=2)
    day = forms.DateField(required=False)


@pytest.mark.parametrize(
    ("data", "cleaned"),
    [
        ({"text": f" 阵地{ZWSP}建设{BOM} "}, {"text": "阵地建设"}),
        ({"count": "１２", "share": "０.５"}, {"count": 12, "share": Decimal("0.5")}),
        ({"amount": "¥1,000.50"}, {"amount": Decimal("1000.50")}),
        ({"day": "２０２３-０１-０５"}, {"day": dt.date(2023, 1, 5)}),
    ],
)
def test_the_form_layer_normalises_every_field(data, cleaned):
    form = Sample(data)
    assert form.is_valid(), form.errors
    assert {key: form.cleaned_data[key] for key in cleaned} == cleaned


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"count": "1_000"}, "count", "请只用阿拉伯数字 0-9"),
        ({"count": ARABIC_1000}, "count", "请只用阿拉伯数字 0-9"),
        ({"share": "1_0.5"}, "share", "请只用阿拉伯数字 0-9"),
        ({"amount": "1_000"}, "amount", "不能含下划线"),
        ({"amount": ARABIC_1000}, "amount", "只能用阿拉伯数字 0-9"),
        ({"amount": "1.005"}, "amount", "最多保留 2 位小数"),
        ({"day": "0001-01-01"}, "day", "日期应在 2000-01-01 至"),
        ({"day": "9999-12-31"}, "day", "日期应在 2000-01-01 至"),
    ],
)
def test_the_form_layer_refuses_look_alikes(data, field, message):
    form = Sample(data)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def _new_grid(client, roster, **fields):
    data = {"name": "新小区", "level": 3, "parent_code": roster["a"]["community"].code}
    data.setdefault("established_on", "2023-01-01")
    return client.post("/grids/new/", {**data, **fields})


def test_the_grid_form_stores_no_look_alike_code(client_for, roster):
    client = client_for("center")
    _new_grid(client, roster, code=f"９３{ZWSP}０１", name=f"{BOM}新{ZWSP}小区")
    grid = Grid.objects.get(name="新小区")
    assert grid.code == "9301"
    for code, message in [
        ("９３０１", "网格编码“9301”已被使用"),  # the same code once normalised
        ("93O1", "网格编码“93O1”只能由数字 0-9 组成"),
        ("\u0669\u0663\u0660\u0662", "只能由数字 0-9 组成"),
    ]:
        page = _new_grid(client, roster, code=code, name="另一小区").content.decode()
        assert message in page
    page = _new_grid(client, roster, code="9302", name="另一小区", established_on="9999-12-31")
    assert "日期应在 2000-01-01 至" in page.content.decode()
    assert list(Grid.objects.filter(name__in=["新小区", "另一小区"]).values_list("code", flat=True)) == [
        "9301"
    ]


def test_the_special_line_form_stores_no_look_alike_amount(client_for, roster, budget):
    center = client_for("center")
    center.post("/funds/batches/special/new/", {"year": 2022, "title": f"年终{ZWSP}专项"})
    special = DisbursementBatch.objects.get(title="年终专项")
    url = f"/funds/batches/{special.pk}/lines/add"
    payee = roster["a"]["community"].pk
    center.post(url, {"payee": payee, "purpose": f"阵地{ZWSP}建设", "amount": "¥1,000.50"})
    assert list(special.lines.values_list("reason", "amount")) == [("阵地建设", Decimal("1000.50"))]
    for amount, message in [
        ("1_000", "不能含下划线"),
        (ARABIC_1000, "只能用阿拉伯数字 0-9"),
        ("1e3", "不能用科学计数法"),
    ]:
        page = center.post(url, {"payee": payee, "purpose": "x", "amount": amount}, follow=True)
        assert message in page.content.decode()
    assert special.lines.count() == 1


def test_an_imported_workbook_stores_no_look_alikes(client_for, roster, budget):
    center = client_for("center")
    center.post("/funds/batches/special/new/", {"year": 2022, "title": "年终专项"})
    special = DisbursementBatch.objects.get(title="年终专项")

    def upload(rows):
        file = io.BytesIO(workbook(["收款单位", "用途", "金额"], rows))
        file.name = "专项.xlsx"
        return center.post(f"/funds/batches/{special.pk}/lines/import", {"file": file})["Location"]

    refused = upload([["a街道", "x", "1_000"], ["a街道", "y", ARABIC_1000], ["a街道", "z", "1.005"]])
    page = center.get(refused).content.decode()
    assert "不能含下划线" in page and "只能用阿拉伯数字 0-9" in page and "最多保留 2 位小数" in page
    center.post(refused)  # a confirm of a file with errors writes nothing
    assert not special.lines.exists()

    preview = upload(
        [[f"a{ZWSP}街道", f"培训{ZWSP}补助{BOM}", "１，２００元"], ["b街道", "其他", "¥1,000.50"]]
    )
    center.post(preview)
    assert sorted(special.lines.values_list("reason", "amount")) == [
        ("其他", Decimal("1000.50")),
        ("培训补助", Decimal("1200.00")),
    ]


def test_an_imported_roster_stores_no_look_alike_code(client_for, roster):
    client = client_for("center")
    community = roster["a"]["community"].code
    rows = [
        [f"９０{ZWSP}０５", f"新{BOM}小区", "三级网格", community, None],
        ["9O06", "别的小区", "三级网格", community, None],
    ]
    file = io.BytesIO(make_workbook(rows))
    file.name = "花名册.xlsx"
    page = client.get(client.post("/grids/import/", {"file": file})["Location"]).content.decode()
    assert "网格编码“9O06”只能由数字 0-9 组成" in page and "确认导入" not in page

    file = io.BytesIO(make_workbook(rows[:1]))
    file.name = "花名册.xlsx"
    client.post(client.post("/grids/import/", {"file": file})["Location"])
    assert Grid.objects.get(code="9005").name == "新小区"


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
