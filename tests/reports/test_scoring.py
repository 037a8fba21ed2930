from decimal import Decimal

import pytest

from reports.scoring import execution_rate, fund_score, grade, qualitative_score, quantitative_score

D = Decimal


def test_2022_fund_score():
    assert execution_rate(D("3717600"), D("4000000")) == D("92.94")
    assert fund_score(D("3717600"), D("4000000")) == D("9.29")


def test_fund_score_is_capped_at_full_marks_when_overspending():
    assert execution_rate(D("4400000"), D("4000000")) == D("110.00")
    assert fund_score(D("4400000"), D("4000000")) == D("10.00")
    assert fund_score(D("0"), D("0")) == D("0.00")


def test_fund_score_rounds_half_up():
    # 92.945% → 92.95% (half up) → 9.30 (9.295 half up)
    assert execution_rate(D("3717800"), D("4000000")) == D("92.95")
    assert fund_score(D("3717800"), D("4000000")) == D("9.30")


@pytest.mark.parametrize(
    ("direction", "target", "actual", "points", "score"),
    [
        (">=", "725", "725", "5", "5.00"),
        (">=", "725", "800", "5", "5.00"),
        (">=", "12000", "9000", "5", "3.75"),
        (">=", "0", "0", "5", "5.00"),  # zero target: met by anything
        (">=", "100", "-5", "5", "0.00"),
        ("<=", "4000000", "3717600", "10", "10.00"),
        ("<=", "4000000", "5000000", "10", "8.00"),  # overspending: target ÷ actual
        ("<=", "0", "10", "10", "0.00"),
        ("=", "100", "100", "10", "10.00"),
        ("=", "100", "95", "10", "9.50"),
        (">=", "3", "2", "10", "6.67"),  # 6.666… rounds half up
    ],
)
def test_quantitative_score(direction, target, actual, points, score):
    assert quantitative_score(direction, D(target), D(actual), D(points)) == D(score)


def test_missing_actual_scores_zero_and_unknown_direction_raises():
    assert quantitative_score(">=", D("1"), None, D("5")) == D("0.00")
    with pytest.raises(ValueError):
        quantitative_score("~", D("1"), D("1"), D("5"))


def test_qualitative_bands():
    assert qualitative_score("achieved", D("10")) == D("10.00")
    assert qualitative_score("achieved", D("10"), D("85")) == D("8.50")
    assert qualitative_score("partly", D("10")) == D("8.00")
    assert qualitative_score("partly", D("10"), D("65")) == D("6.50")
    assert qualitative_score("not", D("10"), D("30")) == D("3.00")
    with pytest.raises(ValueError):
        qualitative_score("partly", D("10"), D("90"))


@pytest.mark.parametrize(
    ("total", "name"),
    [
        ("99.29", "优"),
        ("90", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.5", "中"),
        ("60", "中"),
        ("59.99", "差"),
    ],
)
def test_grade(total, name):
    assert grade(D(total)) == name
