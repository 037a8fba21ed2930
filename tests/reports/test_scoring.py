from decimal import Decimal

import pytest

from reports.scoring import execution_rate, fund_score, grade, qualitative_score, quantitative_score

D = Decimal


# Hand-checked: (executed, budget, points, rate shown, score). The score is min(executed ÷ budget, 1)
# × points from the exact quotient, rounded half up once; the rate is shown with 2 places.
FUND_CASES = [
    ("3717600", "4000000", "10", "92.94", "9.29"),  # 2022: 0.9294 × 10 = 9.294
    ("3717800", "4000000", "10", "92.95", "9.29"),  # 0.92945 × 10 = 9.2945 (92.95% × 10 would be 9.30)
    ("3718000", "4000000", "10", "92.95", "9.30"),  # 0.9295 × 10 = 9.295, half up
    ("3717999.99", "4000000", "10", "92.95", "9.29"),  # 0.9294999975 × 10 = 9.294999975
    ("500450", "1000000", "10", "50.05", "5.00"),  # 0.50045 × 10 = 5.0045 (50.05% × 10 would be 5.01)
    ("1857150.49", "2000000", "10", "92.86", "9.29"),  # 0.928575245 × 10 = 9.28575245
    ("3717600", "4000000", "20", "92.94", "18.59"),  # 0.9294 × 20 = 18.588
    ("4000000", "4000000", "10", "100.00", "10.00"),
    ("4400000", "4000000", "10", "110.00", "10.00"),  # overspending: at most full marks
    ("0", "4000000", "10", "0.00", "0.00"),
    ("0", "0", "10", "0.00", "0.00"),  # no budget: nothing to execute, no score
]


@pytest.mark.parametrize(("executed", "budget", "points", "rate", "score"), FUND_CASES)
def test_fund_score_comes_from_the_unrounded_execution_rate(executed, budget, points, rate, score):
    assert execution_rate(D(executed), D(budget)) == D(rate)
    assert fund_score(D(executed), D(budget), D(points)) == D(score)


def test_2022_fund_score_is_the_reports_9_29():
    assert fund_score(D("3717600.00"), D("4000000.00")) == D("9.29")


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
