"""The full-scale 2022 demo district: 14 streets, 146 villages/communities, 725 + 5,464 grids, staff.

Everything is derived from a fixed random seed, so the roster is the same on every machine, and
every write is "create what is missing", so seeding twice changes nothing.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from core.apportion import apportion
from grids.models import CommunityKind, Grid, GridLevel, GridStaff, StaffRole
from grids.rules import ancestors

DISTRICT_CODE = "430112"
LEVEL3_TOTAL = 725
LEVEL4_TOTAL = 5464
# Before the first assessed year, so every demo year counts the whole roster and its staff.
ESTABLISHED_ON = dt.date(2021, 1, 1)

# (name, villages/communities, of which 城市社区). 146 in all, 50 urban: the report does not give the
# split, so the urban communities sit in the central streets and the four towns are rural.
STREETS = [
    ("高塘岭街道", 14, 10),
    ("喻家坡街道", 9, 7),
    ("白沙洲街道", 10, 5),
    ("大泽湖街道", 8, 5),
    ("月亮岛街道", 9, 6),
    ("金山桥街道", 10, 5),
    ("丁字湾街道", 11, 3),
    ("黄金园街道", 8, 2),
    ("乌山街道", 11, 2),
    ("铜官街道", 10, 3),
    ("白箬铺镇", 12, 1),
    ("茶亭镇", 12, 1),
    ("靖港镇", 11, 0),
    ("乔口镇", 11, 0),
]
PLACE_FIRST = "金银龙凤桥湖山塘新沙白马岭园星光明华兴福泉松柏竹梅兰荷莲石河江洲坪坡港铺湾东西南北中月彩云"
PLACE_SECOND = "桥湖山塘林园坪岭湾洲坡冲港铺田泉源溪河井塅洞庄家峰台"
ESTATE_SUFFIX = ["小区", "花园", "家园", "苑", "新城", "华庭", "雅苑", "佳园"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏付方邹熊孟秦邱侯尹薛段雷黎易"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国文斌辉鹏飞琴慧燕雪俊峰波宇婷晨"
CHINESE_DIGITS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    if n <= 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")


@dataclass
class PlannedGrid:
    code: str
    name: str
    level: int
    parent_code: str
    kind: str = ""


def plan_roster(seed: int = 2022) -> list[PlannedGrid]:
    """Return the demo roster in level order (parents before children)."""
    rng = random.Random(seed)
    place_names = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
    rng.shuffle(place_names)
    streets, communities, level3, level4 = [], [], [], []
    for s_index, (street_name, count, urban) in enumerate(STREETS, start=1):
        street_code = f"{DISTRICT_CODE}{s_index:03d}"
        streets.append(PlannedGrid(street_code, street_name, GridLevel.STREET, ""))
        for c_index in range(1, count + 1):
            kind = CommunityKind.URBAN if c_index <= urban else CommunityKind.RURAL
            name = place_names.pop() + ("社区" if kind == CommunityKind.URBAN else "村")
            communities.append(
                PlannedGrid(f"{street_code}{c_index:03d}", name, GridLevel.COMMUNITY, street_code, kind)
            )
    l3_counts = apportion(
        LEVEL3_TOTAL,
        [(5.5 if c.kind == CommunityKind.URBAN else 4.4) * rng.uniform(0.7, 1.3) for c in communities],
        minimum=1,
    )
    for community, n in zip(communities, l3_counts, strict=True):
        urban = community.kind == CommunityKind.URBAN
        estates = rng.sample(place_names, n) if urban else []
        for i in range(1, n + 1):
            name = estates[i - 1] + rng.choice(ESTATE_SUFFIX) if urban else f"第{chinese_number(i)}党支部片区"
            level3.append(
                PlannedGrid(
                    f"{community.code}{i:02d}", name, GridLevel.LEVEL3, community.code, community.kind
                )
            )
    l4_counts = apportion(LEVEL4_TOTAL, [rng.uniform(4, 11) for _ in level3], minimum=1)
    for grid, n in zip(level3, l4_counts, strict=True):
        urban = grid.kind == CommunityKind.URBAN
        for i in range(1, n + 1):
            name = f"{i}栋" if urban else f"{chinese_number(i)}组"
            level4.append(PlannedGrid(f"{grid.code}{i:02d}", name, GridLevel.LEVEL4, grid.code))
    for grid in level3:
        grid.kind = ""
    return streets + communities + level3 + level4


def random_person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    phone = rng.choice(("13", "15", "17", "18", "19")) + f"{rng.randrange(10**9):09d}"
    return name, phone


def create_planned_grids(planned: list, state: dict, batch_size: int = 1000) -> int:
    """Create the planned grids missing from `state` (code -> (pk, street id, community id)), level by
    level so that each finds its parent; `state` is updated; return how many were created."""
    created = 0
    for level in GridLevel.values:
        new = []
        for p in planned:
            if p.level != level or p.code in state:
                continue
            parent_pk, parent_street, parent_community = state.get(p.parent_code, (None, None, None))
            street_id, community_id = ancestors(level, parent_pk, parent_street, parent_community)
            new.append(
                Grid(
                    code=p.code,
                    name=p.name,
                    level=level,
                    kind=p.kind,
                    parent_id=parent_pk,
                    street_id=street_id,
                    community_id=community_id,
                    established_on=ESTABLISHED_ON,
                )
            )
        for grid in Grid.objects.bulk_create(new, batch_size=batch_size):
            state[grid.code] = (grid.pk, grid.street_id, grid.community_id)
        created += len(new)
    return created


@transaction.atomic
def seed_roster(seed: int = 2022) -> dict:
    """Create the demo roster and its staff where missing; return how many rows were created."""
    planned = plan_roster(seed)
    state = {
        code: (pk, street_id, community_id)
        for pk, code, street_id, community_id in Grid.objects.values_list(
            "pk", "code", "street_id", "community_id"
        )
    }
    created = create_planned_grids(planned, state)

    rng = random.Random(seed + 1)
    have = set(GridStaff.objects.values_list("grid__code", "role"))
    staff = []
    for p in planned:
        roles = {
            GridLevel.LEVEL3: (StaffRole.HEAD, StaffRole.INSTRUCTOR),
            GridLevel.LEVEL4: (StaffRole.WORKER,),
        }
        for role in roles.get(p.level, ()):
            name, phone = random_person(rng)  # drawn for every grid so names do not depend on what exists
            if (p.code, role) not in have:
                staff.append(
                    GridStaff(
                        grid_id=state[p.code][0], name=name, phone=phone, role=role, started_on=ESTABLISHED_ON
                    )
                )
    GridStaff.objects.bulk_create(staff, batch_size=1000)
    return {"grids": created, "staff": len(staff)}
