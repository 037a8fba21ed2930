from decimal import Decimal

import pytest

from core.money import capital_amount, parse_money
from core.numbers import percent, round2


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("3717600", "叁佰柒拾壹万柒仟陆佰元整"),
        ("4000000", "肆佰万元整"),
        ("891650", "捌拾玖万壹仟陆佰伍拾元整"),
        ("709200", "柒拾万玖仟贰佰元整"),
        ("400000.00", "肆拾万元整"),
        ("1004.50", "壹仟零肆元伍角"),
        ("1000.05", "壹仟元零伍分"),
        ("10.00", "壹拾元整"),
        ("105000", "壹拾万伍仟元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("100000001", "壹亿零壹元整"),
        ("0.07", "柒分"),
        ("0", "零元整"),
        ("30.10", "叁拾元壹角"),
        ("2005.35", "贰仟零伍元叁角伍分"),
    ],
)
def test_capital_amount(amount, text):
    assert capital_amount(Decimal(amount)) == text


def test_round2_is_half_up_and_percent_uses_it():
    assert round2(Decimal("2.345")) == Decimal("2.35")
    assert round2(Decimal("2.344")) == Decimal("2.34")
    assert percent(3717600, 4000000) == Decimal("92.94")


@pytest.mark.parametrize(
    ("text", "value"), [("3,000.00", "3000.00"), ("3000元", "3000.00"), (1500, "1500.00"), (0.005, "0.01")]
)
def test_parse_money(text, value):
    assert parse_money(text) == Decimal(value)


@pytest.mark.parametrize("text", ["abc", "", "NaN", "inf", "0.005"])
def test_parse_money_refuses_non_amounts(text):
    with pytest.raises(ValueError):
        parse_money(text)


@pytest.mark.parametrize("text", ["1e27", "99999999999999"])
def test_absurd_amounts_are_not_money(text):
    with pytest.raises(ValueError):
        parse_money(text)
