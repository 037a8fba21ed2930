"""What the home page tells each role about the quarters (core.todos, registered in AssessmentsConfig.ready).

The quarter being worked on is the earliest open quarter that has begun. A street admin is told how many
of its grids are still unrated there and how much of its excellent quota is used; the center is told which
ended quarters can be locked, what still stops the others, and the 12345 tickets waiting for a community.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AssessmentPeriod, PeriodStatus
from assessments.selectors.hotline import handles_tickets
from assessments.selectors.ratings import excellent_counts, street_progress
from assessments.selectors.unmatched import waiting
from assessments.services.periods import lock_problems
from core import access
from core.todos import ToDo
from grids.models import GridLevel


def _begun_open_quarters():
    return (
        AssessmentPeriod.objects.filter(status=PeriodStatus.OPEN, starts_on__lte=timezone.localdate())
        .select_related("year")
        .order_by("starts_on")
    )


def _quota_text(period: AssessmentPeriod, row: dict) -> str:
    parts = []
    for level, name in ((GridLevel.LEVEL3, _("三级")), (GridLevel.LEVEL4, _("四级"))):
        used, quota = row[f"excellent{level}"], row[f"quota{level}"]
        if quota is None:  # no street split: the district's quota is shared
            district_used, _per_street = excellent_counts(period, level)
            parts.append(
                _("%(level)s优秀 %(used)d 个（全区名额已用 %(all)d/%(quota)d）")
                % {"level": name, "used": used, "all": district_used, "quota": period.year.quota(level)}
            )
        else:
            parts.append(
                _("%(level)s优秀名额已用 %(used)d/%(quota)d") % {"level": name, "used": used, "quota": quota}
            )
    return "，".join(parts)


def street_rating_to_dos(user) -> list[ToDo]:
    """A street admin: the grids of its street still unrated in the quarter being worked on."""
    scope = access.street_scope(user)
    if isinstance(scope, bool) or scope is None or not access.can(user, "assessments.change_gridrating"):
        return []
    period = _begun_open_quarters().first()
    if period is None:
        return []
    row = next((r for r in street_progress(user, period) if r["street"].pk == scope), None)
    if row is None:
        return []
    unrated = row["level3"] + row["level4"] - row["rated3"] - row["rated4"]
    url = reverse("assessments:ratings", args=[period.pk])
    label = (
        _("%(period)s：还有 %(n)s 个网格未评定") % {"period": period.label, "n": f"{unrated:,}"}
        if unrated
        else _("%(period)s：本街镇网格已全部评定") % {"period": period.label}
    )
    return [
        ToDo(
            label,
            url,
            count=unrated or None,
            detail=_quota_text(period, row),
            urgent=period.ends_on < timezone.localdate() and unrated > 0,
        )
    ]


def center_quarter_to_dos(user) -> list[ToDo]:
    """Center staff: ended quarters to lock (or what stops them), and tickets waiting for a community."""
    if access.street_scope(user) is not True:
        return []
    items = []
    if access.can(user, "assessments.lock_period"):
        blocked = []
        for period in _begun_open_quarters().filter(ends_on__lt=timezone.localdate()):
            url = reverse("assessments:period_detail", args=[period.pk])
            problems = lock_problems(period, user=user)
            if problems:
                blocked.append((period, url, problems))
            else:
                items.append(
                    ToDo(
                        _("%(period)s已全部评定，可以锁定") % {"period": period.label},
                        url,
                        detail=_("锁定后即可按考核结果生成拨付批次。"),
                        urgent=True,
                    )
                )
        if blocked:  # the earliest is the one to finish next; the later ones are named with it
            period, url, problems = blocked[0]
            later = [p.label for p, _url, _problems in blocked[1:]]
            detail = "".join(problems)
            if later:
                detail += _("（另有%(periods)s已结束，尚未锁定。）") % {"periods": "、".join(later)}
            items.append(
                ToDo(_("%(period)s已结束，尚不能锁定") % {"period": period.label}, url, detail=detail)
            )
    if handles_tickets(user):
        unmatched = waiting()
        if unmatched:
            items.append(
                ToDo(
                    _("12345 工单未匹配到村（社区）"),
                    reverse("assessments:unmatched_complaints"),
                    count=unmatched,
                    detail=_("匹配或核减后，相关季度才能锁定。"),
                )
            )
    return items
