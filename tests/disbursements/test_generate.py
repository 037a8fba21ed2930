from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from assessments.models import RatingReward
from disbursements.exceptions import DisbursementError
from disbursements.models import BatchKind, BatchLine, DisbursementBatch
from disbursements.services.batches import generate_quarterly_batch
from disbursements.services.workflow import apply_transition

# a社区 urban zero-complaint 5,000; a小区 优秀 600; a1栋 合格 30; b小区 合格 100; b1栋 优秀 300; b2栋 合格 30.
EXPECTED = {
    ("零投诉（城市社区）", "a社区", None): Decimal("5000.00"),
    ("三级网格优秀", "a社区", "a小区"): Decimal("600.00"),
    ("四级网格合格", "a社区", "a1栋"): Decimal("30.00"),
    ("三级网格合格", "b社区", "b小区"): Decimal("100.00"),
    ("四级网格优秀", "b社区", "b1栋"): Decimal("300.00"),
    ("四级网格合格", "b社区", "b2栋"): Decimal("30.00"),
}


def lines_of(batch):
    return {
        (line.reason, line.community.name, line.grid.name if line.grid else None): line.amount
        for line in batch.lines.select_related("community", "grid")
    }


def test_generate_makes_one_traceable_line_per_reward(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert (batch.kind, batch.status, batch.title) == (BatchKind.QUARTERLY, "draft", "2022年第1季度考核奖励")
    assert lines_of(batch) == EXPECTED
    assert batch.total == Decimal("6060.00")
    zero = batch.lines.get(category="zero_complaint")
    assert zero.zero_result.community == zero.community and zero.zero_result.is_zero
    for line in batch.lines.filter(category="grid_rating").select_related("rating"):
        assert line.rating.grid_id == line.grid_id and line.rating.period_id == locked_q1.pk
    assert batch.rules["zero_complaint"] == {"urban": "5000.00", "rural": "3000.00"}
    assert batch.transitions.get().action == "generate"


def test_only_a_locked_quarter_with_a_budget_generates(users, roster, q1, year):
    with pytest.raises(DisbursementError, match="尚未锁定"):
        generate_quarterly_batch(user=users["center"], period=q1)


def test_rule_changes_never_change_an_existing_batch_until_a_draft_is_regenerated(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    RatingReward.objects.filter(level=4, rating="qualified").update(amount=Decimal("50.00"))
    assert DisbursementBatch.objects.get(pk=batch.pk).total == Decimal("6060.00")
    assert BatchLine.objects.filter(batch=batch, reason="四级网格合格").first().amount == Decimal("30.00")
    again = generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert again.pk == batch.pk and again.total == Decimal("6100.00")
    assert again.rules["grid_rating"]["4:qualified"] == "50.00"
    assert [t.action for t in again.transitions.all()] == ["generate", "regenerate"]


def test_a_second_batch_for_the_quarter_is_refused(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    with pytest.raises(DisbursementError, match="已有拨付批次（已审核），不能再生成"):
        generate_quarterly_batch(user=users["center"], period=locked_q1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisbursementBatch.objects.create(
            budget=batch.budget, kind="quarterly", period=locked_q1, title="x", created_by=users["center"]
        )


def test_a_cancelled_batch_frees_the_quarter(users, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=batch, action="cancel", user=users["center"], comment="规则有误")
    fresh = generate_quarterly_batch(user=users["center"], period=locked_q1)
    assert fresh.pk != batch.pk and fresh.total == Decimal("6060.00")


@pytest.mark.parametrize("role", ["street", "finance", "leader", "admin"])
def test_only_center_staff_generate(users, locked_q1, role):
    with pytest.raises(PermissionDenied):
        generate_quarterly_batch(user=users[role], period=locked_q1)
