import pytest
from django.core.exceptions import PermissionDenied

from core import access
from core.navigation import menu_for
from grids.models import Grid


def test_scope_limits_street_admins_to_their_street(users, roster):
    visible = set(Grid.objects.for_user(users["street"]))
    assert roster["a"]["street"] in visible and roster["a"]["level4"][0] in visible
    assert roster["b"]["street"] not in visible and roster["b"]["level3"] not in visible
    assert Grid.objects.for_user(users["leader"]).count() == Grid.objects.count()


def test_scope_shows_nothing_to_users_without_a_role_or_street(users):
    assert not Grid.objects.for_user(users["nobody"]).exists()
    users["street"].street = None
    assert not Grid.objects.for_user(users["street"]).exists()


def test_require_raises_permission_denied(users):
    access.require(users["center"], "grids.import_roster")
    with pytest.raises(PermissionDenied):
        access.require(users["street"], "grids.import_roster")


def test_in_scope(users, roster):
    assert access.in_scope(users["street"], roster["a"]["street"].pk)
    assert not access.in_scope(users["street"], roster["b"]["street"].pk)
    assert access.in_scope(users["leader"], roster["b"]["street"].pk)


def _labels(user):
    return {item["label"] for section in menu_for(user) for item in section["items"]}


def test_navigation_shows_each_role_what_it_can_do(users):
    assert {"网格概览", "网格列表", "花名册导入"} <= _labels(users["center"])
    assert "花名册导入" not in _labels(users["street"]) and "网格列表" in _labels(users["street"])
    assert "管理后台" in _labels(users["admin"])
    assert "管理后台" not in _labels(users["center"])
    assert _labels(users["nobody"]) == set()
