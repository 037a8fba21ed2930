"""Money in 元: parsing, and amounts in Chinese capital numerals (大写金额) for payment notices."""

from decimal import Decimal

from core.normalise import read_amount
from core.numbers import round2

ZERO = Decimal("0.00")
# Every amount of money the database stores, and every form takes: up to 999,999,999,999.99 元, to the 分.
MONEY = {"max_digits": 14, "decimal_places": 2}

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
GROUP_UNITS = ["", "万", "亿", "万亿"]


def parse_money(text) -> Decimal:
    """Read an amount (a number, or text such as '3,000.00', '¥3,000' or '3000元') rounded to the 分;
    ValueError with the reason if it is not one (core.normalise.read_amount)."""
    return round2(read_amount(text))


def _four_digits(number: int) -> str:
    """Capital numerals for 0 < number < 10000, with 零 between non-zero digits only."""
    text = ""
    pending_zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def capital_amount(amount) -> str:
    """Write an amount in 元 as the capital numerals used on Chinese financial documents.

    3717600 -> 叁佰柒拾壹万柒仟陆佰元整; 1004.5 -> 壹仟零肆元伍角; 0.07 -> 柒分.
    """
    value = round2(amount)
    if value < 0:
        return "负" + capital_amount(-value)
    yuan = int(value)
    cents = int((value - yuan) * 100)
    jiao, fen = divmod(cents, 10)
    text = ""
    if yuan:
        groups = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or group < 1000):
                text += "零"
            text += _four_digits(group) + GROUP_UNITS[index]
            pending_zero = False
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text
