"""Reads for resolving unmatched 12345 tickets in bulk (the 未匹配工单 page and the hints that lead to it)."""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from assessments.models import AssessmentPeriod, HotlineComplaint, PeriodStatus
from assessments.selectors.hotline import handles_tickets
from core.numbers import int_param
from grids.models import Grid, GridLevel

# Street filter values naming the export's text rather than a recognised street start with this.
WRITTEN = "t:"


def unresolved() -> QuerySet:
    """Tickets still waiting for a community: unmatched and counted (a 核减'd or 不计入 one waits for nothing)."""
    return HotlineComplaint.objects.unmatched().counted()


def waiting(period: AssessmentPeriod | None = None) -> int:
    """How many tickets still wait for a community: in a quarter, or in all."""
    tickets = unresolved()
    return (tickets.received_in(period) if period is not None else tickets).count()


def unresolved_by_quarter(user, year: int) -> dict[int, int]:
    """The year's unresolved tickets per quarter, as told to this user: none to one who cannot act on them."""
    if not handles_tickets(user):
        return {}
    return dict(
        unresolved()
        .filter(received_on__year=year)
        .values_list("received_on__quarter")
        .annotate(n=Count("id"))
        .order_by()
    )


def unresolved_for_page() -> QuerySet:
    return unresolved().select_related("street").order_by("received_at", "pk")


def street_choices(keep: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """The streets the unresolved tickets name, for the street filter.

    A ticket whose street was recognised is found by that street (value: its id); one whose street
    was not, by the text the export wrote (value: WRITTEN + text). `keep` stays a choice even when its
    last ticket was just resolved, so that the page comes back to the same (now empty) filter.
    """
    matched, written = {}, set()
    rows = unresolved().values_list("street_id", "street__name", "street_text").distinct().order_by()
    for street_id, name, text in rows:
        if street_id is not None:
            matched[str(street_id)] = name
        else:
            written.add(text)
    if keep.startswith(WRITTEN):
        written.add(keep.removeprefix(WRITTEN))
    elif keep and keep not in matched:
        matched.update(
            (str(pk), name)
            for pk, name in Grid.objects.filter(pk=int_param(keep), level=GridLevel.STREET).values_list(
                "pk", "name"
            )
        )
    groups = []
    if matched:
        groups.append((_("已识别的街镇"), sorted(matched.items(), key=lambda item: item[1])))
    if written:
        groups.append(
            (
                _("导出表中的街镇（未识别）"),
                [
                    (WRITTEN + text, _("%(text)s（未识别）") % {"text": text or _("未填写")})
                    for text in sorted(written)
                ],
            )
        )
    return groups


def periods_for_filter() -> QuerySet:
    return AssessmentPeriod.objects.select_related("year").order_by("-year__year", "quarter")


def locked_ranges() -> list[tuple]:
    """(starts_on, ends_on) of every locked quarter: its tickets are shown but cannot be selected."""
    return list(
        AssessmentPeriod.objects.filter(status=PeriodStatus.LOCKED).values_list("starts_on", "ends_on")
    )
