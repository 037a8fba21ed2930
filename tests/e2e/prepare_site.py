"""Bring the demo district to where the browser journeys start, and write what they need to know.

Run by tests/e2e/conftest.py against the live site's database, after `seed_demo --year 2022` and after
the first journey has opened 2023 in the browser:

- 2023 Q1 is rated everywhere except one village/community of 高塘岭街道 (the demo street admin's),
  with the street quotas split and 高塘岭街道's excellent ratings exactly at its quotas: one more
  优秀 there is over the quota;
- the district's villages/communities by name, from which the journey writes a city-wide 12345 export;
- a special batch of 2023 (made and submitted by `center`) that fits the 2023 budget alone but not
  after the first quarter's batch has been approved: the finance officer's budget refusal;
- 2023's other quarters and every grid to rate in them, for the rest of the year's journey.

Usage: python tests/e2e/prepare_site.py <facts.json>
"""

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")

import django

django.setup()

from assessments.entries import RatingInput  # noqa: E402
from assessments.models import AssessmentYear, GridRating, Rating  # noqa: E402
from assessments.services.periods import propose_street_quotas, save_street_quotas  # noqa: E402
from assessments.services.ratings import save_ratings  # noqa: E402
from core.models import User  # noqa: E402
from disbursements.models import Budget  # noqa: E402
from disbursements.services.batches import add_special_line, create_special_batch  # noqa: E402
from disbursements.services.workflow import apply_transition  # noqa: E402
from grids.models import Grid, GridLevel  # noqa: E402

STREET = "高塘岭街道"


def rate_all_but_one_community(center: User) -> dict:
    settings = AssessmentYear.objects.get(year=2023)
    period, previous = (
        settings.periods.get(quarter=1),
        AssessmentYear.objects.get(year=2022).periods.get(quarter=1),
    )
    street = Grid.objects.get(level=GridLevel.STREET, name=STREET)
    community = (
        Grid.objects.active()
        .filter(level=GridLevel.COMMUNITY, street=street, kind="urban")
        .order_by("code")
        .first()
    )
    grids = list(
        Grid.objects.active(on=period.ends_on).staffable().exclude(community=community).order_by("code")
    )
    before = dict(GridRating.objects.filter(period=previous).values_list("grid_id", "rating"))
    ratings = {g.pk: before.get(g.pk, Rating.QUALIFIED) for g in grids}

    for level in (GridLevel.LEVEL3, GridLevel.LEVEL4):
        quotas = propose_street_quotas(settings, level)
        save_street_quotas(user=center, settings=settings, level=level, quotas=quotas)
        for street_id, quota in quotas.items():
            mine = [g for g in grids if g.level == level and g.street_id == street_id]
            excellent = [g for g in mine if ratings[g.pk] == Rating.EXCELLENT]
            others = [g for g in mine if ratings[g.pk] != Rating.EXCELLENT]
            for grid in excellent[quota:]:  # every street within its quota
                ratings[grid.pk] = Rating.QUALIFIED
            if street_id == street.pk:  # 高塘岭街道 exactly at it
                for grid in others[: max(quota - len(excellent), 0)]:
                    ratings[grid.pk] = Rating.EXCELLENT
    save_ratings(user=center, period=period, entries=[RatingInput(pk, r) for pk, r in ratings.items()])
    return {"period": period.pk, "community": community.pk, "community_name": community.name}


def over_budget_batch(center: User) -> dict:
    budget = Budget.objects.get(year=2023)
    batch = create_special_batch(user=center, year=2023, title="网格员专项培训经费")
    payee = Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code").first()
    add_special_line(
        user=center,
        batch=batch,
        payee=payee,
        purpose="网格员专项培训",
        amount=budget.amount - Decimal("100000.00"),
    )
    apply_transition(batch=batch, action="submit", user=center)
    return {"batch": batch.pk, "title": batch.title, "budget": str(budget.amount)}


def communities() -> list[list[str]]:
    """Every village/community of the district as (street, name): the city-wide 12345 export names them."""
    rows = Grid.objects.active().filter(level=GridLevel.COMMUNITY).order_by("code")
    return [[street, name] for street, name in rows.values_list("street__name", "name")]


def rest_of_the_year() -> dict:
    """2023's other quarters, and every grid to rate in them by code and level (the workbooks' rows)."""
    periods = AssessmentYear.objects.get(year=2023).periods.exclude(quarter=1).order_by("quarter")
    grids = Grid.objects.active(on=dt.date(2023, 12, 31)).staffable().order_by("code")
    return {
        "periods": {str(p.quarter): p.pk for p in periods},
        "grids": [[code, level] for code, level in grids.values_list("code", "level")],
    }


def main(out: str) -> None:
    center = User.objects.get(username="center")
    facts = {"ratings": rate_all_but_one_community(center), "overrun": over_budget_batch(center)}
    facts["communities"] = communities()
    facts["year"] = rest_of_the_year()
    Path(out).write_text(json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
