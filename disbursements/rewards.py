"""Reward amounts as plain functions over plain values (no ORM), so they are tested on their own.

The rules are the year's assessment settings; a batch stores the values it used (RewardRules.as_dict)
so that changing a rule never changes an existing batch.
"""

from dataclasses import dataclass
from decimal import Decimal

from core.numbers import round2

KIND_LABELS = {"urban": "城市社区", "rural": "其他村（社区）"}
LEVEL_LABELS = {3: "三级网格", 4: "四级网格"}
RATING_LABELS = {"excellent": "优秀", "qualified": "合格", "basic": "基本合格", "unqualified": "不合格"}


@dataclass(frozen=True)
class RewardRules:
    zero_urban: Decimal
    zero_rural: Decimal
    rating: dict  # (level, rating) -> amount per grid per quarter

    def as_dict(self) -> dict:
        return {
            "zero_complaint": {"urban": str(self.zero_urban), "rural": str(self.zero_rural)},
            "grid_rating": {
                f"{level}:{rating}": str(amount) for (level, rating), amount in sorted(self.rating.items())
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> "RewardRules":
        rating = {}
        for key, amount in data["grid_rating"].items():
            level, name = key.split(":")
            rating[(int(level), name)] = Decimal(amount)
        zero = data["zero_complaint"]
        return cls(Decimal(zero["urban"]), Decimal(zero["rural"]), rating)


@dataclass(frozen=True)
class Reward:
    reason: str
    rule: str
    amount: Decimal


def zero_complaint_reward(kind: str, rules: RewardRules) -> Reward:
    amount = round2(rules.zero_urban if kind == "urban" else rules.zero_rural)
    label = KIND_LABELS.get(kind, KIND_LABELS["rural"])
    return Reward(f"零投诉（{label}）", f"{label}零投诉 {amount:,.2f} 元/季度", amount)


def rating_reward(level: int, rating: str, rules: RewardRules) -> Reward:
    amount = round2(rules.rating.get((level, rating), Decimal("0")))
    label = f"{LEVEL_LABELS[level]}{RATING_LABELS[rating]}"
    return Reward(label, f"{label} {amount:,.2f} 元/季度", amount)


def total(amounts) -> Decimal:
    return round2(sum(amounts, Decimal("0")))


def differences(due: dict, paid: dict) -> dict:
    """What a correction pays (+, 补发) or recovers (−, 追回) per source: now due minus already paid.

    Keys are any hashable source (a result); sources whose difference is nil are left out.
    """
    result = {}
    for key in due.keys() | paid.keys():
        difference = round2(due.get(key, Decimal("0")) - paid.get(key, Decimal("0")))
        if difference:
            result[key] = difference
    return result
