"""One home for matching names: streets, villages/communities and grid paths as people write them."""

import pytest

from core.xlsx import normalize_header
from grids import matching
from grids.matching import GridIndex, GridNode, UnitIndex
from grids.models import GridLevel
from tests.factories import CommunityFactory, Level3Factory, Level4Factory, StreetFactory


@pytest.mark.parametrize("name", ["月坡社区居委会", "月坡社区", " 月坡 社区", "月坡社区居民委员会", "月坡"])
def test_community_key_tolerates_suffixes_and_spaces(name):
    assert matching.community_key(name) == "月坡"


def test_keys_of_villages_streets_and_districts():
    assert matching.community_key("港坡村村民委员会") == matching.community_key("港坡村") == "港坡"
    assert matching.community_key("新村") == "新村"  # never stripped to one character
    assert matching.street_key("高塘岭街道办事处") == matching.street_key("高塘岭街道") == "高塘岭"
    assert matching.street_key("乔口镇人民政府") == "乔口"
    assert matching.district_key("湖南省长沙市望城区") == matching.district_key("望城") == "望城"
    assert matching.district_key("浏阳市") == "浏阳"
    assert matching.is_own_district("长沙市望城区") is True
    assert matching.is_own_district("开福区") is False
    assert matching.is_own_district(" ") is None


@pytest.fixture
def places(db):
    jinshan = StreetFactory(name="金山桥街道")
    qiaokou = StreetFactory(name="乔口镇")
    return {
        "jinshan": jinshan,
        "qiaokou": qiaokou,
        "pujing": CommunityFactory(parent=jinshan, name="铺井村"),
        "twin_a": CommunityFactory(parent=jinshan, name="新华社区"),
        "twin_b": CommunityFactory(parent=qiaokou, name="新华社区"),
        "street_named": CommunityFactory(parent=qiaokou, name="乔口社区"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "铺井村",
        "铺井村村民委员会",
        "金山桥街道铺井村村民委员会",
        "望城区金山桥街道铺井村",
        "长沙市望城区金山桥铺井村委会",
        "铺 井 村",
    ],
)
def test_a_village_is_found_however_it_is_written(places, text):
    assert UnitIndex.load().community(text).unit.pk == places["pujing"].pk


def test_the_same_name_in_two_streets_is_resolved_by_the_street_or_reported_ambiguous(places):
    index = UnitIndex.load()
    found = index.community("新华社区")
    assert found.unit is None and found.ambiguous
    assert "有多个同名单位" in found.problem("新华社区")
    assert index.community("新华社区", street="乔口镇").unit.pk == places["twin_b"].pk
    assert index.community("乔口镇新华社区居委会").unit.pk == places["twin_b"].pk
    assert index.community("新华社区", street="不存在街道").unit is None
    # A community named like its street is the community, not the street with nothing after it.
    assert index.community("乔口社区").unit.pk == places["street_named"].pk


def test_a_payee_is_a_code_a_street_a_community_or_the_label_the_preview_shows(places):
    index = UnitIndex.load()
    assert index.payee(places["pujing"].code).unit.pk == places["pujing"].pk
    assert index.payee("金山桥街道").unit.pk == places["jinshan"].pk
    assert index.payee("金山桥街道办事处").unit.pk == places["jinshan"].pk
    assert index.payee("铺井村").unit.pk == places["pujing"].pk
    label = index.payee("乔口镇新华社区").unit.label
    assert label == "乔口镇新华社区"
    assert index.payee(label).unit.pk == places["twin_b"].pk
    assert index.payee("新华社区").ambiguous


def test_grids_are_found_by_their_name_path(places):
    level3 = Level3Factory(parent=places["pujing"], name="第一党支部片区")
    level4 = Level4Factory(parent=level3, name="1组")
    index = GridIndex.load()
    assert index.path(["金山桥街道", "铺井村", "第一党支部片区", "1 组"])[0].pk == level4.pk
    assert index.path(["金山桥", "铺井村村委会", "第一党支部片区", ""])[0].pk == level3.pk
    assert index.path(["金山桥街道", "金山桥街道铺井村", "第一党支部片区"])[0].pk == level3.pk
    grid, failed_at, why = index.path(["金山桥街道", "铺井村", "第九党支部片区", "1组"])
    assert grid is None and failed_at == 2 and "铺井村下找不到三级网格“第九党支部片区”" in why
    assert index.code(level4.code.lower()).pk == level4.pk


def test_a_grid_added_to_the_index_is_found_by_later_names(places):
    index = GridIndex.load()
    pujing = index.code(places["pujing"].code)
    new = GridNode(-1, "NEW01", "第一党支部 片区", GridLevel.LEVEL3, pujing.pk, pujing.street_id)
    index.add(new)
    assert index.named(pujing.pk, GridLevel.LEVEL3, "第一党支部片区") == [new]
    assert index.path(["金山桥街道", "铺井村", "第一党支部\u3000片区"])[0] == new
    assert index.named(pujing.street_id, GridLevel.COMMUNITY, "金山桥街道铺井村") == [pujing]
    assert index.problem(pujing.pk, GridLevel.LEVEL4, "一组", 0) == "铺井村下找不到四级网格“一组”。"
    assert "有 2 个名为“一组”" in index.problem(pujing.pk, GridLevel.LEVEL4, "一组", 2)


def test_a_village_and_a_community_sharing_a_base_name_are_found_by_their_full_names(places):
    village = CommunityFactory(parent=places["jinshan"], name="黄金村")
    community = CommunityFactory(parent=places["jinshan"], name="黄金社区")
    index = GridIndex.load()
    street = places["jinshan"].pk
    assert index.named(street, GridLevel.COMMUNITY, "黄金村")[0].pk == village.pk
    assert index.path(["金山桥街道", "黄金 社区"])[0].pk == community.pk
    assert len(index.named(street, GridLevel.COMMUNITY, "黄金村委会")) == 2  # neither name in full: both


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("乡镇", "street_name"),
        ("乡镇（街道）", "street_name"),
        ("村（居）", "community_name"),
        ("村居", "community_name"),
        ("村（社区）", "community_name"),
        ("片区", "level3_name"),
        ("党支部片区", "level3_name"),
        ("党支部服务片区", "level3_name"),
        ("小区", "level3_name"),
        ("小区（片区）", "level3_name"),
        ("村民小组", "level4_name"),
        ("村（居）民小组", "level4_name"),
        ("村民组", "level4_name"),
        ("组", "level4_name"),
        ("楼栋（组）", "level4_name"),
    ],
)
def test_the_level_names_people_use_as_headers_name_the_grid_path_columns(header, key):
    owners = [c.key for c in matching.GRID_PATH_COLUMNS if normalize_header(header) in c.names()]
    assert owners == [key]


def test_merged_names_are_taken_from_the_row_above_only_within_its_branch():
    from grids.matching import MergedNames

    merged = MergedNames()
    assert merged.fill_names(5, ["甲街道", "一村", "第一片区", "1组"]) == [
        "甲街道",
        "一村",
        "第一片区",
        "1组",
    ]
    assert merged.fill_names(6, ["", "", "", "2组"]) == ["甲街道", "一村", "第一片区", "2组"]
    # Another street starts another branch: its blank village is not 甲街道's 一村.
    assert merged.fill_names(7, ["乙街道", "", "第二片区", ""]) == ["乙街道", "", "第二片区", ""]
    assert merged.fill_names(8, ["", "", "", ""], repeat_when_blank=True) == ["乙街道", "", "第二片区", ""]
    assert merged.filled == [6, 8]
