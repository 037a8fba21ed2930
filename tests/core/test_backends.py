"""A user's permissions and roles kept between requests (core.backends): Django's answers, without its
queries when nothing changed, and the new answer at once when a role or a user's roles change."""

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import access
from core.models import User
from core.roles import Role
from tests.factories import UserFactory


def fresh(user) -> User:
    """The user as the next request loads it (nothing cached on the object)."""
    return User.objects.get(pk=user.pk)


def djangos(user) -> set[str]:
    return django_backends.ModelBackend().get_all_permissions(fresh(user))


@pytest.fixture
def people(db):
    own = UserFactory(role=Role.STREET_ADMIN)
    own.user_permissions.add(Permission.objects.get(codename="view_budget"))
    return {
        "center": UserFactory(role=Role.CENTER_STAFF),
        "two roles": UserFactory(role=Role.FINANCE),
        "own permission": own,
        "superuser": UserFactory(is_superuser=True),
        "inactive": UserFactory(role=Role.CENTER_STAFF, is_active=False),
        "nobody": UserFactory(),
    }


def test_the_permissions_are_djangos_for_every_kind_of_user(people):
    people["two roles"].groups.add(Group.objects.get(name=Role.LEADER))
    for name, user in people.items():
        for _ in range(2):  # computed, then kept
            assert fresh(user).get_all_permissions() == djangos(user), name
    assert fresh(people["superuser"]).get_all_permissions() == {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }
    assert fresh(people["inactive"]).get_all_permissions() == set()
    assert "disbursements.view_budget" in fresh(people["own permission"]).get_all_permissions()


def test_a_request_after_the_first_asks_the_database_nothing_for_permissions_and_roles(people):
    center = people["center"]
    first = fresh(center)  # the first request computes both
    assert first.has_perm("grids.view_grid") and access.roles_of(first) == {Role.CENTER_STAFF}
    user = fresh(center)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("grids.view_grid") and not user.has_perm("auth.delete_group")
        assert access.roles_of(user) == {Role.CENTER_STAFF}
    assert len(queries) == 0


def test_a_permission_given_to_or_taken_from_a_role_counts_at_once(people):
    center, permission = people["center"], Permission.objects.get(codename="delete_group")
    assert not fresh(center).has_perm("auth.delete_group")
    Group.objects.get(name=Role.CENTER_STAFF).permissions.add(permission)
    assert fresh(center).has_perm("auth.delete_group")
    Group.objects.get(name=Role.CENTER_STAFF).permissions.remove(permission)
    assert not fresh(center).has_perm("auth.delete_group")


def test_a_role_given_to_or_taken_from_a_user_counts_at_once(people):
    nobody = people["nobody"]
    assert not fresh(nobody).has_perm("grids.view_grid") and access.roles_of(fresh(nobody)) == set()
    nobody.groups.add(Group.objects.get(name=Role.CENTER_STAFF))
    assert fresh(nobody).has_perm("grids.view_grid")
    assert access.roles_of(fresh(nobody)) == {Role.CENTER_STAFF}
    nobody.groups.clear()
    assert not fresh(nobody).has_perm("grids.view_grid") and access.roles_of(fresh(nobody)) == set()


def test_made_superuser_or_switched_off_counts_at_once(people):
    center = people["center"]
    assert not fresh(center).has_perm("auth.delete_group")
    User.objects.filter(pk=center.pk).update(is_superuser=True)
    assert fresh(center).has_perm("auth.delete_group")
    User.objects.filter(pk=center.pk).update(is_superuser=False, is_active=False)
    assert not fresh(center).has_perm("grids.view_grid")


def test_the_sessions_user_is_read_once_and_a_change_to_the_user_shows_at_once(client_for, users, roster):
    street = users["street"]
    client = client_for("street")
    assert "a街道" in client.get("/jobs/").content.decode()  # the menu names the user's street
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/jobs/").status_code == 200
    assert not [q for q in queries if '"core_user"' in q["sql"] and "core_user_" not in q["sql"]]
    User.objects.filter(pk=street.pk).update(name="改了名字")
    assert "改了名字" in client.get("/jobs/").content.decode()
    User.objects.filter(pk=street.pk).update(is_active=False)
    assert client.get("/jobs/").status_code == 302  # switched off: logged out at once
    User.objects.filter(pk=street.pk).delete()
    assert client.get("/jobs/").status_code == 302


def test_were_a_change_mark_lost_a_switched_off_user_is_kept_no_longer_than_the_timeout(
    client_for, users, monkeypatch
):
    from core import backends, changes

    monkeypatch.setattr(backends, "KEPT_SECONDS", 0)  # the bound, at its smallest
    monkeypatch.setattr(changes, "_new_marks", lambda tables: None)  # the cache failing to mark writes
    client = client_for("street")
    assert client.get("/jobs/").status_code == 200
    User.objects.filter(pk=users["street"].pk).update(is_active=False)
    assert client.get("/jobs/").status_code == 302
