from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from assessments.entries import RatingInput
from assessments.exceptions import AssessmentError, QuotaExceeded
from assessments.models import GridRating, Rating
from assessments.services.periods import save_street_quotas
from assessments.services.ratings import save_ratings
from grids.models import Grid


def test_save_ratings_creates_then_updates_and_records_history(users, roster, q1):
    grid = roster["a"]["level3"]
    summary = save_ratings(
        user=users["street"], period=q1, entries=[RatingInput(grid.pk, Rating.EXCELLENT, Decimal("95"))]
    )
    assert (summary.created, summary.updated) == (1, 0)
    rating = GridRating.objects.get(period=q1, grid=grid)
    assert (rating.level, rating.street, rating.rated_by) == (3, roster["a"]["street"], users["street"])
    summary = save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(grid.pk, Rating.BASIC, None, "整改中")]
    )
    assert (summary.created, summary.updated) == (0, 1)
    history = list(rating.history.order_by("history_date"))
    assert [h.rating for h in history] == ["excellent", "basic"]
    assert [h.history_user for h in history] == [users["street"], users["center"]]


def test_database_keeps_one_rating_per_grid_per_quarter(users, roster, q1):
    grid = roster["a"]["level3"]
    save_ratings(user=users["center"], period=q1, entries=[RatingInput(grid.pk, Rating.QUALIFIED)])
    with pytest.raises(IntegrityError), transaction.atomic():
        GridRating.objects.create(period=q1, grid=grid, level=3, street=grid.street, rating=Rating.BASIC)


def test_district_quota_is_enforced_with_a_clear_message(users, roster, year, q1):
    year.level4_excellent_quota = 2
    year.save()
    grids = roster["a"]["level4"] + roster["b"]["level4"]
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.EXCELLENT) for g in grids[:2]]
    )
    with pytest.raises(QuotaExceeded) as excinfo:
        save_ratings(user=users["center"], period=q1, entries=[RatingInput(grids[2].pk, Rating.EXCELLENT)])
    assert str(excinfo.value) == "全区四级网格优秀名额为 2 个，保存后将有 3 个优秀，超出 1 个。"
    assert GridRating.objects.filter(rating=Rating.EXCELLENT).count() == 2
    # Freeing a place in the same save is allowed.
    save_ratings(
        user=users["center"],
        period=q1,
        entries=[RatingInput(grids[0].pk, Rating.QUALIFIED), RatingInput(grids[2].pk, Rating.EXCELLENT)],
    )


def test_street_quota_is_enforced(users, roster, year, q1):
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    save_street_quotas(
        user=users["center"], settings=year, level=4, quotas={a: 1, b: year.level4_excellent_quota - 1}
    )
    level4 = roster["a"]["level4"]
    with pytest.raises(QuotaExceeded, match="a街道四级网格优秀名额为 1 个，保存后将有 2 个优秀"):
        save_ratings(
            user=users["street"], period=q1, entries=[RatingInput(g.pk, Rating.EXCELLENT) for g in level4]
        )
    assert not GridRating.objects.exists()


def test_street_admin_cannot_rate_another_streets_grid(users, roster, q1):
    entries = [
        RatingInput(roster["a"]["level3"].pk, Rating.QUALIFIED),
        RatingInput(roster["b"]["level3"].pk, Rating.QUALIFIED),
    ]
    with pytest.raises(PermissionDenied):
        save_ratings(user=users["street"], period=q1, entries=entries)
    assert not GridRating.objects.exists()


@pytest.mark.parametrize("role", ["finance", "leader"])
def test_read_only_roles_cannot_rate(users, roster, q1, role):
    with pytest.raises(PermissionDenied):
        save_ratings(
            user=users[role], period=q1, entries=[RatingInput(roster["a"]["level3"].pk, Rating.QUALIFIED)]
        )


def test_bad_entries_are_refused_whole(users, roster, q1):
    grid = roster["a"]["level3"]
    with pytest.raises(AssessmentError, match="未知考核等次"):
        save_ratings(user=users["center"], period=q1, entries=[RatingInput(grid.pk, "great")])
    with pytest.raises(AssessmentError, match="0 到 100"):
        save_ratings(
            user=users["center"], period=q1, entries=[RatingInput(grid.pk, Rating.QUALIFIED, Decimal("101"))]
        )
    with pytest.raises(AssessmentError, match="不是本季度参与考核的三、四级网格"):
        save_ratings(
            user=users["center"],
            period=q1,
            entries=[RatingInput(roster["a"]["community"].pk, Rating.QUALIFIED)],
        )
    Grid.objects.filter(pk=grid.pk).update(retired_on="2022-01-15")
    with pytest.raises(AssessmentError, match="不是本季度参与考核"):
        save_ratings(user=users["center"], period=q1, entries=[RatingInput(grid.pk, Rating.QUALIFIED)])
    assert not GridRating.objects.exists()


def test_a_save_that_does_not_add_excellent_grids_passes_even_over_quota(users, roster, year, q1):
    level4 = roster["a"]["level4"]
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(g.pk, Rating.EXCELLENT) for g in level4]
    )
    year.level4_excellent_quota = 1  # changed behind the app's back, e.g. by a later rule
    year.save()
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(level4[0].pk, Rating.EXCELLENT, remark="复核")]
    )
    with pytest.raises(AssessmentError, match="优秀名额为 1 个"):
        save_ratings(
            user=users["center"],
            period=q1,
            entries=[RatingInput(roster["b"]["level4"][0].pk, Rating.EXCELLENT)],
        )
