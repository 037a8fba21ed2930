"""Demo assessments for 2022: four locked quarters and 12,857 whistle tickets.

The quarterly reward totals of the 2022 report (891,650 / 709,200 / 717,750 / 999,000 元) are not
typed in anywhere: for each quarter the seeder solves how many communities were complaint-free and
how many grids were rated 合格 so that the year's reward rules give that total, then creates the
complaints and ratings that produce those counts. The disbursement generator recomputes the total
from the locked results.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments.models import (
    AssessmentPeriod,
    AssessmentYear,
    GridRating,
    HotlineComplaint,
    Rating,
    TicketStatus,
    WhistleTicket,
)
from assessments.services.periods import ensure_year, lock_period, propose_street_quotas, save_street_quotas
from core.models import User
from grids.models import CommunityKind, Grid, GridLevel, GridStaff

# The 2022 report's quarterly disbursements.
REPORT_QUARTER_TOTALS = {
    2022: {1: Decimal("891650"), 2: Decimal("709200"), 3: Decimal("717750"), 4: Decimal("999000")}
}
WHISTLE_TICKETS = {2022: 12857}
TICKET_CATEGORIES = [
    "环境卫生",
    "道路交通",
    "邻里纠纷",
    "安全隐患",
    "违章搭建",
    "市政设施",
    "物业管理",
    "噪音扰民",
    "占道经营",
    "其他",
]
DEPARTMENTS = [
    "区城管局",
    "区住建局",
    "区交通运输局",
    "区市场监管局",
    "区应急管理局",
    "区生态环境分局",
    "区水利局",
    "街道综合执法队",
    "区自然资源分局",
]
COMPLAINT_CATEGORIES = ["环境卫生", "物业服务", "噪音扰民", "道路设施", "供水供电", "邻里纠纷", "违章建设"]


@dataclass(frozen=True)
class QuarterCounts:
    zero_urban: int
    zero_rural: int
    qualified3: int
    qualified4: int


def solve_quarter(
    target: Decimal,
    *,
    fixed: Decimal,
    zero_urban: Decimal,
    zero_rural: Decimal,
    qualified3: Decimal,
    qualified4: Decimal,
    urban: int,
    rural: int,
    pool3: int,
    pool4: int,
) -> QuarterCounts:
    """Find counts whose rewards add up to target exactly, as close as possible to typical values.

    fixed is the part that does not vary (the excellent grids); pool3/pool4 are the non-excellent
    level-3/4 grids, of which most are 合格 and the rest 基本合格.
    """
    best = None
    want3, want4 = round(pool3 * 0.89), round(pool4 * 0.91)
    for q3 in range(round(pool3 * 0.8), pool3 + 1):
        for u in range(urban + 1):
            for r in range(rural + 1):
                rest = target - fixed - zero_urban * u - zero_rural * r - qualified3 * q3
                if rest < 0 or (qualified4 and rest % qualified4):
                    continue
                q4 = int(rest / qualified4) if qualified4 else 0
                if not (pool4 * 0.8 <= q4 <= pool4) or (not qualified4 and rest):
                    continue
                share = u / (u + r) if u + r else 0
                score = abs(q3 - want3) * 10 + abs(q4 - want4) + abs(share - urban / (urban + rural)) * 400
                if best is None or score < best[0]:
                    best = (score, QuarterCounts(u, r, q3, q4))
    if best is None:
        raise ValueError(f"no counts give {target}")
    return best[1]


def _reward_table(settings: AssessmentYear) -> dict:
    return {(r.level, r.rating): r.amount for r in settings.rating_rewards.all()}


def _random_moment(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    naive = dt.datetime.combine(day, dt.time(rng.randrange(8, 20), rng.randrange(60), rng.randrange(60)))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _seed_quarter(period: AssessmentPeriod, counts: QuarterCounts, user, rng: random.Random) -> None:
    settings = period.year
    grids = list(Grid.objects.active(on=period.ends_on).staffable().values_list("pk", "level", "street_id"))
    ratings = []
    for level, qualified in ((GridLevel.LEVEL3, counts.qualified3), (GridLevel.LEVEL4, counts.qualified4)):
        quotas = dict(settings.street_quotas.filter(level=level).values_list("street_id", "quota"))
        by_street: dict[int, list] = {}
        for pk, grid_level, street in grids:
            if grid_level == level:
                by_street.setdefault(street, []).append(pk)
        excellent = set()
        for street, pks in sorted(by_street.items()):
            excellent.update(rng.sample(pks, quotas[street]))
        rest = sorted(pk for pks in by_street.values() for pk in pks if pk not in excellent)
        rng.shuffle(rest)
        street_of = {pk: street for pk, _l, street in grids}
        for pk in excellent:
            ratings.append((pk, level, street_of[pk], Rating.EXCELLENT))
        for index, pk in enumerate(rest):
            ratings.append(
                (pk, level, street_of[pk], Rating.QUALIFIED if index < qualified else Rating.BASIC)
            )
    bulk_create_with_history(
        [
            GridRating(
                period=period,
                grid_id=pk,
                level=level,
                street_id=street,
                rating=rating,
                score=Decimal(rng.randint(92, 99) if rating == Rating.EXCELLENT else rng.randint(70, 91)),
                rated_by=user,
            )
            for pk, level, street, rating in ratings
        ],
        GridRating,
        batch_size=1000,
        default_user=user,
    )

    communities = list(
        Grid.objects.active(on=period.ends_on).filter(level=GridLevel.COMMUNITY).order_by("code")
    )
    urban = [c for c in communities if c.kind == CommunityKind.URBAN]
    rural = [c for c in communities if c.kind != CommunityKind.URBAN]
    zero = set(c.pk for c in rng.sample(urban, counts.zero_urban)) | set(
        c.pk for c in rng.sample(rural, counts.zero_rural)
    )
    names = dict(Grid.objects.filter(level=GridLevel.STREET).values_list("pk", "name"))
    complaints = []
    for community in communities:
        valid = 0 if community.pk in zero else rng.choice((1, 1, 2, 2, 3, 4, 5, 7))
        invalid = 1 if rng.random() < 0.12 else 0  # 核减 complaints never count
        for index in range(valid + invalid):
            received_at = _random_moment(rng, period.starts_on, period.ends_on)
            complaints.append(
                HotlineComplaint(
                    ticket_no=f"{received_at:%Y%m%d}{community.code[-6:]}{index:02d}",
                    received_at=received_at,
                    received_on=timezone.localtime(received_at).date(),
                    street_id=community.street_id,
                    community=community,
                    street_text=names[community.street_id],
                    community_text=community.name
                    + ("居委会" if community.kind == CommunityKind.URBAN else "村委会"),
                    category=rng.choice(COMPLAINT_CATEGORIES),
                    content="群众来电反映辖区问题，请属地核实处理。",
                    is_valid=index < valid,
                    invalid_reason="" if index < valid else "经核实为重复来电，予以核减",
                    created_by=user,
                )
            )
    bulk_create_with_history(complaints, HotlineComplaint, batch_size=1000, default_user=user)
    lock_period(user=user, period=period)


def simulated_tickets(*, year: int, count: int, grids, reporters: dict, user, rng: random.Random) -> list:
    """`count` whistle tickets of a year on random grids ((pk, street id) pairs), unsaved: about 95% closed
    within the year, the rest stopped at whistled or processing."""
    year_end = timezone.make_aware(dt.datetime(year, 12, 31, 23, 59), timezone.get_default_timezone())
    width = max(6, len(str(count)))
    tickets = []
    for index in range(count):
        grid_id, street_id = rng.choice(grids)
        collected = _random_moment(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))
        ticket = WhistleTicket(
            number=f"LFS{year}{index + 1:0{width}d}",
            grid_id=grid_id,
            street_id=street_id,
            reporter=reporters.get(grid_id, "网格员"),
            category=rng.choice(TICKET_CATEGORIES),
            description="网格员巡查发现问题，现场拍照采集。",
            collected_at=collected,
            created_by=user,
        )
        whistled = collected + dt.timedelta(hours=rng.uniform(0.5, 24))
        reported = whistled + dt.timedelta(hours=rng.uniform(1, 48))
        closed = reported + dt.timedelta(hours=rng.uniform(4, 24 * 10))
        stop = rng.random()
        if whistled <= year_end and stop > 0.01:
            ticket.status, ticket.whistled_at, ticket.department = (
                TicketStatus.WHISTLED,
                whistled,
                rng.choice(DEPARTMENTS),
            )
            if reported <= year_end and stop > 0.025:
                ticket.status, ticket.reported_at = TicketStatus.PROCESSING, reported
                if closed <= year_end and stop > 0.045:
                    ticket.status, ticket.closed_at = TicketStatus.CLOSED, closed
        tickets.append(ticket)
    return tickets


def _seed_tickets(year: int, user, rng: random.Random) -> int:
    total = WHISTLE_TICKETS[year]
    tickets = simulated_tickets(
        year=year,
        count=total,
        grids=list(Grid.objects.active().filter(level__in=(3, 4)).values_list("pk", "street_id")),
        reporters=dict(GridStaff.objects.serving().values_list("grid_id", "name")),
        user=user,
        rng=rng,
    )
    bulk_create_with_history(tickets, WhistleTicket, batch_size=2000, default_user=user)
    return total


@transaction.atomic
def seed_assessments(year: int, seed: int = 2022) -> dict:
    """Create the year's settings, street quotas, four locked quarters and the whistle tickets where missing."""
    user = User.objects.get(username="center")
    settings = ensure_year(year=year)
    for level in (GridLevel.LEVEL3, GridLevel.LEVEL4):
        if not settings.street_quotas.filter(level=level).exists():
            save_street_quotas(
                user=user, settings=settings, level=level, quotas=propose_street_quotas(settings, level)
            )
    rewards = _reward_table(settings)
    communities = Grid.objects.active().filter(level=GridLevel.COMMUNITY)
    urban = communities.filter(kind=CommunityKind.URBAN).count()
    pool3 = Grid.objects.active().filter(level=GridLevel.LEVEL3).count() - settings.level3_excellent_quota
    pool4 = Grid.objects.active().filter(level=GridLevel.LEVEL4).count() - settings.level4_excellent_quota
    fixed = (
        rewards[(GridLevel.LEVEL3, Rating.EXCELLENT)] * settings.level3_excellent_quota
        + rewards[(GridLevel.LEVEL4, Rating.EXCELLENT)] * settings.level4_excellent_quota
    )
    locked = 0
    for period in settings.periods.order_by("quarter"):
        if period.is_locked or period.ratings.exists():
            continue
        counts = solve_quarter(
            REPORT_QUARTER_TOTALS[year][period.quarter],
            fixed=fixed,
            zero_urban=settings.zero_complaint_reward_urban,
            zero_rural=settings.zero_complaint_reward_rural,
            qualified3=rewards[(GridLevel.LEVEL3, Rating.QUALIFIED)],
            qualified4=rewards[(GridLevel.LEVEL4, Rating.QUALIFIED)],
            urban=urban,
            rural=communities.count() - urban,
            pool3=pool3,
            pool4=pool4,
        )
        _seed_quarter(period, counts, user, random.Random(seed * 10 + period.quarter))
        locked += 1
    # The following year is opened by reports (reports.demo.seed_next_year), through the page's service.
    tickets = 0
    if not WhistleTicket.objects.filter(number__startswith=f"LFS{year}").exists():
        tickets = _seed_tickets(year, user, random.Random(seed + 7))
    return {"locked quarters": locked, "whistle tickets": tickets}
