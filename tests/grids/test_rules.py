from decimal import Decimal

import pytest

from core.apportion import apportion
from grids.demo import chinese_number, plan_roster
from grids.models import CommunityKind, GridLevel, StaffRole
from grids.rules import (
    ChildCodes,
    coverage_rate,
    kind_error,
    parent_error,
    parse_kind,
    parse_level,
    parse_role,
    parse_yes_no,
    phone_error,
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


def test_child_codes_continue_after_the_parents_highest_sequence():
    codes = ChildCodes(
        taken={"430112001", "430112001001", "430112001003", "43011200100101"},
        children={
            "430112001": ["430112001001", "430112001003", "S-HAND"],
            "430112001001": ["43011200100101"],
        },
    )
    assert codes.next("430112001", GridLevel.COMMUNITY) == "430112001004"
    assert codes.next("430112001", GridLevel.COMMUNITY) == "430112001005"  # not the same one twice
    assert codes.next("430112001001", GridLevel.LEVEL3) == "43011200100102"
    assert codes.next("NEW", GridLevel.LEVEL4) == "NEW01"  # a parent without children starts at 01


def test_child_codes_skip_codes_held_anywhere_and_outgrow_their_digits():
    codes = ChildCodes(taken={"G01", "G02"}, children={"G": [f"G{n:02d}" for n in range(3, 100)]})
    assert codes.next("G", GridLevel.LEVEL4) == "G100"
    fresh = ChildCodes(taken={"G01", "G02"}, children={})
    assert fresh.next("G", GridLevel.LEVEL4) == "G03"


def test_demo_codes_follow_the_scheme():
    planned = plan_roster()
    by_code = {p.code: p for p in planned}
    children: dict[str, list[str]] = {}
    for p in planned:
        children.setdefault(p.parent_code, []).append(p.code)
    for p in planned:
        if p.parent_code:
            siblings = [c for c in children[p.parent_code] if c != p.code and c < p.code]
            expected = ChildCodes(taken=set(), children={p.parent_code: siblings}).next(
                p.parent_code, p.level
            )
            assert expected == p.code, (p.code, by_code[p.parent_code].name)


def test_phone_error_accepts_mobiles_and_landlines_only():
    assert phone_error("13800000000") is None and phone_error("0731-88123456") is None
    assert phone_error("") == "联系电话不能为空。"
    assert "格式不正确" in phone_error("1380000")
