from decimal import Decimal

from disbursements.rewards import RewardRules, rating_reward, total, zero_complaint_reward

RULES = RewardRules(
    Decimal("5000"),
    Decimal("3000"),
    {
        (3, "excellent"): Decimal("600"),
        (3, "qualified"): Decimal("100"),
        (4, "excellent"): Decimal("300"),
        (4, "qualified"): Decimal("30"),
    },
)


def test_zero_complaint_reward_by_kind():
    urban = zero_complaint_reward("urban", RULES)
    assert (urban.reason, urban.rule, urban.amount) == (
        "零投诉（城市社区）",
        "城市社区零投诉 5,000.00 元/季度",
        Decimal("5000.00"),
    )
    assert zero_complaint_reward("rural", RULES).amount == Decimal("3000.00")


def test_rating_reward_and_missing_rule_is_zero():
    reward = rating_reward(4, "qualified", RULES)
    assert (reward.reason, reward.amount) == ("四级网格合格", Decimal("30.00"))
    assert rating_reward(4, "basic", RULES).amount == Decimal("0.00")


def test_rules_round_trip_through_the_batch_snapshot():
    assert RewardRules.from_dict(RULES.as_dict()) == RULES


def test_total_sums_to_cents():
    assert total([Decimal("0.10")] * 3) == Decimal("0.30")
    assert total([]) == Decimal("0.00")
