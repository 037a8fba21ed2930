import datetime as dt
from decimal import Decimal

import pytest

from assessments import rules
from assessments.demo import solve_quarter


@pytest.mark.parametrize(("month", "quarter"), [(1, 1), (3, 1), (4, 2), (9, 3), (10, 4), (12, 4)])
def test_quarter_of(month, quarter):
    assert rules.quarter_of(dt.date(2022, month, 15)) == quarter


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("优秀", "excellent"),
        (" 合格 ", "qualified"),
        ("基本合格", "basic"),
        ("不合格", "unqualified"),
        ("良好", None),
    ],
)
def test_parse_rating(text, value):
    assert rules.parse_rating(text) == value


def test_zero_complaint_reward_depends_on_kind():
    amounts = {"urban": Decimal("5000.00"), "rural": Decimal("3000.00")}
    assert rules.zero_complaint_reward("urban", **amounts) == Decimal("5000.00")
    assert rules.zero_complaint_reward("rural", **amounts) == Decimal("3000.00")


def test_quota_error_names_quota_and_count():
    assert rules.quota_error(level=3, where="全区", quota=355, count=355) is None
    message = rules.quota_error(level=3, where="高塘岭街道", quota=36, count=38)
    assert message == "高塘岭街道三级网格优秀名额为 36 个，保存后将有 38 个优秀，超出 2 个。"


def test_closure_rate_rounds_half_up():
    assert rules.closure_rate(12061, 12857) == Decimal("93.81")
    assert rules.closure_rate(1, 8) == Decimal("12.50")
    assert rules.closure_rate(1, 200) == Decimal("0.50")
    assert rules.closure_rate(0, 0) is None


def test_median_hours():
    assert rules.median_hours([]) is None
    hours = [dt.timedelta(hours=h) for h in (1, 2, 10)]
    assert rules.median_hours(hours) == Decimal("2.0")
    assert rules.median_hours([dt.timedelta(hours=1), dt.timedelta(hours=2)]) == Decimal("1.5")


def test_solve_quarter_finds_counts_that_give_the_total_exactly():
    rewards = {
        "zero_urban": Decimal(5000),
        "zero_rural": Decimal(3000),
        "qualified3": Decimal(100),
        "qualified4": Decimal(30),
    }
    counts = solve_quarter(
        Decimal("709200"), fixed=Decimal("440100"), urban=50, rural=96, pool3=370, pool4=4707, **rewards
    )
    total = (
        Decimal("440100")
        + 5000 * counts.zero_urban
        + 3000 * counts.zero_rural
        + 100 * counts.qualified3
        + 30 * counts.qualified4
    )
    assert total == Decimal("709200")
    assert counts.qualified3 <= 370 and counts.qualified4 <= 4707
    with pytest.raises(ValueError):
        solve_quarter(
            Decimal("10"), fixed=Decimal("440100"), urban=50, rural=96, pool3=370, pool4=4707, **rewards
        )
