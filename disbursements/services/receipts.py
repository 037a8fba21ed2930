"""The money's last mile: a street confirms its part of a paid batch arrived (到账), then passes each
village's or community's share on to it (下发).

Only the street's own admin records these steps (core.access scope); every step is append-only, in the
batch's timeline and in the history. The street's receipt row is locked while money is passed on, so two
phones recording at once can never pass on more than arrived.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.audit import attribute
from core.formats import date_text, yuan_text
from core.money import ZERO
from disbursements.exceptions import DisbursementError, PassOnRefused
from disbursements.models import (
    BatchLine,
    BatchStatus,
    DisbursementBatch,
    PassOn,
    PassOnKind,
    StreetReceipt,
)
from disbursements.services.workflow import record_step
from grids.models import Grid

MAX_SCAN_BYTES = 5 * 1024 * 1024
# What a scanned 回执 may be, told by its first bytes, never by the name or the browser's content type.
SCAN_TYPES = (
    (b"%PDF-", ".pdf", "application/pdf"),
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
)
CONTENT_TYPES = {suffix: content_type for _magic, suffix, content_type in SCAN_TYPES}


@dataclass(frozen=True)
class PassOnEntry:
    """One community's row of a 下发: how much, and why when it is not the full share."""

    community_id: int
    amount: Decimal
    reason: str = ""


def _require_recorder(user, street_id: int) -> None:
    access.require(user, "disbursements.record_receipt")
    if not access.in_scope(user, street_id):
        raise PermissionDenied(_("只能办理本街镇的到账和下发。"))


def _check_date(value: dt.date, *, earliest: dt.date, what: str, since: str) -> None:
    if value > timezone.localdate():
        raise DisbursementError(_("%(what)s不能晚于今天。") % {"what": what})
    if value < earliest:
        raise DisbursementError(
            _("%(what)s不能早于%(since)s（%(date)s）。")
            % {"what": what, "since": since, "date": date_text(earliest)}
        )


def _voucher(voucher_no: str) -> str:
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        raise DisbursementError(_("请填写凭证号。"))
    return voucher_no[:50]


def scan_suffix(scan) -> str:
    """Check a scanned 回执 (size, then its first bytes) and return the suffix it is stored with."""
    if scan.size > MAX_SCAN_BYTES:
        raise DisbursementError(_("回执扫描件不能超过 %(mb)d MB。") % {"mb": MAX_SCAN_BYTES // (1024 * 1024)})
    scan.seek(0)
    head = scan.read(8)
    scan.seek(0)
    for magic, suffix, _content_type in SCAN_TYPES:
        if head.startswith(magic):
            return suffix
    raise DisbursementError(_("回执扫描件只能是 PDF、JPEG 或 PNG 文件。"))


def part_amount(batch: DisbursementBatch, street_id: int) -> Decimal:
    """A street's part of a batch: the sum of its lines (its 拨付通知 amount)."""
    lines = BatchLine.objects.filter(batch=batch, street_id=street_id)
    return lines.aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]


def community_dues(receipt: StreetReceipt) -> dict[int, Decimal]:
    """Each village's or community's share of the receipt's street part (the batch's lines, grouped)."""
    rows = (
        BatchLine.objects.filter(
            batch_id=receipt.batch_id, street_id=receipt.street_id, community__isnull=False
        )
        .values("community_id")
        .annotate(amount=Coalesce(Sum("amount"), ZERO))
        .order_by()
    )
    return {row["community_id"]: row["amount"] for row in rows}


@transaction.atomic
def confirm_receipt(
    *, user, batch: DisbursementBatch, street: Grid, received_on: dt.date, voucher_no: str, scan=None
) -> StreetReceipt:
    """Record that the street's part of a paid batch arrived, with the date, voucher and scanned 回执."""
    _require_recorder(user, street.pk)
    # The batch row is locked so that two confirmations of the same part queue; the second sees the first.
    batch = DisbursementBatch.objects.select_for_update().select_related("budget").get(pk=batch.pk)
    if batch.status != BatchStatus.PAID:
        raise DisbursementError(_("批次登记拨付后，街镇才能确认到账。"))
    if StreetReceipt.objects.filter(batch=batch, street=street).exists():
        raise DisbursementError(_("%(street)s已确认本批次到账。") % {"street": street.name})
    amount = part_amount(batch, street.pk)
    if amount <= 0:
        raise DisbursementError(
            _("本批次拨付给%(street)s的净额为 %(amount)s 元，无需确认到账。")
            % {"street": street.name, "amount": yuan_text(amount)}
        )
    _check_date(received_on, earliest=batch.paid_on, what=_("到账日期"), since=_("拨付日期"))
    receipt = StreetReceipt(
        batch=batch,
        street=street,
        amount=amount,
        received_on=received_on,
        voucher_no=_voucher(voucher_no),
        created_by=user,
    )
    if scan:
        suffix = scan_suffix(scan)
        receipt.scan.save(f"scan{suffix}", scan, save=False)
    attribute(receipt, user, _("确认到账"))
    receipt.save()
    record_step(
        batch,
        user,
        "receive",
        _("%(street)s 到账 %(amount)s 元（%(date)s，凭证号 %(no)s）")
        % {
            "street": street.name,
            "amount": yuan_text(amount),
            "date": date_text(received_on),
            "no": receipt.voucher_no,
        },
        street=street,
    )
    return receipt


@transaction.atomic
def correct_receipt(
    *,
    user,
    receipt: StreetReceipt,
    received_on: dt.date,
    voucher_no: str,
    reason: str,
    scan=None,
) -> StreetReceipt:
    """Correct a confirmed receipt's date, voucher or scanned 回执, with a reason.

    The amount is the street's part as paid and never changes. The old values stay in the history and
    the batch's timeline; the date still lies between the payment and the first 下发.
    """
    receipt = _lock(receipt, user)
    reason = (reason or "").strip()
    if not reason:
        raise DisbursementError(_("更正到账信息必须填写原因。"))
    voucher_no = _voucher(voucher_no)
    _check_date(received_on, earliest=receipt.batch.paid_on, what=_("到账日期"), since=_("拨付日期"))
    first_pass = receipt.passes.order_by("passed_on").values_list("passed_on", flat=True).first()
    if first_pass is not None and received_on > first_pass:
        raise DisbursementError(
            _("到账日期不能晚于第一笔下发的日期（%(date)s）。") % {"date": date_text(first_pass)}
        )
    changes = []
    if received_on != receipt.received_on:
        changes.append(
            _("到账日期 %(old)s → %(new)s")
            % {"old": date_text(receipt.received_on), "new": date_text(received_on)}
        )
    if voucher_no != receipt.voucher_no:
        changes.append(_("凭证号 %(old)s → %(new)s") % {"old": receipt.voucher_no, "new": voucher_no})
    if scan:
        suffix = scan_suffix(scan)
        changes.append(_("更换回执扫描件") if receipt.scan else _("补充回执扫描件"))
    if not changes:
        raise DisbursementError(_("到账信息没有变化。"))
    receipt.received_on = received_on
    receipt.voucher_no = voucher_no
    if scan:
        # The earlier scan stays in storage: the history still names it.
        receipt.scan.save(f"scan{suffix}", scan, save=False)
    attribute(receipt, user, reason)
    receipt.save()
    record_step(
        receipt.batch,
        user,
        "recv_correct",
        _("%(street)s 更正到账信息：%(changes)s。原因：%(reason)s")
        % {"street": receipt.street.name, "changes": "；".join(str(c) for c in changes), "reason": reason},
        street=receipt.street,
    )
    return receipt


def _lock(receipt: StreetReceipt, user) -> StreetReceipt:
    _require_recorder(user, receipt.street_id)
    # Locked so that what is passed on is summed and checked against the receipt one request at a time.
    return StreetReceipt.objects.select_for_update().select_related("batch", "street").get(pk=receipt.pk)


def _passed_total(receipt: StreetReceipt) -> Decimal:
    return receipt.passes.aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]


def _check_within_receipt(receipt: StreetReceipt, adding: Decimal) -> None:
    already = _passed_total(receipt)
    if already + adding > receipt.amount:
        raise DisbursementError(
            _("下发合计不能超过到账金额：到账 %(received)s 元，已下发 %(already)s 元，本次 %(adding)s 元。")
            % {
                "received": yuan_text(receipt.amount),
                "already": yuan_text(already),
                "adding": yuan_text(adding),
            }
        )


@transaction.atomic
def pass_on(
    *, user, receipt: StreetReceipt, passed_on: dt.date, voucher_no: str, entries: list[PassOnEntry]
) -> list[PassOn]:
    """Record the 下发 of one or more communities' shares: each its full share, or another amount with a reason."""
    receipt = _lock(receipt, user)
    if not entries:
        raise DisbursementError(_("请至少选择一个村（社区）。"))
    voucher_no = _voucher(voucher_no)
    _check_date(passed_on, earliest=receipt.received_on, what=_("下发日期"), since=_("到账日期"))
    dues = community_dues(receipt)
    done = set(receipt.passes.filter(kind=PassOnKind.PASS_ON).values_list("community_id", flat=True))
    names = Grid.objects.in_bulk([e.community_id for e in entries])
    created = []
    for entry in entries:
        community = names.get(entry.community_id)
        if community is None or entry.community_id not in dues:
            raise DisbursementError(_("本批次没有拨付给该村（社区）的款项。"))
        if entry.community_id in done:
            raise DisbursementError(_("%(name)s已下发；如金额有误，请登记更正。") % {"name": community.name})
        if entry.amount <= 0:
            raise DisbursementError(_("%(name)s的下发金额须大于零。") % {"name": community.name})
        reason = (entry.reason or "").strip()
        if entry.amount != dues[entry.community_id] and not reason:
            raise PassOnRefused(
                _("%(name)s应下发 %(due)s 元，本次 %(amount)s 元：金额不同须说明原因。")
                % {
                    "name": community.name,
                    "due": yuan_text(dues[entry.community_id]),
                    "amount": yuan_text(entry.amount),
                },
                community_id=entry.community_id,
                field="reason",
            )
        done.add(entry.community_id)
        created.append(
            PassOn(
                receipt=receipt,
                community=community,
                kind=PassOnKind.PASS_ON,
                amount=entry.amount,
                passed_on=passed_on,
                voucher_no=voucher_no,
                reason=reason[:200],
                created_by=user,
            )
        )
    total = sum((p.amount for p in created), ZERO)
    _check_within_receipt(receipt, total)
    for item in created:
        attribute(item, user, _("下发"))
        item.save()
    record_step(
        receipt.batch,
        user,
        "pass_on",
        _("%(street)s 下发 %(n)d 个村（社区）%(amount)s 元（%(date)s，凭证号 %(no)s）")
        % {
            "street": receipt.street.name,
            "n": len(created),
            "amount": yuan_text(total),
            "date": date_text(passed_on),
            "no": voucher_no,
        },
        street=receipt.street,
    )
    return created


@transaction.atomic
def correct_pass_on(
    *,
    user,
    receipt: StreetReceipt,
    community: Grid,
    amount: Decimal,
    passed_on: dt.date,
    voucher_no: str,
    reason: str,
) -> PassOn:
    """Add a correction to a community's 下发: more (positive) or taken back (negative), with a reason."""
    receipt = _lock(receipt, user)
    reason = (reason or "").strip()
    if not reason:
        raise DisbursementError(_("更正下发必须填写原因。"))
    if amount == 0:
        raise DisbursementError(_("更正金额不能为零。"))
    voucher_no = _voucher(voucher_no)
    _check_date(passed_on, earliest=receipt.received_on, what=_("下发日期"), since=_("到账日期"))
    entries = receipt.passes.filter(community=community)
    if not entries.filter(kind=PassOnKind.PASS_ON).exists():
        raise DisbursementError(_("%(name)s尚未下发，请先登记下发，再按需更正。") % {"name": community.name})
    given = entries.aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
    if given + amount < 0:
        raise DisbursementError(
            _("%(name)s已下发 %(given)s 元，收回不能超过这个数。")
            % {"name": community.name, "given": yuan_text(given)}
        )
    _check_within_receipt(receipt, amount)
    correction = PassOn(
        receipt=receipt,
        community=community,
        kind=PassOnKind.CORRECTION,
        amount=amount,
        passed_on=passed_on,
        voucher_no=voucher_no,
        reason=reason[:200],
        created_by=user,
    )
    attribute(correction, user, reason)
    correction.save()
    record_step(
        receipt.batch,
        user,
        "pass_correct",
        _("%(street)s 更正%(name)s的下发 %(amount)s 元：%(reason)s")
        % {
            "street": receipt.street.name,
            "name": community.name,
            "amount": f"{amount:+,.2f}",
            "reason": reason,
        },
        street=receipt.street,
    )
    return correction
