"""The rating page's formset: a row per grid, each error beside its row, nothing saved on a refusal."""

import html
import re
from decimal import Decimal

from assessments.forms import RatingFormSet
from assessments.models import GridRating
from assessments.selectors.ratings import community_entry
from tests.assessments.helpers import rating_rows
from tests.factories import CommunityFactory, Level3Factory


def entry_url(period, community) -> str:
    return f"/assessments/periods/{period.pk}/ratings/{community.pk}/"


def row_of(page: str, grid) -> str:
    """The page's table row for a grid (its radios are named r<grid id>-<rating>)."""
    rows = [row for row in page.split("<tr") if f'id="r{grid.pk}-' in row]
    assert len(rows) == 1, rows
    return rows[0]


def saved(period) -> dict[int, tuple]:
    return {r.grid_id: (r.rating, r.score, r.remark) for r in GridRating.objects.filter(period=period)}


def test_a_bad_score_is_shown_beside_its_row_and_nothing_is_saved(client_for, roster, q1):
    a = roster["a"]
    first, second = a["level4"]
    data = rating_rows(
        {a["level3"]: "qualified", first: {"rating": "excellent", "score": "9_0"}, second: {"remark": "x"}}
    )
    response = client_for("street").post(entry_url(q1, a["community"]), data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "a1栋：得分“9_0”不是数字。" in page  # the summary names the grid
    row = row_of(page, first)
    assert '<div class="invalid-feedback d-block">得分“9_0”不是数字。</div>' in row
    assert "is-invalid" in row and 'value="9_0"' in row
    assert "invalid-feedback" not in row_of(page, a["level3"]) + row_of(page, second)
    # Every choice and note typed is shown again, and nothing was saved.
    assert 'id="r{}-qualified" value="qualified" autocomplete="off" checked'.format(a["level3"].pk) in page
    assert f'id="r{first.pk}-excellent" value="excellent" autocomplete="off" checked' in page
    assert 'value="x"' in row_of(page, second)
    assert not GridRating.objects.exists()


def test_a_score_beside_an_unchosen_grid_is_not_checked_by_save_all(client_for, roster, q1):
    a = roster["a"]
    data = rating_rows({a["level3"]: {"rating": "basic", "score": "60"}, a["level4"][0]: {"score": "abc"}})
    assert client_for("street").post(entry_url(q1, a["community"]), data).status_code == 302
    assert saved(q1) == {a["level3"].pk: ("basic", Decimal("60.00"), "")}


def test_a_grid_of_another_community_is_refused_and_nothing_is_saved(client_for, roster, q1):
    a, b = roster["a"], roster["b"]
    neighbour = Level3Factory(parent=CommunityFactory(parent=a["street"]))  # same street, other village
    for role, stranger in (("street", neighbour), ("center", b["level3"])):
        data = rating_rows({a["level3"]: "qualified", stranger: "excellent"})
        response = client_for(role).post(entry_url(q1, a["community"]), data)
        page = html.unescape(response.content.decode())
        assert response.status_code == 200
        assert f"网格（ID {stranger.pk}）不是本村（社区）本季度参与考核的三、四级网格。" in page
        assert not GridRating.objects.exists()


def test_each_row_is_saved_to_the_grid_it_names_whatever_its_place(client_for, roster, q1):
    a = roster["a"]
    first, second = a["level4"]
    data = rating_rows({second: "basic", a["level3"]: {"rating": "excellent", "remark": "好"}, first: ""})
    assert client_for("street").post(entry_url(q1, a["community"]), data).status_code == 302
    assert saved(q1) == {second.pk: ("basic", None, ""), a["level3"].pk: ("excellent", None, "好")}


def test_a_grid_posted_twice_is_refused(client_for, roster, q1):
    a = roster["a"]
    data = rating_rows({a["level3"]: "basic"})
    data |= {"row-TOTAL_FORMS": "2", "row-1-grid": str(a["level3"].pk), "row-1-rating": "excellent"}
    page = client_for("street").post(entry_url(q1, a["community"]), data).content.decode()
    assert "同一网格在一次保存中出现多次。" in page
    assert not GridRating.objects.exists()


def test_the_page_posts_back_what_it_shows(client_for, roster, q1):
    """The fresh page's own fields (management form, a hidden grid id per row) make a valid save."""
    a = roster["a"]
    page = client_for("street").get(entry_url(q1, a["community"])).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(row-[^"]+)" value="([^"]*)"', page))
    assert fields["row-TOTAL_FORMS"] == fields["row-INITIAL_FORMS"] == "3"
    grid_ids = {v for k, v in fields.items() if k.endswith("-grid")}
    assert grid_ids == {str(g.pk) for g in (a["level3"], *a["level4"])}
    fields |= {k.replace("-grid", "-rating"): "qualified" for k in fields if k.endswith("-grid")}
    assert client_for("street").post(entry_url(q1, a["community"]), fields).status_code == 302
    assert len(saved(q1)) == 3


def test_the_formset_gives_the_services_their_entries_and_notes(users, roster, q1):
    a = roster["a"]
    first, second = a["level4"]
    grids = community_entry(users["street"], q1, a["community"])
    data = rating_rows(
        {
            a["level3"]: {"rating": "excellent", "score": "９５", "remark": "  先进  "},
            first: {"score": "80", "remark": "台账不全"},
            second: {"rating": "", "score": "", "remark": ""},
        }
    )
    formset = RatingFormSet(data, grids=grids, filling=True)
    assert formset.is_valid(), formset.errors
    [entry] = formset.entries()
    assert (entry.grid_id, entry.rating, entry.score, entry.remark) == (
        a["level3"].pk,
        "excellent",
        Decimal("95.00"),
        "先进",
    )
    assert {pk: (n.score, n.remark) for pk, n in formset.notes().items()} == {
        first.pk: (Decimal("80.00"), "台账不全")
    }
    assert formset.chosen() == {a["level3"].pk: "excellent"}


def test_each_row_form_reads_only_its_own_fields(users, roster, q1):
    """Every form normalises the data it is given: the whole page's for each row would grow with the
    square of the rows (seconds for a large community)."""
    a = roster["a"]
    grids = community_entry(users["street"], q1, a["community"])
    data = rating_rows({a["level3"]: "basic", a["level4"][0]: {"remark": "好"}}, bulk_rating="basic")
    formset = RatingFormSet(data, grids=grids)
    assert [sorted(form.data) for form in formset.forms] == [
        ["row-0-grid", "row-0-rating"],
        ["row-1-grid", "row-1-remark"],
    ]
    assert formset.is_valid()


def test_the_page_shows_the_saved_ratings_without_building_a_form_per_grid(
    client_for, users, roster, q1, monkeypatch
):
    """Opened again after every save, the page is written from the saved ratings (SavedRow): a form per grid
    only when a posted page is shown again. The names, ids and values are the formset's, so a save reads them."""
    from assessments import forms
    from assessments.entries import RatingInput
    from assessments.services.ratings import save_ratings

    a = roster["a"]
    first = a["level4"][0]
    save_ratings(
        user=users["street"],
        period=q1,
        entries=[RatingInput(first.pk, "excellent", Decimal("91.50"), "<好>")],
    )
    built = []
    init = forms.RatingRowForm.__init__
    monkeypatch.setattr(
        forms.RatingRowForm, "__init__", lambda self, *args, **kw: built.append(1) or init(self, *args, **kw)
    )
    page = client_for("street").get(entry_url(q1, a["community"])).content.decode()
    assert built == []
    row = row_of(page, first)
    index = re.search(rf'name="row-(\d+)-grid" value="{first.pk}"', row).group(1)
    assert (
        f'name="row-{index}-rating" id="r{first.pk}-excellent" value="excellent" autocomplete="off" checked'
        in row
    )
    assert f'name="row-{index}-score" id="id_row-{index}-score" value="91.50"' in row
    assert f'name="row-{index}-remark" id="id_row-{index}-remark" value="&lt;好&gt;"' in row
    assert "未评定" not in row and "未评定" in row_of(page, a["level3"])


def test_each_saved_grid_links_to_its_own_rating_history(client_for, roster, q1):
    client = client_for("center")
    a = roster["a"]
    url = entry_url(q1, a["community"])
    client.post(url, rating_rows({a["level3"]: "qualified", a["level4"][1]: "basic"}))
    page = client.get(url).content.decode()
    for grid in (a["level3"], a["level4"][1]):
        link = f'href="/assessments/periods/{q1.pk}/ratings/grid/{grid.pk}/"'
        assert link in row_of(page, grid)
        assert client.get(f"/assessments/periods/{q1.pk}/ratings/grid/{grid.pk}/").status_code == 200
    assert "/ratings/grid/" not in row_of(page, a["level4"][0])  # not rated: no history yet
