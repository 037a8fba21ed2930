"""Scoring of the 项目支出绩效自评表 as plain functions (财预〔2020〕10号, attachment 1).

- Funds: execution rate × 10, at most 10 (3,717,600 / 4,000,000 = 92.94% → 9.29). The score is
  computed from the exact rate and rounded once: 3,717,800 / 4,000,000 = 92.945% shows as 92.95%
  but scores 9.2945 → 9.29; rounding the rate first would give 9.30.
- A quantitative indicator gets full marks when its target is met, otherwise actual ÷ target of its
  points for a "≥" indicator, target ÷ actual for a "≤" indicator.
- A qualitative indicator falls in three bands of its points: achieved 100–80%, partly achieved
  80–60%, not achieved 60–0%.
- Total 100 = 10 + 50 + 30 + 10; grade 优 ≥ 90, 良 80–90, 中 60–80, 差 < 60.
All scores are rounded half up to 2 places.
"""

from decimal import Decimal

from core.numbers import round2

BANDS = {
    "achieved": (Decimal(80), Decimal(100)),
    "partly": (Decimal(60), Decimal(80)),
    "not": (Decimal(0), Decimal(60)),
}
GRADES = [(Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差")]


def execution_rate(executed: Decimal, budget: Decimal) -> Decimal:
    """全年执行数 ÷ 全年预算数, as a percentage with 2 places (0 for no budget)."""
    if not budget:
        return Decimal("0.00")
    return round2(Decimal(executed) * 100 / Decimal(budget))


def fund_score(executed: Decimal, budget: Decimal, points: Decimal = Decimal(10)) -> Decimal:
    """The funds block's score: min(executed ÷ budget, 1) × points, from the unrounded rate."""
    if not budget:
        return Decimal("0.00")
    share = min(Decimal(executed) / Decimal(budget), Decimal(1))
    return round2(max(share, Decimal(0)) * Decimal(points))


def quantitative_score(direction: str, target: Decimal, actual: Decimal | None, points: Decimal) -> Decimal:
    """Full points when the target is met, otherwise in proportion (actual/target or target/actual)."""
    points = Decimal(points)
    if actual is None:
        return Decimal("0.00")
    target, actual = Decimal(target), Decimal(actual)
    if direction == ">=":
        if actual >= target or target <= 0:
            return round2(points)
        return round2(points * max(actual, Decimal(0)) / target)
    if direction == "<=":
        if actual <= target:
            return round2(points)
        return round2(points * max(target, Decimal(0)) / actual)
    if direction == "=":
        if actual == target:
            return round2(points)
        low, high = sorted((abs(actual), abs(target)))
        return round2(points * low / high) if high else Decimal("0.00")
    raise ValueError(f"unknown direction {direction!r}")


def qualitative_score(band: str, points: Decimal, percent: Decimal | None = None) -> Decimal:
    """Points × a percentage inside the band (default: the top of the band)."""
    low, high = BANDS[band]
    percent = high if percent is None else Decimal(percent)
    if not (low <= percent <= high):
        raise ValueError(f"{percent}% is outside the {band} band ({low}–{high}%)")
    return round2(Decimal(points) * percent / 100)


def grade(total: Decimal) -> str:
    for floor, name in GRADES:
        if total >= floor:
            return name
    return GRADES[-1][1]
