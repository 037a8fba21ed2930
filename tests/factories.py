"""Factories for the test suite: a consistent little roster and users of each role."""

import datetime as dt

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from core.models import User
from core.roles import Role
from grids.models import CommunityKind, Grid, GridLevel, GridStaff, StaffRole

PASSWORD = "test-pass-123"
BEFORE_2022 = dt.date(2021, 1, 1)  # grids and posts of the test roster exist before every tested year


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}街道")
    level = GridLevel.STREET
    established_on = BEFORE_2022


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    parent = factory.SubFactory(StreetFactory)
    street = factory.SelfAttribute("parent")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}C{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}社区")
    level = GridLevel.COMMUNITY
    established_on = BEFORE_2022
    kind = CommunityKind.URBAN


class Level3Factory(DjangoModelFactory):
    class Meta:
        model = Grid

    parent = factory.SubFactory(CommunityFactory)
    community = factory.SelfAttribute("parent")
    street = factory.SelfAttribute("parent.street")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}G{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}小区")
    level = GridLevel.LEVEL3
    established_on = BEFORE_2022


class Level4Factory(DjangoModelFactory):
    class Meta:
        model = Grid

    parent = factory.SubFactory(Level3Factory)
    community = factory.SelfAttribute("parent.community")
    street = factory.SelfAttribute("parent.street")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}B{n:03d}")
    name = factory.Sequence(lambda n: f"{n}栋")
    level = GridLevel.LEVEL4
    established_on = BEFORE_2022


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = GridStaff

    grid = factory.SubFactory(Level4Factory)
    name = factory.Sequence(lambda n: f"人员{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    role = StaffRole.WORKER
    started_on = BEFORE_2022


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


def two_street_roster() -> dict:
    """Two streets, each with one urban community, one level-3 grid and two staffed level-4 grids: the
    `roster` fixture's world, also built by scripts that run outside pytest (tests/fault_actions.py)."""
    tree = {}
    for key in ("a", "b"):
        street = StreetFactory(name=f"{key}街道")
        community = CommunityFactory(parent=street, name=f"{key}社区")
        level3 = Level3Factory(parent=community, name=f"{key}小区")
        level4 = [Level4Factory(parent=level3, name=f"{key}{i}栋") for i in (1, 2)]
        for grid in level4:
            StaffFactory(grid=grid)
        tree[key] = {"street": street, "community": community, "level3": level3, "level4": level4}
    return tree


def date_approval(batch, day: dt.date) -> None:
    """Date an approved batch's steps so far on a past day, so that a test can pay it on that day (a
    payment may not precede its approval); the timeline keeps its order."""
    from django.utils import timezone

    batch.transitions.update(at=dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_default_timezone()))
