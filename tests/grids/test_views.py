import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from grids import services
from grids.models import Grid, GridStaff
from tests.factories import Level3Factory, Level4Factory, StaffFactory
from tests.queries import page_queries

READ_PAGES = ["/grids/", "/grids/tree/", "/grids/list/", "/grids/staff/", "/grids/export.xlsx"]
ALL_ROLES = ["center", "street", "finance", "leader", "admin"]


@pytest.mark.parametrize("url", [*READ_PAGES, "/grids/new/", "/grids/import/"])
def test_anonymous_is_redirected_to_login(client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("url", READ_PAGES)
def test_every_role_reads_the_roster(client_for, role, url):
    assert client_for(role).get(url).status_code == 200


@pytest.mark.parametrize("url", READ_PAGES)
def test_a_user_without_role_is_forbidden(client_for, url):
    assert client_for("nobody").get(url).status_code == 403


@pytest.mark.parametrize(
    ("role", "status"), [("center", 200), ("street", 200), ("finance", 403), ("leader", 403), ("admin", 403)]
)
def test_edit_pages_by_role(client_for, roster, role, status):
    grid = roster["a"]["level3"]
    assert client_for(role).get(f"/grids/{grid.pk}/edit/").status_code == status
    assert client_for(role).get("/grids/new/").status_code == status
    assert client_for(role).get(f"/grids/{grid.pk}/staff/new/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("center", 200), ("street", 403), ("finance", 403), ("leader", 403)]
)
def test_import_is_for_center_staff(client_for, role, status):
    assert client_for(role).get("/grids/import/").status_code == status
    assert client_for(role).get("/grids/import/template.xlsx").status_code == status


def test_street_admin_gets_404_for_another_streets_grid(client_for, roster):
    client = client_for("street")
    other = roster["b"]["level4"][0]
    assert client.get(f"/grids/{other.pk}/").status_code == 404
    assert client.get(f"/grids/{other.pk}/edit/").status_code == 404
    assert client.post(f"/grids/{other.pk}/retire/", {"retired_on": "2022-07-01"}).status_code == 404
    assert client.get(f"/grids/tree/?community={roster['b']['community'].pk}").status_code == 404
    assert client.get(f"/grids/{roster['a']['level4'][0].pk}/").status_code == 200


def test_street_admin_list_shows_only_its_street(client_for, roster):
    page = client_for("street").get("/grids/list/").content.decode()
    assert "a小区" in page and "b小区" not in page


def test_list_filters_by_level_staffing_and_search(client_for, roster):
    Level4Factory(parent=roster["a"]["level3"], name="无人栋")
    client = client_for("center")
    page = client.get("/grids/list/", {"level": 4, "staffed": "false"}).content.decode()
    assert "无人栋" in page and "a1栋" not in page
    page = client.get("/grids/list/", {"q": "b小"}).content.decode()
    assert "b小区" in page and "a小区" not in page
    page = client.get("/grids/list/", {"street": roster["b"]["street"].pk, "sort": "-name"}).content.decode()
    assert "b2栋" in page and "a1栋" not in page


def test_the_community_filter_follows_the_chosen_street(client_for, roster):
    b = roster["b"]
    response = client_for("center").get("/grids/list/", {"street": b["street"].pk})
    community = response.context["filter"].form.fields["community"]
    assert list(community.queryset) == [b["community"]]
    # Every option names its street, so the page can narrow the choices as soon as a street is picked.
    page = response.content.decode()
    assert 'data-follows="street"' in page
    assert f'<option value="{b["community"].pk}" data-street="{b["street"].pk}">' in page


def test_a_community_of_another_street_is_dropped_rather_than_emptying_the_list(client_for, roster):
    a, b = roster["a"], roster["b"]
    response = client_for("center").get(
        "/grids/list/", {"street": b["street"].pk, "community": a["community"].pk}
    )
    page = response.content.decode()
    assert "b1栋" in page and "a1栋" not in page


def test_create_grid_from_the_form(client_for, roster):
    response = client_for("center").post(
        "/grids/new/",
        {
            "code": " 9301 ",
            "name": "新小区",
            "level": 3,
            "parent_code": roster["a"]["community"].code,
            "established_on": "2023-01-01",
        },
    )
    grid = Grid.objects.get(code="9301")
    assert response.status_code == 302 and response["Location"] == f"/grids/{grid.pk}/"
    assert grid.street == roster["a"]["street"]


def _new_level4(client, parent_text: str):
    return client.post(
        "/grids/new/",
        {
            "code": "9404",
            "name": "新栋",
            "level": 4,
            "parent_code": parent_text,
            "established_on": "2023-01-01",
        },
    )


def test_the_parent_is_chosen_by_name_from_a_list(client_for, roster):
    level3 = roster["a"]["level3"]
    client = client_for("center")
    page = client.get("/grids/new/").content.decode()
    assert 'list="parent-grids"' in page
    assert f'<option value="{level3.name}（{level3.code}）">a街道 / a社区</option>' in page
    assert f'<option value="{roster["a"]["level4"][0].name}' not in page  # a building is no one's parent
    _new_level4(client, f"{level3.name}（{level3.code}）")
    assert Grid.objects.get(code="9404").parent == level3


def test_a_parent_given_by_its_unique_name_is_found(client_for, roster):
    _new_level4(client_for("center"), "b小区")
    assert Grid.objects.get(code="9404").parent == roster["b"]["level3"]


def test_a_parent_name_shared_by_two_grids_must_be_chosen_with_its_code(client_for, roster):
    roster["b"]["level3"].name = "a小区"
    roster["b"]["level3"].save()
    page = _new_level4(client_for("center"), "a小区").content.decode()
    assert "有多个网格名为“a小区”，请从列表中选择（带编码）。" in page
    assert not Grid.objects.filter(code="9404").exists()


def test_the_edit_form_shows_the_parent_by_name_and_code(client_for, roster):
    level4 = roster["a"]["level4"][0]
    form = client_for("center").get(f"/grids/{level4.pk}/edit/").context["form"]
    assert form["parent_code"].value() == f"a小区（{roster['a']['level3'].code}）"


def test_create_grid_form_explains_a_wrong_parent(client_for, roster):
    response = client_for("center").post(
        "/grids/new/", {"code": "9309", "name": "x", "level": 4, "parent_code": roster["a"]["community"].code}
    )
    assert response.status_code == 200
    assert "四级网格的上级必须是三级网格" in response.content.decode()
    assert not Grid.objects.filter(code="9309").exists()


def test_street_admin_form_cannot_reach_another_streets_parent(client_for, roster):
    response = client_for("street").post(
        "/grids/new/", {"code": "9308", "name": "x", "level": 3, "parent_code": roster["b"]["community"].code}
    )
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Grid.objects.filter(code="9308").exists()


def test_edit_grid_changes_its_name(client_for, roster):
    grid = roster["a"]["level3"]
    response = client_for("street").post(
        f"/grids/{grid.pk}/edit/",
        {
            "code": grid.code,
            "name": "改名小区",
            "level": 3,
            "parent_code": grid.parent.code,
            "established_on": "2021-01-01",
        },
    )
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.name == "改名小区" and grid.level == 3


def test_retire_and_reinstate_from_the_detail_page(client_for, roster):
    grid = roster["a"]["level3"]
    client = client_for("center")
    client.post(f"/grids/{grid.pk}/retire/", {"retired_on": "2022-09-30"})
    assert Grid.objects.filter(parent=grid, retired_on="2022-09-30").count() == 2
    page = client.get(f"/grids/{grid.pk}/").content.decode()
    assert "撤销日期 2022年9月30日" in page
    client.post(f"/grids/{grid.pk}/reinstate/")
    grid.refresh_from_db()
    assert grid.retired_on is None


def test_retire_is_post_only(client_for, roster):
    assert client_for("center").get(f"/grids/{roster['a']['level3'].pk}/retire/").status_code == 405


def test_add_and_edit_staff(client_for, roster):
    grid = roster["a"]["level3"]
    client = client_for("street")
    response = client.post(
        f"/grids/{grid.pk}/staff/new/",
        {"name": "李四", "phone": "13900001111", "role": "instructor", "started_on": "2023-03-01"},
    )
    assert response.status_code == 302
    person = GridStaff.objects.get(grid=grid, name="李四")
    bad = client.post(
        f"/grids/{grid.pk}/staff/{person.pk}/edit/",
        {"name": "李四", "phone": "1", "role": "instructor", "started_on": "2023-03-01"},
    )
    assert "11位手机号码" in bad.content.decode()
    client.post(
        f"/grids/{grid.pk}/staff/{person.pk}/edit/",
        {"name": "李四", "phone": "0731-88990011", "role": "instructor", "started_on": "2023-03-01"},
    )
    client.post(f"/grids/{grid.pk}/staff/{person.pk}/end/", {"ended_on": "2024-06-30"})
    person.refresh_from_db()
    assert person.phone == "0731-88990011" and person.ended_on == dt.date(2024, 6, 30)
    assert (person.started_on, person.is_serving) == (dt.date(2023, 3, 1), False)


def test_staff_of_another_grid_cannot_be_edited_through_this_grid(client_for, roster):
    person = GridStaff.objects.filter(grid=roster["a"]["level4"][0]).first()
    other_grid = roster["a"]["level4"][1]
    assert client_for("center").get(f"/grids/{other_grid.pk}/staff/{person.pk}/edit/").status_code == 404


def _grow(roster, n):
    for _ in range(n):
        StaffFactory(grid=Level4Factory(parent=Level3Factory(parent=roster["a"]["community"])))


@pytest.mark.parametrize(
    ("url", "max_queries"),
    [
        ("/grids/", 9),
        ("/grids/tree/", 9),
        ("/grids/tree/?community={community}", 10),
        ("/grids/{community}/", 10),
        ("/grids/{level3}/", 10),
        ("/grids/list/", 11),
        ("/grids/list/?level=4&staffed=true&per_page=100", 11),
        ("/grids/staff/", 11),
    ],
)
def test_page_query_counts_are_the_same_for_10_and_100_rows(client_for, roster, url, max_queries):
    client = client_for("center")
    url = url.format(community=roster["a"]["community"].pk, level3=roster["a"]["level3"].pk)
    _grow(roster, 10)
    StaffFactory.create_batch(10, grid=roster["a"]["level3"], role="head")
    Level4Factory.create_batch(10, parent=roster["a"]["level3"])
    small = page_queries(client, url)
    _grow(roster, 90)
    StaffFactory.create_batch(90, grid=roster["a"]["level3"], role="head")
    Level4Factory.create_batch(90, parent=roster["a"]["level3"])
    assert page_queries(client, url) == small <= max_queries


def test_the_new_grid_and_import_pages_show_where_they_are(client_for, roster):
    client = client_for("center")
    page = client.get("/grids/new/").content.decode()
    assert '<li class="breadcrumb-item"><a href="/grids/list/">网格</a></li>' in page
    assert '<li class="breadcrumb-item active" aria-current="page">新增网格</li>' in page
    level3 = roster["a"]["level3"]
    page = client.get(f"/grids/{level3.pk}/staff/new/").content.decode()
    assert f'<a href="/grids/{level3.pk}/">{level3.name}</a>' in page
    page = client.get("/grids/import/").content.decode()
    assert '<li class="breadcrumb-item active" aria-current="page">导入网格花名册</li>' in page


def test_an_import_preview_leads_back_to_its_upload(client_for, roster, q1):
    import io

    from tests.assessments.helpers import workbook

    client = client_for("center")
    upload = io.BytesIO(workbook(["哨单编号", "网格编码"], [["W1", "NOPE"]]))
    upload.name = "哨单.xlsx"
    page = client.get(
        client.post("/assessments/tickets/import/", {"file": upload})["Location"]
    ).content.decode()
    assert '<a href="/assessments/tickets/">雷锋哨哨单</a>' in page
    assert '<a href="/assessments/tickets/import/">导入雷锋哨哨单</a>' in page
    assert '<li class="breadcrumb-item active" aria-current="page">预览</li>' in page


def test_street_admin_cannot_edit_or_retire_its_street_or_communities(users, roster, client_for):
    client = client_for("street")
    for key in ("street", "community"):
        grid = roster["a"][key]
        assert client.get(f"/grids/{grid.pk}/edit/").status_code == 403
        assert client.post(f"/grids/{grid.pk}/retire/", {"retired_on": "2022-07-01"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.retire_grid(user=users["street"], grid=grid, retired_on=dt.date(2022, 7, 1))
    assert not Grid.objects.filter(retired_on__isnull=False).exists()
    page = client.get(f"/grids/{roster['a']['community'].pk}/").content.decode()
    assert "编辑" not in page.split("下级网格")[0] and "新增下级网格" in page
    assert client.get(f"/grids/{roster['a']['level3'].pk}/edit/").status_code == 200


def test_page_size_is_capped(client_for, roster):
    community = roster["a"]["community"]
    for _ in range(5):
        Level4Factory.create_batch(50, parent=Level3Factory(parent=community))
    response = client_for("center").get("/grids/list/?per_page=100000")
    assert len(response.context["table"].page.object_list) == 200
    response = client_for("center").get("/grids/list/?per_page=abc")
    assert len(response.context["table"].page.object_list) == 50
