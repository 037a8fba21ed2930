"""The batch page's street totals and 到账/下发 parts from one sum of its lines per street and village
(disbursements.selectors.line_sums): the same figures as summing the lines directly, per user's scope."""

from decimal import Decimal

from django.db.models import Count, Sum

from disbursements.models import BatchLine
from disbursements.selectors import line_sums, street_totals
from disbursements.selectors_receipts import street_parts
from tests.disbursements.receipt_helpers import pay_special


def test_street_totals_and_parts_from_the_sums_are_the_lines_own(users, roster, budget):
    a, b = roster["a"], roster["b"]
    batch = pay_special(
        users,
        "专项",
        [
            (a["community"], "3000.00"),
            (a["street"], "125.50"),
            (b["community"], "800.25"),
            (a["community"], "0.75"),
        ],
    )
    for who in ("center", "street", "street_b"):
        user = users[who]
        lines = BatchLine.objects.for_user(user).filter(batch=batch)
        direct = {
            row["street_id"]: (row["amount"], row["lines"], row["communities"])
            for row in lines.values("street_id").annotate(
                amount=Sum("amount"), lines=Count("id"), communities=Count("community", distinct=True)
            )
        }
        totals = street_totals(user, batch)
        assert {t["street_id"]: (t["amount"], t["lines"], t["communities"]) for t in totals} == direct, who
        assert [t["street__code"] for t in totals] == sorted(t["street__code"] for t in totals)
        sums = line_sums(user, batch)
        assert street_parts(user, batch=batch, sums=sums) == street_parts(user, batch=batch), who
    center_totals = {t["street__name"]: t for t in street_totals(users["center"], batch)}
    assert (
        center_totals["a街道"]["amount"] == Decimal("3126.25") and center_totals["a街道"]["communities"] == 1
    )
    assert [t["street__name"] for t in street_totals(users["street_b"], batch)] == ["b街道"]


def test_a_street_missing_from_the_kept_names_is_read_directly(users, roster, budget, monkeypatch):
    from disbursements import selectors

    batch = pay_special(users, "专项", [(roster["a"]["community"], "10.00")])
    monkeypatch.setattr(selectors, "upper_labels", lambda: {})  # names read before the street was set up
    [row] = line_sums(users["center"], batch)
    assert (row["street__name"], row["community__name"]) == ("a街道", "a社区")
