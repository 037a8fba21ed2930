import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from assessments.exceptions import AssessmentError, ImportRejected
from assessments.importers.whistle import FIELDS, TicketRow, build_ticket_plan
from assessments.models import AssessmentYear, TicketStatus, WhistleTicket
from assessments.models.whistle import STATUS_ORDER, STATUS_TIMESTAMP
from assessments.services.periods import year_refusal
from core import access, freezes
from core.audit import attribute
from core.bulk import update_rows_with_history
from core.formats import datetime_text
from core.progress import WRITING, Progress, RowProgress
from grids.models import Grid, GridLevel

TICKETS_FROZEN = gettext_lazy("该年哨单数据已冻结，不能再登记或修改")

# Whistle tickets pay nothing, so a quarter's rewards lock does not freeze them: they are recorded and
# advanced in any quarter of a year until the year's figures are signed off (core.freezes).


def frozen_ticket_years() -> dict[int, str]:
    """Every year whose tickets may no longer change, with the message saying why."""
    return {year: frozen.refusal(TICKETS_FROZEN) for year, frozen in freezes.frozen_years().items()}


def lock_ticket_years(*years: int) -> dict[int, str]:
    """Lock the years' settings rows (all years when none is named), then return the frozen years.

    Finalising a year locks its row too, so a ticket change and the year's sign-off are serialised:
    no change lands after the figures were taken.
    """
    rows = AssessmentYear.objects.select_for_update().order_by("year")
    list(rows.filter(year__in=years) if years else rows)
    return frozen_ticket_years()


def ticket_year_refusal(collected_at: dt.datetime, *, lock: bool = False) -> str | None:
    """Why a ticket collected then may no longer change (a ticket counts in its collection year), or None."""
    return year_refusal(timezone.localtime(collected_at).year, TICKETS_FROZEN, lock=lock)


def require_ticket_year_open(collected_at: dt.datetime) -> None:
    problem = ticket_year_refusal(collected_at, lock=True)
    if problem:
        raise AssessmentError(problem)


def street_limit(user) -> int | None:
    """The one street a user's imports are limited to, or None for district-wide users."""
    scope = access.street_scope(user)
    if scope is False:
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    return None if scope is True else scope


@transaction.atomic
def create_ticket(
    *,
    user,
    number: str,
    grid: Grid,
    reporter: str,
    collected_at: dt.datetime,
    description: str,
    category: str = "",
    department: str = "",
) -> WhistleTicket:
    access.require(user, "assessments.add_whistleticket")
    if not access.in_scope(user, grid.street_id_for_scope) or grid.level < GridLevel.COMMUNITY:
        raise PermissionDenied(_("网格不在您的管辖范围内。"))
    if WhistleTicket.objects.filter(number=number).exists():
        raise AssessmentError(_("哨单编号“%(no)s”已存在。") % {"no": number})
    if collected_at > timezone.now():
        raise AssessmentError(_("采集时间不能晚于现在。"))
    require_ticket_year_open(collected_at)
    ticket = WhistleTicket(
        number=number,
        grid=grid,
        street_id=grid.street_id,
        reporter=reporter,
        collected_at=collected_at,
        category=category,
        description=description,
        department=department,
        created_by=user,
    )
    attribute(ticket, user, _("登记"))
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError:  # the same number saved by someone else a moment ago
        raise AssessmentError(_("哨单编号“%(no)s”已存在。") % {"no": number}) from None
    return ticket


def next_status(status: str) -> str | None:
    index = STATUS_ORDER.index(status)
    return STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None


@transaction.atomic
def advance_ticket(
    *, user, ticket: WhistleTicket, at: dt.datetime | None = None, department: str = ""
) -> WhistleTicket:
    """Move a ticket one step along 已采集 → 已吹哨 → 已报到/处置中 → 已办结, stamping the step."""
    access.require(user, "assessments.change_whistleticket")
    ticket = WhistleTicket.objects.select_for_update().get(pk=ticket.pk)
    if not access.in_scope(user, ticket.street_id):
        raise PermissionDenied(_("哨单不在您的管辖范围内。"))
    require_ticket_year_open(ticket.collected_at)
    target = next_status(ticket.status)
    if target is None:
        raise AssessmentError(_("哨单已办结。"))
    at = at or timezone.now()
    previous = getattr(ticket, STATUS_TIMESTAMP[ticket.status])
    if at < previous:
        raise AssessmentError(
            _("“%(step)s”时间不能早于上一步（%(prev)s）。")
            % {
                "step": TicketStatus(target).label,
                "prev": datetime_text(previous),
            }
        )
    if at > timezone.now():
        raise AssessmentError(_("时间不能晚于现在。"))
    if target == TicketStatus.WHISTLED:
        if not (department or ticket.department):
            raise AssessmentError(_("吹哨时须指定责任单位。"))
        ticket.department = department or ticket.department
    ticket.status = target
    setattr(ticket, STATUS_TIMESTAMP[target], at)
    attribute(ticket, user, str(TicketStatus(target).label))
    ticket.save()
    return ticket


@transaction.atomic
def import_tickets(*, user, data: bytes, progress: Progress | None = None):
    """Create new tickets and update known ones from a workbook, all or nothing.

    progress: called with (tickets written, tickets to write), the new ones first (a confirm in the
    background, core.jobs)."""
    access.require(user, "assessments.add_whistleticket")
    access.require(user, "assessments.change_whistleticket")
    plan = build_ticket_plan(data, street_id=street_limit(user), frozen=lock_ticket_years())
    if plan.errors:
        raise ImportRejected(plan)
    write_tickets(user=user, creates=plan.creates, updates=plan.updates, progress=progress)
    return plan


def write_tickets(
    *,
    user,
    creates: list[TicketRow],
    updates: list[TicketRow],
    progress: Progress | None = None,
    change_reason: str | None = None,
) -> None:
    """Write a plan's checked rows (the caller holds the transaction and the years' locks), the new ones
    first; change_reason: what the history rows say (an API push names its client)."""
    written = RowProgress(progress, len(creates) + len(updates), str(WRITING))
    tickets = [WhistleTicket(**row.values, created_by=user) for row in creates]
    for chunk in written.chunks(tickets):
        bulk_create_with_history(
            chunk, WhistleTicket, batch_size=1000, default_user=user, default_change_reason=change_reason
        )
    # Full objects, so that the history rows snapshot every field, not just the changed ones.
    known = WhistleTicket.objects.in_bulk([row.existing_id for row in updates])
    changed = []
    for row in updates:
        ticket = known[row.existing_id]
        for key, value in row.values.items():
            setattr(ticket, key, value)
        changed.append(ticket)
    for chunk in written.chunks(changed):
        update_rows_with_history(
            chunk, WhistleTicket, list(FIELDS), default_user=user, default_change_reason=change_reason
        )
    written.finish()
