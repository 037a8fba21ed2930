"""The words of the self-evaluation report that are made from figures, as plain functions.

Money in the report's prose is exact, never rounded to whole 元 or to 2 places of 万元:
- in 元, a plain number as the reference report writes it (891650元), with its 角 and 分 when it has
  any (1857150.49元);
- in 万元, with as many decimals as the amount needs and no trailing zeros (400万元, 371.76万元,
  185.715049万元): an amount in 元 has 2 places, so in 万元 it never needs more than 6.
The 自评表's funds block keeps the form's own 2 places of 万元 (templates' `wan`); that is the form's
layout, not prose.
"""

import datetime as dt
import re

from core.numbers import round2

UNITS = {"元": 0, "万元": 4}  # the unit and its power of ten
# A note at the end of one payment line's purpose, e.g. 三级网格指导员奖励资金（12 名）: it tells the line
# apart from its neighbours, not what kind of payment the batch made.
TRAILING_NOTE = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")


def money_text(amount, *, unit: str = "元") -> str:
    """Write an amount of 元 exactly in 元 or 万元, without separators: 1857150.49 → 1857150.49元 or 185.715049万元."""
    value = round2(amount)
    if unit == "元":
        number = f"{value:f}" if value != value.to_integral_value() else f"{value:.0f}"
    else:
        number = f"{value.scaleb(-UNITS[unit]).normalize():f}"
    return f"{number}{unit}"


def budget_changes(adjustments, *, carryover, other, full_year) -> str:
    """The sentence after the budget's basis telling how the year's budget changed (empty when it did not):
    each adjustment with its date and 文号, the carryover and other funds, and the resulting 全年预算数."""
    parts = [
        f"{a.adjusted_on.year}年{a.adjusted_on.month}月{a.adjusted_on.day}日{a.document_no}"
        f"{'追加' if a.amount > 0 else '调减'}预算{money_text(abs(a.amount), unit='万元')}"
        for a in adjustments
    ]
    funds = [
        f"{label}{money_text(amount, unit='万元')}"
        for label, amount in (("上年结转资金", carryover), ("其他资金", other))
        if amount
    ]
    if not parts and not funds:
        return ""
    text = "年度中，" + "；".join(parts) if parts else ""
    if funds:
        text += ("；另有" if text else "另有") + "、".join(funds)
    return f"{text}，全年预算数{money_text(full_year, unit='万元')}。"


def payment_names(purposes: list[str]) -> str:
    """Name the purposes of a year's special payments once each, in the order given: A、B以及C."""
    names = []
    for purpose in purposes:
        name = TRAILING_NOTE.sub("", purpose or "").strip()
        if name and name not in names:
            names.append(name)
    if len(names) <= 1:
        return names[0] if names else ""
    return "、".join(names[:-1]) + "以及" + names[-1]


def paid_at_year_end(paid_on: list[dt.date], year: int) -> bool:
    """Whether every special payment came at the year's end (from December on) and can be called 年终."""
    return bool(paid_on) and all(day >= dt.date(year, 12, 1) for day in paid_on)
