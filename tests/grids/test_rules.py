from decimal import Decimal

import pytest

from core.apportion import apportion
from grids.demo import chinese_number
from grids.models import CommunityKind, GridLevel, StaffRole
from grids.rules import (
    coverage_rate,
    kind_error,
    parent_error,
    parse_kind,
    parse_level,
    parse_role,
    parse_yes_no,
    staff_role_error,
)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("1", 1),
        ("一级网格", 1),
        ("街镇", 1),
        ("二级", 2),
        ("村（社区）", 2),
        ("3", 3),
        ("三级网格", 3),
        ("四级", 4),
    ],
)
def test_parse_level_accepts_common_words(text, level):
    assert parse_level(text) == level


def test_parse_level_refuses_unknown_words():
    assert parse_level("五级") is None
    assert parse_level("") is None


def test_parse_kind_and_role_accept_synonyms():
    assert parse_kind("城市社区") == CommunityKind.URBAN
    assert parse_kind("农村") == CommunityKind.RURAL
    assert parse_kind("其他") == CommunityKind.RURAL
    assert parse_kind("乡镇") is None
    assert parse_role("指导员") == StaffRole.INSTRUCTOR
    assert parse_role("网格长") == StaffRole.HEAD
    assert parse_role("队长") is None
    assert parse_yes_no("是") is True
    assert parse_yes_no("否") is False
    assert parse_yes_no("也许") is None


def test_parent_error_requires_exactly_one_level_up():
    assert parent_error(GridLevel.STREET, None) is None
    assert "不能有上级" in parent_error(GridLevel.STREET, GridLevel.STREET)
    assert "必须有上级网格" in parent_error(GridLevel.LEVEL3, None)
    assert parent_error(GridLevel.LEVEL4, GridLevel.LEVEL3) is None
    message = parent_error(GridLevel.LEVEL4, GridLevel.COMMUNITY)
    assert "三级网格" in message and "二级网格" in message


def test_kind_error_only_communities_have_a_kind():
    assert kind_error(GridLevel.COMMUNITY, CommunityKind.URBAN) is None
    assert "必须填写类型" in kind_error(GridLevel.COMMUNITY, "")
    assert "只有二级网格" in kind_error(GridLevel.LEVEL3, CommunityKind.URBAN)


def test_staff_role_error_keeps_instructors_on_level3():
    assert staff_role_error(StaffRole.INSTRUCTOR, GridLevel.LEVEL3) is None
    assert "三级网格指导员" in staff_role_error(StaffRole.INSTRUCTOR, GridLevel.LEVEL4)
    assert "二至四级" in staff_role_error(StaffRole.WORKER, GridLevel.STREET)


def test_coverage_rate_rounds_half_up_to_two_places():
    assert coverage_rate(6189, 6189) == Decimal("100.00")
    assert coverage_rate(2, 3) == Decimal("66.67")
    assert coverage_rate(1, 8) == Decimal("12.50")
    assert coverage_rate(0, 0) == Decimal("100.00")


def test_apportion_gives_every_part_its_minimum_and_sums_exactly():
    parts = apportion(725, [5.5, 4.4, 1.0] * 48 + [2.0, 3.0], minimum=1)
    assert sum(parts) == 725
    assert min(parts) >= 1
    assert apportion(5, [1, 1, 1], minimum=1) == [2, 2, 1]
    assert apportion(355, [73, 47, 48]) == [154, 99, 102]  # remainders .25 .32 .43
    assert apportion(3, [0, 0, 0]) == [1, 1, 1]
    with pytest.raises(ValueError):
        apportion(2, [1, 1, 1], minimum=1)


def test_chinese_number_names_villagers_groups():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]
