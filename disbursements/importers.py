"""Import of special-batch lines from a finance list: who is paid (收款单位), for what (用途), how much (金额).

Who is paid is a street or a village/community, found through grids.matching.UnitIndex: by a code, by a
name with any of the usual suffixes, by the label the preview itself shows (高塘岭街道月坡社区), or by
separate 街镇 and 村（社区） columns (a street with the village blank is a line to the street itself).
A name that fits two units is an error asking for the street or the code, never a guess.

The payee may also be written as the app itself shows it: 月坡社区（430112001001） (the batch page's
drop-down: name and code, which must agree) or the path 高塘岭街道/月坡社区.

A line is identified by its payee and its purpose, so that importing the same list again changes
nothing: a row equal to a line already in the batch is unchanged; a row whose amount differs from
that line's is an update, shown in the preview as old → new. Lines of the batch that the file does not
mention are left as they are. What tells two payments to one payee apart (a 三级网格/四级网格, a person's
name) is kept on the line, appended to its purpose: 三级网格指导员奖励（A小区 张一）, so that two
instructors of one community are two lines. Within one file, two rows of one line are kept once (with a
note) only when every cell of both is the same; rows differing in any column are an error naming both
rows and the columns, never merged.
"""

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formats import yuan_text
from core.import_plan import Cells, Plan, read_first_sheet
from core.normalise import read_amount
from core.numbers import round2
from core.xlsx import Column, RowError, clean_text, compact_text
from disbursements.models import MAX_LINE_AMOUNT, LineCategory
from grids.matching import GRID_PATH_COLUMNS, Found, Unit, UnitIndex, is_own_district, normalize

STREET, COMMUNITY, LEVEL3, LEVEL4 = GRID_PATH_COLUMNS
# A person paid through the payee: two instructors of one community are two payments.
PERSON_HEADERS = (
    "指导员姓名", "指导员", "网格员", "网格员姓名", "网格长", "网格长姓名", "领款人", "领款人姓名", "收款人",
    "收款人姓名", "人员姓名", "领取人",
)  # fmt: skip
# The batch page calls the purpose 事由; finance lists write 奖励事由, 发放事由 …
PURPOSE_HEADERS = (
    "事由", "奖励事由", "发放事由", "拨付事由", "补助事由", "项目", "资金用途", "项目名称", "摘要", "款项用途",
    "用途说明",
)  # fmt: skip
COLUMNS = [
    Column("payee", "收款单位", ("单位", "单位名称", "拨付单位", "收款单位名称", "领款单位")),
    Column("code", "单位编码", ("编码", "收款单位编码", "网格编码")),
    replace(STREET, key="street", synonyms=(*STREET.synonyms, "乡镇街道", "街道乡镇")),
    replace(COMMUNITY, key="community", synonyms=(*COMMUNITY.synonyms, "村居")),
    LEVEL3,
    LEVEL4,
    Column("person", "姓名", PERSON_HEADERS),
    Column("purpose", "用途", PURPOSE_HEADERS, required=True),
    Column(
        "amount",
        "金额",
        ("拨付金额", "发放金额", "奖励金额", "补助金额", "奖补金额", "资金金额"),
        required=True,
    ),
]
PAYEE_KEYS = ("payee", "code", "street", "community")
# What tells two payments to one payee for one purpose apart, in the order appended to the purpose.
DETAIL_KEYS = (LEVEL3.key, LEVEL4.key, "person")
# A unit as the app shows it in a drop-down: 月坡社区（430112001001）, after normalize() made the brackets half-width.
_NAME_AND_CODE = re.compile(r"^(?P<name>.*?)\((?P<code>[0-9A-Za-z][0-9A-Za-z_.-]*)\)$")
TEN_THOUSAND = Decimal(10000)


@dataclass
class SpecialRow:
    """A row of the file as it would be written: a new line, or a new amount for an existing line."""

    row: int
    payee_id: int
    payee_name: str
    purpose: str
    amount: Decimal
    line_id: int | None = None  # the line an update changes
    old_amount: Decimal | None = None

    @property
    def key(self) -> tuple[int, str]:
        return line_key(self.payee_id, self.purpose)


@dataclass(frozen=True)
class ExistingLine:
    pk: int
    payee_id: int
    purpose: str
    amount: Decimal


def line_key(payee_id: int, purpose: str) -> tuple[int, str]:
    """What identifies a special line: its payee and its purpose as compared (spaces, full width ignored)."""
    return payee_id, normalize(purpose)


def existing_lines(batch) -> list[ExistingLine]:
    """The special lines already in a batch, with the street or village/community each one pays."""
    rows = batch.lines.filter(category=LineCategory.SPECIAL).values_list(
        "pk", "street_id", "community_id", "reason", "amount"
    )
    return [
        ExistingLine(pk, community or street, reason, amount)
        for pk, street, community, reason, amount in rows
    ]


def _is_ten_thousands(header: str, preamble: list[str]) -> bool:
    """Amounts in 万元: said in the amount's header (金额（万元）) or above the table (单位：万元)."""
    return "万元" in normalize(header) or any(re.search(r"单位:?万元", normalize(text)) for text in preamble)


def _unit(found: Found, text: str, missing: str) -> tuple[Unit | None, str]:
    if found.unit is not None:
        return found.unit, ""
    return None, found.problem(text) if found.ambiguous else missing


def _by_code(index: UnitIndex, code: str, named: str = "") -> tuple[Unit | None, str]:
    """The unit of a code; with `named`, the name written beside the code must fit that unit too."""
    unit = index.code(code)
    if unit is None:
        return None, _("编码“%(v)s”不是已知的街镇或村（社区）。") % {"v": code}
    if named and unit.pk not in {u.pk for u in index.payee(named).candidates}:
        return None, _("“%(name)s”与编码 %(code)s（%(label)s）不符，请核对。") % {
            "name": named,
            "code": code,
            "label": unit.label,
        }
    return unit, ""


def _written_as_shown(text: str) -> dict[str, str]:
    """Split a 收款单位 written as the app shows a unit: 月坡社区（430112001001） or 高塘岭街道/月坡社区."""
    text = normalize(text)
    match = _NAME_AND_CODE.match(text)
    if match:
        return {"code": match["code"], "name": match["name"]}
    parts = [part for part in text.split("/") if part]
    if len(parts) == 3 and is_own_district(parts[0]):
        parts = parts[1:]
    return {"street": parts[0], "community": parts[1]} if len(parts) == 2 else {}


def _find_payee(index: UnitIndex, text: dict[str, str]) -> tuple[str, Unit | None, str]:
    """Find the payee of a row: by code, else by 街镇/村（社区）, else by 收款单位 (within the street if given).

    Returns the column the payee was read from, and the unit or why there is none.
    """
    shown = _written_as_shown(text["payee"]) if text["payee"] else {}
    if "code" in shown and not text["code"]:
        return "payee", *_by_code(index, shown["code"], shown["name"])
    if "street" in shown and not (text["street"] or text["community"]):
        _column, unit, why = _find_payee(index, {**text, **shown, "payee": ""})
        return "payee", unit, why
    if text["code"]:
        return "code", *_by_code(index, text["code"])
    name_key = "community" if text["community"] else "payee"
    name = text[name_key]
    if text["street"]:
        street, why = _unit(
            index.street(text["street"]),
            text["street"],
            _("街镇“%(v)s”不是已知的街镇。") % {"v": text["street"]},
        )
        if street is None or not name or index.street(name).unit == street:
            return "street", street, why  # a line to the street itself
        missing = _("%(street)s下找不到村（社区）“%(v)s”。") % {"street": street.name, "v": name}
        return name_key, *_unit(index.community(name, street=text["street"]), name, missing)
    if not name:
        return "payee", None, _("收款单位不能为空。")
    found = index.community(name) if name_key == "community" else index.payee(name)
    return name_key, *_unit(found, name, _("收款单位“%(v)s”不是已知的街镇或村（社区）。") % {"v": name})


def _amount(cells: Cells, number: int, value, ten_thousands: bool) -> Decimal | None:
    if not clean_text(value):
        cells.error(number, "amount", _("金额不能为空。"))
        return None
    try:
        # An amount in 万元 may carry 4 more decimals: 1.2345 万元 is 12,345.00 元.
        written = read_amount(value, places=6 if ten_thousands else 2)
    except ValueError as exc:
        cells.error(number, "amount", str(exc))
        return None
    # 1.2345 万元 is 12,345.00 元: scaled first, rounded to the 分 after.
    amount = round2(written * TEN_THOUSAND) if ten_thousands else round2(written)
    if not (0 < amount <= MAX_LINE_AMOUNT):
        cells.error(
            number, "amount", _("金额应大于 0 且不超过 %(max)s 元。") % {"max": f"{MAX_LINE_AMOUNT:,.0f}"}
        )
        return None
    return amount


def _with_detail(cells: Cells, number: int, purpose: str, record: dict) -> str:
    """The purpose with what tells this payment apart appended: 三级网格指导员奖励（A小区 张一）.

    A grid or name the purpose already contains is not repeated.
    """
    written = normalize(purpose)
    detail = []
    for key in DETAIL_KEYS:
        value = clean_text(record.get(key))
        if value and normalize(value) not in written:
            detail.append(value)
    if not detail or not purpose:
        return purpose
    full = _("%(purpose)s（%(detail)s）") % {"purpose": purpose, "detail": " ".join(detail)}
    if len(full) > 100 and len(purpose) <= 100:
        cells.error(
            number,
            "purpose",
            _("用途连同“%(detail)s”共 %(n)d 字，最多 100 字，请缩短用途。")
            % {"detail": " ".join(detail), "n": len(full)},
        )
    return full


def _read_row(cells: Cells, index: UnitIndex, number: int, record: dict, ten_thousands: bool):
    before = cells.count
    text = {key: compact_text(record.get(key)) for key in PAYEE_KEYS}
    column, unit, why = _find_payee(index, text)
    if unit is None:
        cells.error(number, column, why)
    purpose = clean_text(record.get("purpose"))
    if not purpose:
        cells.error(number, "purpose", _("用途不能为空。"))
    cells.length(number, "purpose", purpose, 100)
    purpose = _with_detail(cells, number, purpose, record)
    amount = _amount(cells, number, record.get("amount"), ten_thousands)
    if cells.count != before:
        return None
    return SpecialRow(number, unit.pk, unit.label, purpose, amount)


def _written_twice(sheet: str, row: SpecialRow, first: SpecialRow, differing: list[str]) -> RowError:
    """Two rows of one line that differ somewhere: two payments or one written twice, the user says which."""
    amounts = (
        _("（金额 %(a)s 与 %(b)s 元）") % {"a": yuan_text(first.amount), "b": yuan_text(row.amount)}
        if first.amount != row.amount
        else ""
    )
    return RowError(
        sheet,
        row.row,
        "、".join(differing),
        _(
            "与第%(row)d行的收款单位、用途相同，但「%(cols)s」不同%(amounts)s。若是两笔款项，请在用途中写明区别"
            "（或加“三级网格”“姓名”列）；若是同一笔，请删去一行。"
        )
        % {"row": first.row, "cols": "、".join(differing), "amounts": amounts},
    )


def plan_rows(plan: Plan, cells: Cells, rows: list[SpecialRow], existing: list[ExistingLine]) -> None:
    """Sort the rows read into new lines, new amounts and lines already there; flag rows written twice."""
    seen: dict[tuple[int, str], SpecialRow] = {}
    by_key: dict[tuple[int, str], list[ExistingLine]] = {}
    for line in existing:
        by_key.setdefault(line_key(line.payee_id, line.purpose), []).append(line)
    repeated, unchanged = [], 0
    for row in rows:
        first = seen.get(row.key)
        if first is not None:
            differing = cells.sheet.differing_columns(first.row, row.row)
            if differing:
                plan.errors.append(_written_twice(cells.sheet.sheet, row, first, differing))
            else:
                repeated.append((row.row, first.row))
            continue
        seen[row.key] = row
        lines = by_key.get(row.key, [])
        if any(line.amount == row.amount for line in lines):
            unchanged += 1
        elif len(lines) == 1:
            row.line_id, row.old_amount = lines[0].pk, lines[0].amount
            plan.updates.append(row)
        elif lines:
            cells.error(
                row.row,
                "amount",
                _("批次中已有 %(n)d 条%(payee)s“%(purpose)s”的明细，无法确定更新哪一条，请在批次页面修改。")
                % {"n": len(lines), "payee": row.payee_name, "purpose": row.purpose},
            )
        else:
            plan.creates.append(row)
    plan.unchanged = unchanged
    if repeated:
        where = "、".join(
            _("第%(row)d行（同第%(first)d行）") % {"row": r, "first": f} for r, f in repeated[:10]
        )
        plan.notes.append(_("%(where)s与前面的行完全相同，只计一次。") % {"where": where})
    if unchanged:
        plan.notes.append(
            _("%(n)d 行与批次中已有的明细相同（收款单位、用途、金额），不会重复添加。") % {"n": unchanged}
        )
    untouched = len(existing) - unchanged - len(plan.updates)
    if existing and untouched > 0:
        plan.notes.append(_("批次中另有 %(n)d 条明细不在本文件中，保持不变。") % {"n": untouched})


def build_special_plan(data: bytes, *, batch=None) -> Plan:
    """Read a finance list of special payments and compare it with the lines already in the batch."""
    plan = Plan()
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    if not any(key in sheet.columns for key in PAYEE_KEYS):
        plan.errors.append(
            RowError(
                sheet.sheet,
                sheet.header_row,
                "",
                _("缺少收款单位列：请用“收款单位”列，或“街镇”“村（社区）”两列。"),
            )
        )
        return plan
    cells = Cells(sheet, plan.errors)
    ten_thousands = _is_ten_thousands(sheet.columns["amount"], sheet.preamble)
    if ten_thousands:
        plan.notes.append(
            _("「%(col)s」以万元为单位，已按 ×10,000 换算为元（例如 4.8 万元 = 48,000.00 元）。")
            % {"col": sheet.columns["amount"]}
        )
    index = UnitIndex.load()
    rows = [_read_row(cells, index, number, record, ten_thousands) for number, record in sheet.rows]
    plan_rows(plan, cells, [row for row in rows if row is not None], existing_lines(batch) if batch else [])
    if not plan.errors:
        kept: dict = {}
        for row in rows:
            kept.setdefault(row.key, row)  # a row written twice, alike in every cell, counts once
        _check_stated_total(cells, sum((row.amount for row in kept.values()), Decimal("0")), ten_thousands)
    return plan


def _check_stated_total(cells: Cells, counted: Decimal, ten_thousands: bool) -> None:
    """A 合计 row under the list must agree with the lines it would give: a row counted once that the
    writer meant twice, or a row left out, shows as a difference, and money is not paid on a guess."""
    for number, record in cells.sheet.totals:
        if not clean_text(record.get("amount")):
            continue  # a 合计 row without a figure (a formula Excel never calculated) states nothing
        before = cells.count
        stated = _amount(cells, number, record.get("amount"), ten_thousands)
        if cells.count > before or stated is None:
            continue
        if stated != counted:
            cells.error(
                number,
                "amount",
                _(
                    "表中合计为 %(stated)s 元，而导入的明细合计为 %(counted)s 元，两者不符。"
                    "请核对是否有重复只计一次的行或遗漏的行；若确需两笔相同的款项，请在用途或姓名中加以区分。"
                )
                % {"stated": yuan_text(stated), "counted": yuan_text(counted)},
            )
