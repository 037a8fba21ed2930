"""Import of special-batch lines: 收款单位 (a street or village/community, by code or name), 用途, 金额."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.import_plan import Cells, Plan, read_first_sheet
from core.money import parse_money
from core.xlsx import Column, clean_text, compact_text
from disbursements.models import MAX_LINE_AMOUNT
from grids.matching import community_key, street_key
from grids.models import Grid, GridLevel

COLUMNS = [
    Column("payee", "收款单位", ("单位", "街镇", "村（社区）", "拨付单位", "收款单位名称"), required=True),
    Column("purpose", "用途", ("事由", "项目", "资金用途"), required=True),
    Column("amount", "金额", ("金额（元）", "拨付金额", "金额(元)"), required=True),
]
STREET_SUFFIXES = ("街道", "镇", "办事处", "人民政府")
COMMUNITY_SUFFIXES = ("社区", "村", "委会", "委员会")


@dataclass
class SpecialRow:
    row: int
    payee_id: int
    payee_name: str
    purpose: str
    amount: Decimal


class PayeeMatcher:
    """Finds a street or village/community by code, exact name, or name without its usual suffix."""

    def __init__(self):
        self.by_code, self.exact = {}, {}
        self.streets: dict[str, list] = {}
        self.communities: dict[str, list] = {}
        rows = Grid.objects.filter(level__in=(GridLevel.STREET, GridLevel.COMMUNITY)).values_list(
            "pk", "code", "name", "level", "street__name"
        )
        for pk, code, name, level, street_name in rows:
            label = name if level == GridLevel.STREET else f"{street_name}{name}"
            self.by_code[code] = (pk, label)
            self.exact.setdefault(name, []).append((pk, label))
            if level == GridLevel.STREET:
                self.streets.setdefault(street_key(name), []).append((pk, label))
            else:
                self.communities.setdefault(community_key(name), []).append((pk, label))

    def match(self, text: str) -> list[tuple[int, str]]:
        """Every unit the text may mean (one for a clear match)."""
        if text in self.by_code:
            return [self.by_code[text]]
        if text in self.exact:
            return self.exact[text]
        streets = self.streets.get(street_key(text), [])
        communities = self.communities.get(community_key(text), [])
        if text.endswith(STREET_SUFFIXES):
            return streets
        if text.endswith(COMMUNITY_SUFFIXES):
            return communities
        return streets + communities


def build_special_plan(data: bytes) -> Plan:
    plan = Plan()
    sheet = read_first_sheet(data, COLUMNS, plan)
    if sheet is None:
        return plan
    cells = Cells(sheet, plan.errors)
    matcher = PayeeMatcher()
    for number, record in sheet.rows:
        before = cells.count
        payee_text = compact_text(record.get("payee"))
        payee = None
        if payee_text:
            unique = dict(matcher.match(payee_text))
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
        else:
            cells.error(number, "payee", _("收款单位不能为空。"))
        purpose = clean_text(record.get("purpose"))
        if not purpose:
            cells.error(number, "purpose", _("用途不能为空。"))
        cells.length(number, "purpose", purpose, 100)
        amount = None
        if not clean_text(record.get("amount")):
            cells.error(number, "amount", _("金额不能为空。"))
        else:
            try:
                amount = parse_money(record.get("amount"))
            except ValueError:
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
