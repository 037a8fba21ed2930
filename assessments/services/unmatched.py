"""Resolving many 12345 tickets at once: each action applies the single-ticket rule to every ticket.

All of them or none: the first ticket refused (a locked quarter, already 核减'd, …) rolls back the
ones before it, and the message names that ticket.
"""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.exceptions import AssessmentError
from assessments.models import HotlineComplaint
from assessments.selectors.hotline import require_ticket_staff
from assessments.services import hotline
from grids.models import Grid


def _each(user, complaints: Iterable[HotlineComplaint], change: Callable[[HotlineComplaint], object]) -> int:
    require_ticket_staff(user)
    pks = sorted({complaint.pk for complaint in complaints})
    if not pks:
        raise AssessmentError(_("请先勾选工单。"))
    # Locked together and in key order, so that two overlapping bulk actions cannot deadlock.
    locked = list(HotlineComplaint.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    for complaint in locked:
        try:
            change(complaint)
        except AssessmentError as exc:
            raise AssessmentError(
                _("工单 %(no)s：%(problem)s 所选工单均未修改。") % {"no": complaint.ticket_no, "problem": exc}
            ) from exc
    return len(locked)


@transaction.atomic
def assign_complaints(*, user, complaints: Iterable[HotlineComplaint], community: Grid) -> int:
    """Assign the selected tickets to one village/community; returns how many were assigned."""
    return _each(
        user,
        complaints,
        lambda complaint: hotline.assign_complaint(user=user, complaint=complaint, community=community),
    )


@transaction.atomic
def invalidate_complaints(*, user, complaints: Iterable[HotlineComplaint], reason: str) -> int:
    """核减 the selected tickets with one reason; returns how many were reduced."""
    return _each(
        user,
        complaints,
        lambda complaint: hotline.invalidate_complaint(user=user, complaint=complaint, reason=reason),
    )
