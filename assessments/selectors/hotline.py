from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import AssessmentPeriod, HotlineComplaint, ZeroComplaintResult
from core import access
from grids.models import CommunityKind, Grid, GridLevel

CHANGE_TICKETS = "assessments.change_hotlinecomplaint"


def handles_tickets(user, perm: str = CHANGE_TICKETS) -> bool:
    """Whether the user may `perm` 12345 tickets (by default: assign and 核减 them).

    Only district-wide staff do: a ticket can arrive outside any street, and an unmatched one belongs
    to no community, so no street admin could enter, import or resolve one. The pages offer exactly
    what the services allow, both by asking this.
    """
    return access.can(user, perm) and access.street_scope(user) is True


def require_ticket_staff(user, perm: str = CHANGE_TICKETS) -> None:
    """Refuse (403) whom handles_tickets() refuses."""
    if not handles_tickets(user, perm):
        raise PermissionDenied(_("12345 工单由中心工作人员维护。"))


@dataclass
class ZeroComplaintRow:
    community_id: int
    code: str
    name: str
    street_name: str
    kind: str
    complaints: int
    reward: Decimal
    not_counted: int = 0  # tickets of a type that does not count (咨询, 建议 …): shown, never counted

    @property
    def is_zero(self) -> bool:
        return self.complaints == 0

    @property
    def kind_label(self) -> str:
        return str(CommunityKind(self.kind).label) if self.kind else ""


def _per_community(tickets) -> dict[int, int]:
    return dict(tickets.values_list("community_id").annotate(n=Count("id")).order_by())


def complaint_counts(period: AssessmentPeriod) -> dict[int, int]:
    """Complaints that count, received in the quarter, per community (the zero-complaint rule)."""
    return _per_community(HotlineComplaint.objects.received_in(period).counted())


def not_counted_counts(period: AssessmentPeriod) -> dict[int, int]:
    """Tickets of the quarter marked 不计入 by their type, per community."""
    return _per_community(HotlineComplaint.objects.received_in(period).not_counted())


def zero_complaint_rows(
    user, period: AssessmentPeriod, *, street_id: int | None = None
) -> list[ZeroComplaintRow]:
    """Every village/community of the quarter with its counted complaints, result and reward.

    A locked quarter reads the results frozen at locking; an open one counts live. The 不计入 tickets
    are counted live in both: they change no result.
    """
    settings = period.year
    if period.is_locked:
        results = access.scope(user, ZeroComplaintResult.objects.filter(period=period), "street")
        if street_id:
            results = results.filter(street_id=street_id)
        rows = results.values_list(
            "community_id", "community__code", "community__name", "street__name", "kind", "complaints"
        ).order_by("community__code")
    else:
        counts = complaint_counts(period)
        communities = Grid.objects.for_user(user).active(on=period.ends_on).filter(level=GridLevel.COMMUNITY)
        if street_id:
            communities = communities.filter(street_id=street_id)
        rows = [
            (pk, code, name, street, kind, counts.get(pk, 0))
            for pk, code, name, street, kind in communities.order_by("code").values_list(
                "pk", "code", "name", "street__name", "kind"
            )
        ]
    not_counted = not_counted_counts(period)
    result = []
    for pk, code, name, street, kind, complaints in rows:
        reward = (
            rules.zero_complaint_reward(
                kind, urban=settings.zero_complaint_reward_urban, rural=settings.zero_complaint_reward_rural
            )
            if complaints == 0
            else Decimal("0.00")
        )
        result.append(
            ZeroComplaintRow(pk, code, name, street, kind, complaints, reward, not_counted.get(pk, 0))
        )
    return result


def complaints_for_table(user):
    return (
        HotlineComplaint.objects.for_user(user).select_related("street", "community").order_by("-received_at")
    )


def complaint_detail(user, pk: int) -> HotlineComplaint:
    return (
        HotlineComplaint.objects.for_user(user).select_related("street", "community", "created_by").get(pk=pk)
    )
