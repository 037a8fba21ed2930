"""Fast rating: every unrated grid of a community set to one level at once, and the live quota counter."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assessments.entries import RatingInput, RatingNote
from assessments.exceptions import PeriodLocked, QuotaExceeded
from assessments.models import GridRating, Rating
from assessments.selectors.ratings import quota_counter
from assessments.services.periods import save_street_quotas
from assessments.services.ratings import rate_unrated, save_ratings
from grids.models import Grid
from tests.assessments.helpers import rating_rows
from tests.factories import Level3Factory, Level4Factory
from tests.queries import page_queries


def ratings_of(period) -> dict[int, str]:
    return dict(GridRating.objects.filter(period=period).values_list("grid_id", "rating"))


def test_rate_unrated_fills_only_unrated_grids_and_keeps_given_ratings(users, roster, q1):
    a = roster["a"]
    first, second = a["level4"]
    save_ratings(
        user=users["center"], period=q1, entries=[RatingInput(first.pk, Rating.BASIC, None, "整改中")]
    )

    summary = rate_unrated(user=users["street"], period=q1, community=a["community"], rating=Rating.QUALIFIED)

    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    assert ratings_of(q1) == {a["level3"].pk: "qualified", first.pk: "basic", second.pk: "qualified"}
    kept = GridRating.objects.get(period=q1, grid=first)
    assert (kept.remark, kept.rated_by) == ("整改中", users["center"])
    assert not GridRating.objects.filter(grid__street=roster["b"]["street"]).exists()


def test_rate_unrated_saves_the_pages_choices_and_notes_with_the_filled_grids(users, roster, q1):
    a = roster["a"]
    first, second = a["level4"]
    rate_unrated(
        user=users["street"],
        period=q1,
        community=a["community"],
        rating=Rating.QUALIFIED,
        entries=[RatingInput(a["level3"].pk, Rating.EXCELLENT, Decimal("96"))],
        notes={second.pk: RatingNote(Decimal("80.5"), "台账不全")},
    )
    assert ratings_of(q1) == {a["level3"].pk: "excellent", first.pk: "qualified", second.pk: "qualified"}
    noted = GridRating.objects.get(period=q1, grid=second)
    assert (noted.score, noted.remark) == (Decimal("80.50"), "台账不全")


def test_rate_unrated_over_a_street_quota_is_refused_whole(users, roster, year, q1):
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    save_street_quotas(
        user=users["center"], settings=year, level=4, quotas={a: 1, b: year.level4_excellent_quota - 1}
    )
    with pytest.raises(QuotaExceeded) as excinfo:
        rate_unrated(
            user=users["street"],
            period=q1,
            community=roster["a"]["community"],
            rating=Rating.EXCELLENT,
            entries=[RatingInput(roster["a"]["level3"].pk, Rating.BASIC)],
        )
    assert str(excinfo.value) == "a街道四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。"
    assert not GridRating.objects.exists()  # neither the filled grids nor the page's own choice


def test_rate_unrated_refuses_another_streets_community(users, roster, q1):
    with pytest.raises(PermissionDenied):
        rate_unrated(
            user=users["street"], period=q1, community=roster["b"]["community"], rating=Rating.QUALIFIED
        )
    assert not GridRating.objects.exists()


def test_rate_unrated_refuses_a_locked_quarter(users, locked_q1, roster):
    before = ratings_of(locked_q1)
    GridRating.objects.filter(period=locked_q1, grid=roster["a"]["level4"][0]).delete()
    with pytest.raises(PeriodLocked):
        rate_unrated(
            user=users["center"],
            period=locked_q1,
            community=roster["a"]["community"],
            rating=Rating.QUALIFIED,
        )
    assert len(ratings_of(locked_q1)) == len(before) - 1


def fill_url(period, community) -> str:
    return f"/assessments/periods/{period.pk}/ratings/{community.pk}/fill/"


def test_fill_page_sets_the_rest_and_says_what_was_saved(client_for, roster, q1):
    a = roster["a"]
    first, second = a["level4"]
    data = rating_rows(
        {a["level3"]: {}, first: "excellent", second: {"remark": "已整改"}}, bulk_rating="qualified"
    )
    response = client_for("street").post(fill_url(q1, a["community"]), data, follow=True)
    assert response.redirect_chain[-1][0] == f"/assessments/periods/{q1.pk}/ratings/{a['community'].pk}/"
    assert "已保存：新评定 3 个、修改 0 个、未变 0 个。" in response.content.decode()
    assert ratings_of(q1) == {a["level3"].pk: "qualified", first.pk: "excellent", second.pk: "qualified"}
    assert GridRating.objects.get(period=q1, grid=second).remark == "已整改"


def test_fill_page_over_quota_writes_nothing_and_keeps_the_choices(client_for, roster, year, q1):
    year.level4_excellent_quota = 1
    year.save()
    a = roster["a"]
    data = rating_rows({a["level3"]: "basic", **dict.fromkeys(a["level4"], "")}, bulk_rating="excellent")
    response = client_for("street").post(fill_url(q1, a["community"]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "未评定网格均未设定，本页也未保存：全区四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。"
        in page
    )
    assert f'id="r{a["level3"].pk}-basic" value="basic" autocomplete="off" checked' in page
    assert '<option value="excellent" selected>' in page
    assert not GridRating.objects.exists()


def test_fill_page_needs_a_level_and_refuses_a_bad_score(client_for, roster, q1):
    a = roster["a"]
    client = client_for("street")
    page = client.post(fill_url(q1, a["community"]), rating_rows({})).content.decode()
    assert "请选择要给未评定网格设定的考核等次。" in page
    data = rating_rows({a["level4"][0]: {"score": "120"}}, bulk_rating="qualified")
    page = client.post(fill_url(q1, a["community"]), data).content.decode()
    assert "得分应在 0 到 100 之间（收到“120”）。" in page
    assert not GridRating.objects.exists()


def test_fill_page_refused_for_a_bad_score_keeps_every_choice_and_shows_the_error_beside_its_row(
    client_for, roster, q1
):
    a = roster["a"]
    first, second = a["level4"]
    rows = {a["level3"]: "basic", first: {"remark": "待复查"}, second: {"score": "-5"}}
    page = client_for("street").post(fill_url(q1, a["community"]), rating_rows(rows, bulk_rating="excellent"))
    page = page.content.decode()
    assert "a2栋：得分应在 0 到 100 之间（收到“-5”）。" in page  # the summary names the grid
    second_row = next(row for row in page.split("<tr") if f'id="r{second.pk}-' in row)
    assert "得分应在 0 到 100 之间（收到“-5”）。</div>" in second_row and 'value="-5"' in second_row
    assert f'id="r{a["level3"].pk}-basic" value="basic" autocomplete="off" checked' in page
    assert 'value="待复查"' in page
    assert '<option value="excellent" selected>' in page
    assert not GridRating.objects.exists()


def test_fill_page_is_404_for_another_streets_community_and_403_for_read_only_roles(client_for, roster, q1):
    data = rating_rows({}, bulk_rating="qualified")
    assert client_for("street").post(fill_url(q1, roster["b"]["community"]), data).status_code == 404
    assert client_for("leader").post(fill_url(q1, roster["a"]["community"]), data).status_code == 403
    assert not GridRating.objects.exists()


def test_quota_counter_counts_the_pages_choices_against_street_and_district_quotas(users, roster, year, q1):
    a, b = roster["a"], roster["b"]
    year.level4_excellent_quota = 3
    year.save()
    save_street_quotas(
        user=users["center"], settings=year, level=4, quotas={a["street"].pk: 1, b["street"].pk: 2}
    )
    save_ratings(
        user=users["center"],
        period=q1,
        entries=[
            RatingInput(a["level4"][0].pk, Rating.EXCELLENT),
            RatingInput(b["level4"][0].pk, Rating.EXCELLENT),
        ],
    )
    # The page moves the saved excellent grid to 合格 and makes the other one and the level-3 grid excellent.
    chosen = {a["level4"][0].pk: "qualified", a["level4"][1].pk: "excellent", a["level3"].pk: "excellent"}
    counter = quota_counter(users["street"], q1, a["community"], chosen)
    assert (counter["rated"], counter["total"], counter["unrated"]) == (3, 3, 0)
    level3, level4 = counter["levels"]
    assert (level3["street"], level3["street_quota"], level3["district"]) == (1, None, 1)
    assert level3["district_quota"] == year.level3_excellent_quota
    assert (level4["street"], level4["street_quota"], level4["district"], level4["over"]) == (1, 1, 2, False)
    assert level4["district_quota"] == 3
    assert counter["problems"] == []

    counter = quota_counter(users["street"], q1, a["community"], {a["level4"][1].pk: "excellent"})
    level4 = counter["levels"][1]
    assert (counter["rated"], counter["unrated"]) == (2, 1)
    assert (level4["street"], level4["district"], level4["over"]) == (2, 3, True)
    assert counter["problems"] == ["a街道四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。"]


def test_quota_endpoint_answers_htmx_with_the_figures(client_for, roster, year, q1):
    year.level4_excellent_quota = 1
    year.save()
    a = roster["a"]
    url = f"/assessments/periods/{q1.pk}/ratings/{a['community'].pk}/quota/"
    client = client_for("street")
    # Two excellent rows, and rows whose grid is not a number or not the community's: not counted.
    rows = {**dict.fromkeys(a["level4"], "excellent"), "x": "excellent", "": "basic"}
    params = rating_rows(rows | {roster["b"]["level3"]: "excellent"})
    response = client.get(url, params, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "本页已选 <strong>2</strong>/3" in page
    assert "未评定 <strong>1</strong>" in page
    assert "四级网格优秀\n    全区 2/1" in page
    assert "全区四级网格优秀名额为 1 个，保存后将有 2 个优秀，超出 1 个。 保存时将被拒绝。" in page
    # Without htmx the address leads to the rating page; another street's community is not found.
    assert client.get(url).url == f"/assessments/periods/{q1.pk}/ratings/{a['community'].pk}/"
    other = f"/assessments/periods/{q1.pk}/ratings/{roster['b']['community'].pk}/quota/"
    assert client.get(other, headers={"HX-Request": "true"}).status_code == 404


def test_rating_page_has_the_counter_keys_and_fill_control_only_for_raters(client_for, roster, q1):
    url = f"/assessments/periods/{q1.pk}/ratings/{roster['a']['community'].pk}/"
    page = client_for("street").get(url).content.decode()
    assert 'id="quota-counter"' in page
    assert "vendor/htmx/htmx.min.js" in page
    assert "data-rating-keys" in page
    assert f'formaction="{url}fill/"' in page
    assert "本页已选 <strong>0</strong>/3" in page
    page = client_for("leader").get(url).content.decode()
    assert 'id="quota-counter"' not in page
    assert "fill/" not in page


def test_rating_page_and_counter_queries_do_not_grow_with_the_community(client_for, roster, q1):
    a = roster["a"]
    client = client_for("street")
    page_url = f"/assessments/periods/{q1.pk}/ratings/{a['community'].pk}/"
    counter_url = f"{page_url}quota/"

    def queries() -> tuple[int, int]:
        grids = [a["level3"], *Grid.objects.filter(community=a["community"], level=4)]
        params = rating_rows({g: "excellent" if g.level == 3 else "qualified" for g in grids})
        return page_queries(client, page_url), page_queries(
            client, counter_url, params, headers={"HX-Request": "true"}
        )

    for _ in range(10):
        Level4Factory(parent=Level3Factory(parent=a["community"]))
    small = queries()
    for _ in range(90):
        Level4Factory(parent=Level3Factory(parent=a["community"]))
    assert queries() == small
    assert max(small) <= 15  # the README's budget for the rating page
