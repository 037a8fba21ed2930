from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.factories import PASSWORD


def test_anonymous_users_are_sent_to_the_chinese_login_page(db):
    response = Client().get("/grids/list/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/grids/list/")
    page = Client().get(response["Location"])
    assert "登录" in page.content.decode()


def test_login_and_logout(users):
    client = Client()
    response = client.post("/accounts/login/", {"username": users["center"].username, "password": PASSWORD})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(users["center"].pk)
    bad = Client().post("/accounts/login/", {"username": users["center"].username, "password": "wrong"})
    assert "请输入一个正确的" in bad.content.decode()
    client.post("/accounts/logout/")
    assert SESSION_KEY not in client.session


def test_password_change(users, client_for):
    client = client_for("leader")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Grid-2023-new", "new_password2": "Grid-2023-new"},
    )
    assert response.status_code == 302
    users["leader"].refresh_from_db()
    assert users["leader"].check_password("Grid-2023-new")
    weak = client.post(
        "/accounts/password/",
        {"old_password": "Grid-2023-new", "new_password1": "123", "new_password2": "123"},
    )
    assert "密码" in weak.content.decode() and weak.status_code == 200


def test_only_the_system_administrator_enters_the_admin(client_for):
    assert client_for("admin").get("/admin/").status_code == 200
    for role in ("center", "street", "finance", "leader"):
        response = client_for(role).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_home_greets_with_the_role_menu(client_for):
    page = client_for("street").get("/").content.decode()
    assert "街镇管理员" in page and "a街道" in page and "网格列表" in page


def test_administrator_manages_users_and_street_admins_need_a_street(users, client_for):
    from django.contrib.auth.models import Group

    from core.roles import Role

    client = client_for("admin")
    assert client.get("/admin/core/user/").status_code == 200
    target = users["nobody"]
    page = client.get(f"/admin/core/user/{target.pk}/change/")
    assert page.status_code == 200
    form = {
        "username": target.username,
        "name": "新街镇管理员",
        "is_active": "on",
        "groups": [Group.objects.get(name=Role.STREET_ADMIN).pk],
        "date_joined_0": "2022-01-01",
        "date_joined_1": "00:00:00",
        "street": "",
    }
    response = client.post(f"/admin/core/user/{target.pk}/change/", form)
    assert "街镇管理员必须指定所属街镇" in response.content.decode()
    target.refresh_from_db()
    assert not target.groups.exists()
    form["street"] = users["street"].street_id
    response = client.post(f"/admin/core/user/{target.pk}/change/", form)
    assert response.status_code == 302
    target.refresh_from_db()
    assert (
        target.street_id == users["street"].street_id
        and target.groups.filter(name=Role.STREET_ADMIN).exists()
    )


def test_favicon_is_served_locally_without_login(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")


def test_system_administrator_cannot_grant_superuser(client_for, users):
    page = client_for("admin").get(f"/admin/core/user/{users['nobody'].pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="groups"' in page
