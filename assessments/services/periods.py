from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.complaint_types import parse_types
from assessments.exceptions import AssessmentError, PeriodLocked
from assessments.models import (
    AssessmentPeriod,
    AssessmentYear,
    HotlineComplaint,
    PeriodStatus,
    Rating,
    RatingReward,
    StreetQuota,
    ZeroComplaintResult,
)
from assessments.selectors.hotline import complaint_counts, handles_tickets
from assessments.selectors.ratings import excellent_counts
from assessments.selectors.unmatched import unresolved
from core import access, freezes
from core.apportion import apportion
from core.audit import attribute
from core.formats import counted
from grids.history import Closed
from grids.models import Grid, GridLevel

# Not stated in the 2022 report; chosen so that the quarterly totals of the report follow from
# the zero-complaint rewards and the grid ratings (see README, "Reward rules").
DEFAULT_RATING_REWARDS = {
    (GridLevel.LEVEL3, Rating.EXCELLENT): Decimal("600.00"),
    (GridLevel.LEVEL3, Rating.QUALIFIED): Decimal("100.00"),
    (GridLevel.LEVEL3, Rating.BASIC): Decimal("0.00"),
    (GridLevel.LEVEL3, Rating.UNQUALIFIED): Decimal("0.00"),
    (GridLevel.LEVEL4, Rating.EXCELLENT): Decimal("300.00"),
    (GridLevel.LEVEL4, Rating.QUALIFIED): Decimal("30.00"),
    (GridLevel.LEVEL4, Rating.BASIC): Decimal("0.00"),
    (GridLevel.LEVEL4, Rating.UNQUALIFIED): Decimal("0.00"),
}


def require_open(period: AssessmentPeriod) -> None:
    if period.is_locked:
        raise PeriodLocked(
            _("%(period)s已锁定，结果只读。如需修改，请系统管理员解锁并说明理由。") % {"period": period}
        )


@transaction.atomic
def ensure_year(*, year: int) -> AssessmentYear:
    """Create a year's settings, default reward rules and its four quarters where missing."""
    settings, _created = AssessmentYear.objects.get_or_create(year=year)
    for (level, rating), amount in DEFAULT_RATING_REWARDS.items():
        RatingReward.objects.get_or_create(
            year=settings, level=level, rating=rating, defaults={"amount": amount}
        )
    for quarter in range(1, 5):
        starts_on, ends_on = AssessmentPeriod.quarter_dates(year, quarter)
        AssessmentPeriod.objects.get_or_create(
            year=settings, quarter=quarter, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
    return settings


def settings_frozen(settings: AssessmentYear) -> str | None:
    """Why a year's rules and quotas can no longer change, or None: once any of its quarters is locked,
    they are what its locked results and payments were computed with (the pages and the admin both ask)."""
    if settings.periods.filter(status=PeriodStatus.LOCKED).exists():
        return _("%(year)s 年已有锁定的季度，考核设置不能再修改。") % {"year": settings.year}
    return None


def _require_settings_editable(user, settings: AssessmentYear) -> None:
    access.require(user, "assessments.change_assessmentyear")
    problem = settings_frozen(settings)
    if problem:
        raise AssessmentError(problem)


@transaction.atomic
def update_year_settings(
    *,
    user,
    settings: AssessmentYear,
    level3_quota: int,
    level4_quota: int,
    zero_urban: Decimal,
    zero_rural: Decimal,
    rating_rewards: dict[tuple[int, str], Decimal],
    complaint_types: list[str] | None = None,
) -> AssessmentYear:
    """Save a year's quotas, reward amounts and (when given) the 诉求类型 that count as complaints."""
    _require_settings_editable(user, settings)
    if complaint_types is not None:
        try:
            complaint_types = parse_types(complaint_types)
        except ValueError as exc:
            raise AssessmentError(str(exc)) from None
    for level, quota in ((GridLevel.LEVEL3, level3_quota), (GridLevel.LEVEL4, level4_quota)):
        rated = max((excellent_counts(p, level)[0] for p in settings.periods.all()), default=0)
        if quota < rated:
            raise AssessmentError(
                _("%(level)s某季度已评定 %(n)d 个优秀，全区名额不能少于 %(n)d 个。")
                % {"level": GridLevel(level).label, "n": rated}
            )
    for level, quota in ((GridLevel.LEVEL3, level3_quota), (GridLevel.LEVEL4, level4_quota)):
        split = settings.street_quotas.filter(level=level)
        if split.exists() and sum(split.values_list("quota", flat=True)) != quota:
            split.delete()  # a split that no longer sums to the total is dropped, to be proposed again
    settings.level3_excellent_quota, settings.level4_excellent_quota = level3_quota, level4_quota
    settings.zero_complaint_reward_urban, settings.zero_complaint_reward_rural = zero_urban, zero_rural
    if complaint_types is not None and complaint_types != settings.complaint_types:
        settings.complaint_types = complaint_types
        _recount_complaints(settings)
    attribute(settings, user)
    settings.save()
    for (level, rating), amount in rating_rewards.items():
        reward, _created = RatingReward.objects.get_or_create(
            year=settings, level=level, rating=rating, defaults={"amount": amount}
        )
        if reward.amount != amount:
            reward.amount = amount
            attribute(reward, user)
            reward.save()
    return settings


def _recount_complaints(settings: AssessmentYear) -> None:
    """Mark the year's tickets 计入/不计入 by the new types (no quarter of the year is locked here)."""
    tickets = HotlineComplaint.objects.filter(received_on__year=settings.year)
    written = set(tickets.values_list("complaint_type", flat=True).distinct())
    counting = [t for t in written if settings.counts(t)]
    tickets.filter(complaint_type__in=counting).exclude(counts=True).update(counts=True)
    tickets.exclude(complaint_type__in=counting).exclude(counts=False).update(counts=False)


def propose_street_quotas(settings: AssessmentYear, level: int) -> dict[int, int]:
    """Split the district's excellent quota between streets in proportion to their active grid counts."""
    counts = dict(
        Grid.objects.active()
        .filter(level=level)
        .values_list("street_id")
        .annotate(n=Count("id"))
        .order_by("street_id")
    )
    streets = list(
        Grid.objects.filter(level=GridLevel.STREET).active().order_by("code").values_list("pk", flat=True)
    )
    parts = apportion(settings.quota(level), [counts.get(pk, 0) for pk in streets])
    return dict(zip(streets, parts, strict=True))


@transaction.atomic
def save_street_quotas(*, user, settings: AssessmentYear, level: int, quotas: dict[int, int]) -> None:
    """Store the split of a level's quota between streets; an empty dict removes the split."""
    _require_settings_editable(user, settings)
    total = settings.quota(level)
    if quotas and sum(quotas.values()) != total:
        raise AssessmentError(
            _("各街镇%(level)s优秀名额合计 %(sum)d 个，应等于全区名额 %(total)d 个。")
            % {"level": GridLevel(level).label, "sum": sum(quotas.values()), "total": total}
        )
    if any(q < 0 for q in quotas.values()):
        raise AssessmentError(_("名额不能为负数。"))
    names = dict(Grid.objects.filter(level=GridLevel.STREET).values_list("pk", "name"))
    for period in settings.periods.all():
        for street_id, rated in excellent_counts(period, level)[1].items():
            if quotas and quotas.get(street_id, 0) < rated:
                raise AssessmentError(
                    _("%(street)s在%(period)s已评定 %(n)d 个优秀，名额不能少于 %(n)d 个。")
                    % {"street": names.get(street_id, ""), "period": period, "n": rated}
                )
    # Row by row rather than in bulk, so that each change of the split is kept in the history.
    existing = {q.street_id: q for q in StreetQuota.objects.filter(year=settings, level=level)}
    for street_id, row in existing.items():
        if street_id not in quotas:
            attribute(row, user)
            row.delete()
    for street_id, quota in quotas.items():
        row = existing.get(street_id) or StreetQuota(year=settings, street_id=street_id, level=level)
        if row.pk is None or row.quota != quota:
            row.quota = quota
            attribute(row, user)
            row.save()


def lock_problems(period: AssessmentPeriod, *, user=None) -> list[str]:
    """What still prevents locking a quarter (empty when it can be locked).

    Told to a `user`, only what that user can act on: the unrated grids of its own scope, and the
    unmatched tickets only to staff who can resolve them (a street admin can do nothing about those).
    """
    problems = []
    grids = Grid.objects.active(on=period.ends_on).staffable()
    if user is not None:
        grids = grids.for_user(user)
    unrated = grids.exclude(ratings__period=period).count()
    if unrated:
        problems.append(_("还有 %(n)s 个三、四级网格未评定。") % counted({"n": unrated}))
    if user is None or handles_tickets(user):
        # A 核减'd ticket or one of a type that does not count changes no result: it never blocks locking.
        unmatched = unresolved().received_in(period).count()
        if unmatched:
            problems.append(
                _("还有 %(n)s 条计入投诉的 12345 工单未匹配到村（社区）。") % counted({"n": unmatched})
            )
    return problems


def _freeze_results(period: AssessmentPeriod, communities, counts: dict[int, int]) -> None:
    """Store each community's result, updating rows of an earlier lock in place.

    Rows are updated rather than replaced: payment lines of a cancelled batch may still point at
    them (they keep their own amounts).
    """
    existing = {r.community_id: r for r in ZeroComplaintResult.objects.filter(period=period)}
    creates, updates = [], []
    for community in communities:
        n = counts.get(community.pk, 0)
        values = {
            "street_id": community.street_id,
            "kind": community.kind,
            "complaints": n,
            "is_zero": n == 0,
        }
        row = existing.pop(community.pk, None)
        if row is None:
            creates.append(ZeroComplaintResult(period=period, community_id=community.pk, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            updates.append(row)
    ZeroComplaintResult.objects.bulk_create(creates)
    ZeroComplaintResult.objects.bulk_update(updates, ["street", "kind", "complaints", "is_zero"])
    for stale in existing.values():  # a community retired since the earlier lock
        try:
            with transaction.atomic():
                stale.delete()
        except ProtectedError:
            pass  # still referenced by a cancelled batch's line: kept, as history


@transaction.atomic
def lock_period(*, user, period: AssessmentPeriod) -> AssessmentPeriod:
    """Lock a quarter: freeze each community's zero-complaint result; ratings become read-only."""
    access.require(user, "assessments.lock_period")
    if access.street_scope(user) is not True:
        raise PermissionDenied(_("只有中心工作人员可以锁定季度。"))
    period = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
    require_open(period)
    problems = lock_problems(period)
    if problems:
        raise AssessmentError(_("不能锁定%(period)s：") % {"period": period} + " ".join(problems))
    counts = complaint_counts(period)
    communities = Grid.objects.active(on=period.ends_on).filter(level=GridLevel.COMMUNITY)
    _freeze_results(period, communities.only("pk", "street_id", "kind"), counts)
    period.status, period.locked_at, period.locked_by = PeriodStatus.LOCKED, timezone.now(), user
    attribute(period, user, _("锁定"))
    period.save()
    return period


def year_refusal(year: int, what: str, *, lock: bool = False) -> str | None:
    """Why a change of `what` in a year is refused, the year's figures being signed off (core.freezes), or None.

    With lock=True the year's settings row is locked first: finalising a year locks it too
    (reports.services.finalise_evaluation), so a change and the sign-off are serialised.
    """
    if lock:
        list(AssessmentYear.objects.select_for_update().filter(year=year))
    frozen = freezes.frozen_years().get(year)
    return frozen.refusal(what) if frozen else None


# Checks that higher apps register (AppConfig.ready) to refuse reopening a quarter, e.g. one whose
# rewards are already in a disbursement batch. Each returns a refusal message or None.
UNLOCK_GUARDS: list[Callable[[AssessmentPeriod], str | None]] = []


def unlock_refusal(period: AssessmentPeriod, *, lock: bool = False) -> str | None:
    """Why a locked quarter cannot be reopened now, or None: its year is signed off, or a guard refuses.

    The quarter's page asks too, so that it offers no unlock form that would be refused.
    """
    problem = year_refusal(period.year.year, _("该年的季度不能再解锁"), lock=lock)
    for guard in UNLOCK_GUARDS:
        problem = problem or guard(period)
    return problem


@transaction.atomic
def unlock_period(*, user, period: AssessmentPeriod, reason: str) -> AssessmentPeriod:
    """Reopen a locked quarter (系统管理员 only, with a reason that is kept in its history)."""
    access.require(user, "assessments.unlock_period")
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError(_("解锁必须填写理由。"))
    period = AssessmentPeriod.objects.select_for_update().select_related("year").get(pk=period.pk)
    if not period.is_locked:
        raise AssessmentError(_("%(period)s未锁定。") % {"period": period})
    problem = unlock_refusal(period, lock=True)
    if problem:
        raise AssessmentError(problem)
    period.status, period.locked_at, period.locked_by = PeriodStatus.OPEN, None, None
    attribute(period, user, _("解锁：%(reason)s") % {"reason": reason})
    period.save()
    return period


def require_open_on(day) -> None:
    """Refuse a change dated in a locked quarter.

    The quarter's row is locked (select_for_update) so that the change and a concurrent lock_period
    are serialised: a change committed after locking can never alter the frozen results.
    """
    period = AssessmentPeriod.objects.select_for_update().filter(starts_on__lte=day, ends_on__gte=day).first()
    if period is not None:
        require_open(period)


def lock_all_periods() -> list[AssessmentPeriod]:
    """Lock every quarter's row for the rest of the transaction (imports touching many dates)."""
    return list(AssessmentPeriod.objects.select_for_update().select_related("year"))


def last_locked_quarter(*, lock: bool = False) -> Closed | None:
    """The last day of the latest locked quarter: roster dates on or before it would change its results.

    Registered in grids.history.CLOSED_UNTIL. With lock=True every quarter's row is locked first, so
    that a roster change and a concurrent lock_period are serialised like require_open_on's.
    """
    if lock:
        lock_all_periods()
    period = (
        AssessmentPeriod.objects.filter(status=PeriodStatus.LOCKED)
        .select_related("year")
        .order_by("-ends_on")
        .first()
    )
    if period is None:
        return None
    return Closed(period.ends_on, _("%(period)s已锁定") % {"period": period})
