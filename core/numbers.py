"""Decimal helpers shared by every app: one rounding rule (ROUND_HALF_UP) to 2 places."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round2(value) -> Decimal:
    """Round to 2 places, half up (0.005 -> 0.01), as Chinese financial forms do."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part, whole, *, when_empty: Decimal | None = Decimal("100.00")) -> Decimal | None:
    """part / whole as a percentage with 2 places; `when_empty` when whole is 0."""
    if not whole:
        return when_empty
    return round2(Decimal(part) * 100 / Decimal(whole))


MAX_ID = 2**63 - 1  # the largest 64-bit primary key


def int_param(value: str | None) -> int | None:
    """A query parameter as a non-negative id or count, or None.

    Only ASCII digits count ("²".isdigit() is true), and at most 18 of them, so the number fits the
    database's 64-bit keys: a longer one would overflow the query instead of finding nothing.
    """
    value = (value or "").strip()
    if 0 < len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    return None
