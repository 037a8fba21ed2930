import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments.exceptions import AssessmentError, ImportRejected
from assessments.importers.hotline import ComplaintPlan, build_complaint_plan
from assessments.models import HotlineComplaint
from assessments.selectors.hotline import require_ticket_staff
from assessments.services.periods import lock_all_periods, require_open_on
from core.audit import attribute
from core.progress import WRITING, Progress, RowProgress
from grids.models import Grid, GridLevel


@transaction.atomic
def import_complaints(*, user, data: bytes, period=None, progress: Progress | None = None) -> ComplaintPlan:
    """Create the new tickets of a hotline export; known ticket numbers are skipped, so nothing counts twice.

    Every quarter's row stays locked until the end, so no quarter can be locked between the plan's check
    (rows of a locked quarter are skipped) and the write.
    progress: called with (tickets written, tickets to write) as they are written (a confirm in the
    background, core.jobs).
    """
    require_ticket_staff(user, "assessments.add_hotlinecomplaint")
    lock_all_periods()
    plan = build_complaint_plan(data, period=period)
    if plan.errors:
        raise ImportRejected(plan)
    complaints = [new_complaint(row, user) for row in plan.creates]
    written = RowProgress(progress, len(complaints), str(WRITING))
    for chunk in written.chunks(complaints):
        bulk_create_with_history(chunk, HotlineComplaint, batch_size=1000, default_user=user)
    written.finish()
    return plan


def new_complaint(row, user) -> HotlineComplaint:
    """The ticket of a checked row of an import or a push (assessments.importers.hotline.ComplaintRow), unsaved."""
    return HotlineComplaint(
        ticket_no=row.ticket_no,
        received_at=row.received_at,
        received_on=row.received_on,
        street_id=row.street_id,
        community_id=row.community_id,
        street_text=row.street_text,
        community_text=row.community_text,
        complaint_type=row.complaint_type,
        counts=row.counts,
        category=row.category,
        content=row.content,
        is_valid=row.is_valid,
        invalid_reason="" if row.is_valid else _("热线系统标记为无效"),
        created_by=user,
    )


@transaction.atomic
def add_complaint(
    *, user, ticket_no: str, received_at: dt.datetime, community: Grid, category: str = "", content: str = ""
) -> HotlineComplaint:
    """Enter a ticket by hand."""
    require_ticket_staff(user, "assessments.add_hotlinecomplaint")
    received_on = timezone.localtime(received_at).date()
    if received_at > timezone.now():
        raise AssessmentError(_("受理时间不能晚于现在。"))
    require_open_on(received_on)
    if community.level != GridLevel.COMMUNITY:
        raise AssessmentError(_("工单必须对应一个村（社区）。"))
    if HotlineComplaint.objects.filter(ticket_no=ticket_no).exists():
        raise AssessmentError(_("工单编号“%(no)s”已存在。") % {"no": ticket_no})
    complaint = HotlineComplaint(
        ticket_no=ticket_no,
        received_at=received_at,
        received_on=received_on,
        street_id=community.street_id,
        community=community,
        street_text=community.street.name,
        community_text=community.name,
        category=category,
        content=content,
        created_by=user,
    )
    attribute(complaint, user, _("人工录入"))
    try:
        with transaction.atomic():
            complaint.save()
    except IntegrityError:  # the same number saved by someone else a moment ago
        raise AssessmentError(_("工单编号“%(no)s”已存在。") % {"no": ticket_no}) from None
    return complaint


def _locked_for_change(user, complaint: HotlineComplaint) -> HotlineComplaint:
    require_ticket_staff(user)
    complaint = HotlineComplaint.objects.select_for_update().get(pk=complaint.pk)
    require_open_on(complaint.received_on)
    return complaint


@transaction.atomic
def assign_complaint(*, user, complaint: HotlineComplaint, community: Grid) -> HotlineComplaint:
    """Assign an unmatched (or wrongly matched) ticket to a village/community."""
    complaint = _locked_for_change(user, complaint)
    if community.level != GridLevel.COMMUNITY:
        raise AssessmentError(_("请选择一个村（社区）。"))
    complaint.community, complaint.street_id = community, community.street_id
    attribute(complaint, user, _("人工指定村（社区）"))
    complaint.save()
    return complaint


@transaction.atomic
def invalidate_complaint(*, user, complaint: HotlineComplaint, reason: str) -> HotlineComplaint:
    """核减: mark a complaint invalid so that it no longer counts against its community."""
    complaint = _locked_for_change(user, complaint)
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError(_("核减必须填写理由。"))
    if not complaint.is_valid:
        raise AssessmentError(_("该工单已核减。"))
    complaint.is_valid, complaint.invalid_reason = False, reason[:200]
    attribute(complaint, user, _("核减：%(reason)s") % {"reason": reason[:80]})
    complaint.save()
    return complaint


@transaction.atomic
def restore_complaint(*, user, complaint: HotlineComplaint) -> HotlineComplaint:
    """Undo a 核减: the complaint counts again."""
    complaint = _locked_for_change(user, complaint)
    if complaint.is_valid:
        raise AssessmentError(_("该工单本来就是有效投诉。"))
    complaint.is_valid, complaint.invalid_reason = True, ""
    attribute(complaint, user, _("撤销核减"))
    complaint.save()
    return complaint
