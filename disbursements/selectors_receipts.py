"""Named reads of the money's last mile: each street's part of a paid batch, its receipt and its 下发."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import access
from core.money import ZERO
from core.numbers import round2
from disbursements.models import BatchLine, BatchStatus, DisbursementBatch, PassOn, PassOnKind, StreetReceipt


class PartStatus:
    RECEIVE = "receive"
    PASS_ON = "pass_on"
    DONE = "done"


STATUS_LABELS = {
    PartStatus.RECEIVE: "待确认到账",
    PartStatus.PASS_ON: "待下发",
    PartStatus.DONE: "已下发",
}


@dataclass
class CommunityShare:
    """A village's or community's part of a street part: what the lines give it and what reached it."""

    community_id: int
    name: str
    code: str
    due: Decimal
    passed: Decimal = ZERO
    has_pass_on: bool = False  # its one 下发 is recorded; later entries are corrections
    passed_on: dt.date | None = None  # the day of that 下发

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.passed


@dataclass
class StreetPart:
    """A street's part of a paid batch (its 拨付通知 amount), with where the money went since."""

    batch: DisbursementBatch
    street_id: int
    street_name: str
    amount: Decimal
    receipt: StreetReceipt | None = None
    own: Decimal = ZERO  # lines paid to the street itself: its own money, nothing to pass on
    communities: list[CommunityShare] = field(default_factory=list)
    street_code: str = ""
    as_of: dt.date | None = None  # the day the part is seen on (a bulletin's month end); None is today

    @property
    def passed(self) -> Decimal:
        return sum((c.passed for c in self.communities), ZERO)

    @property
    def held(self) -> Decimal:
        """Received and not passed on (the street's own lines included)."""
        return (self.receipt.amount if self.receipt else ZERO) - self.passed

    @property
    def pending(self) -> list[CommunityShare]:
        return [c for c in self.communities if c.due > 0 and not c.has_pass_on]

    @property
    def status(self) -> str:
        if self.receipt is None:
            return PartStatus.RECEIVE
        return PartStatus.PASS_ON if self.pending else PartStatus.DONE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def received(self) -> Decimal:
        return self.receipt.amount if self.receipt else ZERO

    @property
    def owed(self) -> Decimal:
        """What the communities still wait for: unrecorded shares and the shortfall of short 下发."""
        return sum((max(c.outstanding, ZERO) for c in self.communities), ZERO)

    @property
    def is_open(self) -> bool:
        """Not received, or some village/community has not yet had its full share."""
        return self.receipt is None or bool(self.pending) or self.owed > 0

    @property
    def days_since_payment(self) -> int:
        return ((self.as_of or timezone.localdate()) - self.batch.paid_on).days

    @property
    def is_overdue(self) -> bool:
        """Still open more than PASS_ON_OVERDUE_DAYS after the district paid: the center chases it."""
        return self.is_open and self.days_since_payment > settings.PASS_ON_OVERDUE_DAYS


@dataclass
class StreetHolding:
    """One street's parts of a year added up: what the district paid, what arrived, what went on."""

    street_id: int
    street_name: str
    paid: Decimal = ZERO
    received: Decimal = ZERO
    passed: Decimal = ZERO
    owed: Decimal = ZERO
    open_parts: int = 0
    overdue_parts: int = 0
    oldest_open_days: int | None = None

    @property
    def held(self) -> Decimal:
        return self.received - self.passed


def _round(value) -> Decimal:
    return round2(value or ZERO)  # SQLite drops the 2 places of a sum


def street_parts(
    user,
    *,
    year: int | None = None,
    batch: DisbursementBatch | None = None,
    paid_since: dt.date | None = None,
    as_of: dt.date | None = None,
    sums: list[dict] | None = None,
) -> list[StreetPart]:
    """The positive street parts of paid batches the user may see, oldest batch first.

    A part whose net is zero or negative (a correction that recovers money) has nothing to receive.
    With as_of, the parts as they stood that day: batches paid by then, receipts and 下发 dated by then
    (a past month's bulletin does not move when later steps are recorded); paid_since keeps the batches
    paid from that day on. Four queries whatever the number of batches, streets and communities; three
    for one batch, whose parts carry the very object given (the caller loads what it reads of it).
    """
    lines = access.scope(user, BatchLine.objects.filter(batch__status=BatchStatus.PAID))
    if year is not None:
        lines = lines.filter(batch__budget__year=year)
    if batch is not None:
        lines = lines.filter(batch=batch)
    if paid_since is not None:
        lines = lines.filter(batch__paid_on__gte=paid_since)
    if as_of is not None:
        lines = lines.filter(batch__paid_on__lte=as_of)
    per_community = (
        sums  # the batch's line sums the caller has (selectors.line_sums): its lines paid, as it is
        if sums is not None and batch is not None and batch.status == BatchStatus.PAID
        else lines.values(
            "batch_id",
            "street_id",
            "street__name",
            "street__code",
            "community_id",
            "community__name",
            "community__code",
        )
        .annotate(amount=Coalesce(Sum("amount"), ZERO))
        .order_by("batch_id", "street__code")
    )
    parts: dict[tuple[int, int], StreetPart] = {}
    shares: dict[tuple[int, int], list[dict]] = defaultdict(list)
    totals: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    names = {}
    for row in per_community:
        key = (row["batch_id"], row["street_id"])
        totals[key] += _round(row["amount"])
        names[key] = (row["street__name"], row["street__code"])
        shares[key].append(row)
    keys = [key for key, amount in totals.items() if amount > 0]
    if not keys:
        return []
    if batch is not None:
        batches = {batch.pk: batch}
    else:
        batches = DisbursementBatch.objects.select_related("budget", "period").in_bulk({k[0] for k in keys})
    receipts = StreetReceipt.objects.filter(batch_id__in={k[0] for k in keys}).select_related("created_by")
    passes = PassOn.objects.all()
    if as_of is not None:
        receipts = receipts.filter(received_on__lte=as_of)
        passes = passes.filter(passed_on__lte=as_of)
    receipts = {(r.batch_id, r.street_id): r for r in receipts}
    passed: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: ZERO)
    recorded: dict[tuple[int, int, int], dt.date] = {}  # the day of each community's 下发
    for entry in passes.filter(receipt__in=receipts.values()).values(
        "receipt__batch_id", "receipt__street_id", "community_id", "kind", "amount", "passed_on"
    ):
        key = (entry["receipt__batch_id"], entry["receipt__street_id"], entry["community_id"])
        passed[key] += entry["amount"]
        if entry["kind"] == PassOnKind.PASS_ON:
            recorded[key] = entry["passed_on"]
    for key in keys:
        part = StreetPart(
            batch=batches[key[0]],
            street_id=key[1],
            street_name=names[key][0],
            street_code=names[key][1],
            amount=totals[key],
            receipt=receipts.get(key),
            as_of=as_of,
        )
        for row in shares[key]:
            if row["community_id"] is None:
                part.own += _round(row["amount"])
                continue
            full = (*key, row["community_id"])
            part.communities.append(
                CommunityShare(
                    community_id=row["community_id"],
                    name=row["community__name"],
                    code=row["community__code"],
                    due=_round(row["amount"]),
                    passed=_round(passed[full]),
                    has_pass_on=full in recorded,
                    passed_on=recorded.get(full),
                )
            )
        part.communities.sort(key=lambda c: c.code)
        parts[key] = part
    return sorted(
        parts.values(), key=lambda p: (p.batch.paid_on, p.batch.pk, names[(p.batch.pk, p.street_id)][1])
    )


def street_part(user, batch: DisbursementBatch, street_id: int) -> StreetPart | None:
    """One street's part of a batch, or None when the user may not see it or it has nothing to receive."""
    if not access.in_scope(user, street_id):
        return None
    return next((p for p in street_parts(user, batch=batch) if p.street_id == street_id), None)


def entries(part: StreetPart) -> list[PassOn]:
    """Every 下发 and correction of a part, in the order they were recorded."""
    if part.receipt is None:
        return []
    return list(part.receipt.passes.select_related("community", "created_by").order_by("pk"))


def street_holdings(parts: list[StreetPart]) -> list[StreetHolding]:
    """Add street parts up per street, in the order the parts come (street code within a batch)."""
    holdings: dict[int, StreetHolding] = {}
    for part in sorted(parts, key=lambda p: p.street_code):
        row = holdings.setdefault(part.street_id, StreetHolding(part.street_id, part.street_name))
        row.paid += part.amount
        row.received += part.received
        row.passed += part.passed
        row.owed += part.owed
        if part.is_open:
            row.open_parts += 1
            row.overdue_parts += part.is_overdue
            row.oldest_open_days = max(row.oldest_open_days or 0, part.days_since_payment)
    return list(holdings.values())


def open_parts(user, *, street_id: int | None = None) -> list[StreetPart]:
    """Every year's parts still waiting for a receipt or a 下发, the longest waiting first."""
    parts = [p for p in street_parts(user) if p.is_open and (street_id is None or p.street_id == street_id)]
    return sorted(parts, key=lambda p: -p.days_since_payment)


def overdue_parts(user) -> list[StreetPart]:
    """Open parts past PASS_ON_OVERDUE_DAYS since payment, the longest waiting first."""
    return [p for p in open_parts(user) if p.is_overdue]


def street_year_entries(user, *, street_id: int, year: int) -> list[PassOn]:
    """Every 下发 and correction a street recorded for a year's paid batches, batch by batch."""
    entries = access.scope(user, PassOn.objects.all(), "receipt__street").filter(
        receipt__street_id=street_id, receipt__batch__budget__year=year
    )
    return list(
        entries.select_related("receipt__batch", "community", "created_by").order_by(
            "receipt__batch__paid_on", "receipt__batch_id", "community__code", "pk"
        )
    )


def year_pass_on_totals(year: int) -> dict[str, Decimal]:
    """The district's year as the center's holdings page adds it up, in two queries and for no one user.

    paid: the positive street parts of the year's paid batches (a correction's net 追回 from a street
    has nothing to receive), own: their lines paid to the streets themselves (nothing to pass on);
    passed: every 下发 of their receipts, net of corrections. The same sums as
    street_holdings(street_parts(<the center>, year=year)) and their parts' `own`.
    """
    parts = [
        {"amount": _round(p["total"]), "own": _round(p["own"])}
        for p in BatchLine.objects.filter(batch__status=BatchStatus.PAID, batch__budget__year=year)
        .values("batch_id", "street_id")
        .annotate(
            total=Coalesce(Sum("amount"), ZERO),
            own=Coalesce(Sum("amount", filter=Q(community__isnull=True)), ZERO),
        )
        .order_by()
        if _round(p["total"]) > 0
    ]
    passed = PassOn.objects.filter(
        receipt__batch__status=BatchStatus.PAID, receipt__batch__budget__year=year
    ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return {
        "paid": sum((p["amount"] for p in parts), ZERO),
        "own": sum((p["own"] for p in parts), ZERO),
        "passed": _round(passed),
    }
