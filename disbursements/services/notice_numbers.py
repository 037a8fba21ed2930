"""The 文号 of a batch's 拨付通知 (e.g. 望网格〔2023〕3号): one per-year sequence, numbers never reused.

A number is given when the batch is paid, not when it is approved: the notice is dated the payment day
and quotes its voucher, so it is issued (印发) with the payment, and a number then only ever goes to a
document that is actually sent out. An approved batch still waiting for payment prints a draft notice
without a number; its year is the year of the payment day, as a 文号's year is that of the document's
date (a quarter paid in January is numbered in the new year).
"""

import string

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from disbursements.exceptions import DisbursementError
from disbursements.models import BatchStatus, DisbursementBatch, NoticeSequence


def pattern_problem(pattern: str) -> str | None:
    """Why a 文号 pattern cannot number notices, or None.

    It must name both the year and the number: without the year, next year's 1号 would repeat this year's.
    """
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name is not None}
        pattern.format(year=2023, number=1)
    except (KeyError, IndexError, ValueError):
        fields = set()
    if fields != {"year", "number"}:
        return _("拨付通知文号格式“%(pattern)s”有误：须含且只含 {year} 和 {number} 两处替换。") % {
            "pattern": pattern
        }
    return None


def format_notice_no(*, year: int, number: int, pattern: str | None = None) -> str:
    """Write a 文号 from the configured pattern (settings.NOTICE_NUMBER_FORMAT)."""
    pattern = settings.NOTICE_NUMBER_FORMAT if pattern is None else pattern
    if problem := pattern_problem(pattern):
        raise DisbursementError(problem)
    return pattern.format(year=year, number=number)


@transaction.atomic
def assign_notice_number(*, batch: DisbursementBatch) -> DisbursementBatch:
    """Give a paid batch the next 文号 of its payment year, once: a batch that has one keeps it.

    The year's sequence row is locked, so two payments at the same moment draw different numbers,
    and the unique constraints refuse a number given twice whatever happens.
    """
    batch = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.notice_no:
        return batch
    if batch.status != BatchStatus.PAID or batch.paid_on is None:
        raise DisbursementError(_("批次登记拨付后才编拨付通知文号。"))
    year = batch.paid_on.year
    # get_or_create survives two first payments of a year racing to create the row (it retries the get).
    NoticeSequence.objects.get_or_create(year=year)
    sequence = NoticeSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    batch.notice_year, batch.notice_seq = year, sequence.last
    batch.notice_no = format_notice_no(year=year, number=sequence.last)
    sequence.save(update_fields=["last"])
    batch.save(update_fields=["notice_year", "notice_seq", "notice_no"])
    return batch


def number_paid_batches() -> int:
    """Give every paid batch without a 文号 its number, in the order of payment; return how many got one.

    For batches paid before notices were numbered (the demo's, a database older than the numbering).
    """
    waiting = (
        DisbursementBatch.objects.filter(status=BatchStatus.PAID, notice_no="")
        .order_by("paid_on", "pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(waiting):
        assign_notice_number(batch=DisbursementBatch(pk=pk))
        count += 1
    return count
