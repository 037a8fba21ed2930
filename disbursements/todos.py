"""What the home page tells each role about the money (core.todos, registered in DisbursementsConfig.ready).

Finance officers: batches waiting for their approval or payment (never their own). Center staff: locked
quarters with no batch yet, corrections due, batches returned to them, and streets late passing money on.
Street admins: their street's parts of paid batches still to confirm or to pass on.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access, freezes
from core.formats import count_text, date_text, yuan_text
from core.todos import ToDo
from disbursements import selectors, selectors_receipts
from disbursements.models import BatchStatus, DisbursementBatch
from disbursements.services.corrections import corrections_due


def _money(batches) -> str:
    total = sum(b.total for b in batches)
    return _("合计 %(amount)s 元") % {"amount": yuan_text(total)}


def finance_to_dos(user) -> list[ToDo]:
    if access.street_scope(user) is not True or not access.can(user, "disbursements.approve_batch"):
        return []
    queue = list(selectors.queue_for(user))
    url = reverse("disbursements:queue")
    items = []
    for status, label in (
        (BatchStatus.SUBMITTED, _("拨付批次待审核")),
        (BatchStatus.APPROVED, _("已审核批次待登记拨付")),
    ):
        waiting = [b for b in queue if b.status == status]
        if waiting:
            items.append(ToDo(label, url, count=len(waiting), detail=_money(waiting)))
    return items


def center_money_to_dos(user) -> list[ToDo]:
    if access.street_scope(user) is not True or not access.can(user, "disbursements.prepare_batch"):
        return []
    batches_url = reverse("disbursements:batches")
    items = []
    returned = list(DisbursementBatch.objects.filter(status=BatchStatus.REJECTED).order_by("pk"))
    if returned:
        items.append(
            ToDo(
                _("拨付批次被财务退回"),
                f"{batches_url}?status={BatchStatus.REJECTED}",
                count=len(returned),
                detail=_("按退回说明修改后重新提交，或作废。"),
                urgent=True,
            )
        )
    frozen = freezes.frozen_years()
    periods = list(selectors.periods_awaiting_batch(frozen))
    if periods:
        items.append(
            ToDo(
                _("已锁定季度待生成拨付批次"),
                batches_url,
                count=len(periods),
                detail="、".join(p.label for p in periods),
            )
        )
    due = corrections_due(exclude_years=frozen)
    if due:
        items.append(
            ToDo(
                _("重新锁定的已拨付季度待生成更正批次"),
                batches_url,
                count=len(due),
                detail="、".join(d.period.label for d in due),
                urgent=True,
            )
        )
    overdue = selectors_receipts.overdue_parts(user)
    if overdue:
        streets = sorted({p.street_name for p in overdue})
        items.append(
            ToDo(
                _("街镇逾期未确认到账或未下发（拨付后超过 %(days)d 天）")
                % {"days": settings.PASS_ON_OVERDUE_DAYS},
                reverse("disbursements:receipts"),
                count=len(overdue),
                detail="、".join(streets),
            )
        )
    return items


def street_receipt_to_dos(user) -> list[ToDo]:
    """A street admin: each part of a paid batch its street has yet to confirm or to pass on in full."""
    street_id = access.street_scope(user)
    # An int is one street; True (every street) and False (none) are bools, and 1 == True in Python.
    if (
        isinstance(street_id, bool)
        or street_id is None
        or not access.can(user, "disbursements.record_receipt")
    ):
        return []
    items = []
    for part in selectors_receipts.open_parts(user, street_id=street_id):
        paid = _("%(date)s 拨付 %(amount)s 元，已过 %(days)s 天") % {
            "date": date_text(part.batch.paid_on),
            "amount": yuan_text(part.amount),
            "days": count_text(part.days_since_payment),
        }
        if part.receipt is None:
            label, detail = _("待确认到账：%(title)s"), paid
        else:
            label = _("待下发：%(title)s")
            detail = paid + _("；待下发到村（社区）%(owed)s 元") % {"owed": yuan_text(part.owed)}
        items.append(
            ToDo(
                label % {"title": part.batch.title},
                reverse("disbursements:receipt", args=[part.batch.pk, part.street_id]),
                detail=detail + (_("（逾期）") if part.is_overdue else ""),
                urgent=part.is_overdue,
                kind="receipt",
            )
        )
    return items
