"""Import of special-batch lines: 收款单位 (a street or village/community, by code or name), 用途, 金额."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from assessments.importers.common import Cells, Plan, read_first_sheet
from assessments.rules import community_key, street_key
from core.money import parse_money
from core.xlsx import Column, clean_text, compact_text
from grids.models import Grid, GridLevel

COLUMNS = [
    Column("payee", "收款单位", ("单位", "街镇", "村（社区）", "拨付单位", "收款单位名称"), required=True),
    Column("purpose", "用途", ("事由", "项目", "资金用途"), required=True),
    Column("amount", "金额", ("金额（元）", "拨付金额", "金额(元)"), required=True),
]
MAX_LINE_AMOUNT = Decimal("10000000")


@dataclass
class SpecialRow:
    row: int
    payee_id: int
    payee_name: str
    purpose: str
    amount: Decimal


def _payees() -> tuple[dict, dict]:
    by_code, by_name = {}, {}
    for pk, code, name, level, street_name in Grid.objects.filter(
        level__in=(GridLevel.STREET, GridLevel.COMMUNITY)
    ).values_list("pk", "code", "name", "level", "street__name"):
        by_code[code] = (pk, name)
        key = street_key(name) if level == GridLevel.STREET else community_key(name)
        by_name.setdefault(key, []).append(
            (pk, name if level == GridLevel.STREET else f"{street_name}{name}")
        )
    return by_code, by_name


def build_special_plan(data: bytes) -> Plan:
    plan = Plan()
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    cells = Cells(sheet, plan.errors)
    by_code, by_name = _payees()
    for number, record in sheet.rows:
        before = cells.count
        payee_text = compact_text(record.get("payee"))
        payee = by_code.get(payee_text)
        if payee is None and payee_text:
            candidates = by_name.get(street_key(payee_text), []) + by_name.get(community_key(payee_text), [])
            unique = {pk: name for pk, name in candidates}
            if len(unique) == 1:
                payee = next(iter(unique.items()))
            elif len(unique) > 1:
                cells.error(
                    number, "payee", _("收款单位“%(v)s”有多个同名单位，请填写编码。") % {"v": payee_text}
                )
            else:
                cells.error(
                    number, "payee", _("收款单位“%(v)s”不是已知的街镇或村（社区）。") % {"v": payee_text}
                )
        elif not payee_text:
            cells.error(number, "payee", _("收款单位不能为空。"))
        purpose = clean_text(record.get("purpose"))
        if not purpose:
            cells.error(number, "purpose", _("用途不能为空。"))
        cells.length(number, "purpose", purpose, 100)
        try:
            amount = parse_money(record.get("amount"))
        except ValueError:
            amount = None
            cells.error(
                number, "amount", _("金额“%(v)s”不是数字。") % {"v": clean_text(record.get("amount"))}
            )
        if amount is not None and not (0 < amount <= MAX_LINE_AMOUNT):
            cells.error(
                number, "amount", _("金额应大于 0 且不超过 %(max)s 元。") % {"max": f"{MAX_LINE_AMOUNT:,.0f}"}
            )
        if cells.count == before:
            plan.creates.append(SpecialRow(number, payee[0], payee[1], purpose, amount))
    return plan
