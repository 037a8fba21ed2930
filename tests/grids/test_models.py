import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grids.models import CommunityKind, Grid, GridLevel, GridStaff, phone_validator
from tests.factories import CommunityFactory, Level3Factory, Level4Factory, StaffFactory, StreetFactory

pytestmark = pytest.mark.django_db


def _refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.create(**fields)


def test_database_refuses_a_parent_two_levels_up():
    community = CommunityFactory()
    # Row-local checks pass (a level-4 grid with street and community set); only the trigger can see
    # that the parent is a level-2 grid.
    _refused(
        code="X1",
        name="x",
        level=GridLevel.LEVEL4,
        parent=community,
        street=community.street,
        community=community,
    )


def test_database_refuses_a_level3_grid_in_another_street_than_its_community():
    community = CommunityFactory()
    other_street = StreetFactory()
    _refused(
        code="X2",
        name="x",
        level=GridLevel.LEVEL3,
        parent=community,
        street=other_street,
        community=community,
    )


def test_database_refuses_a_community_whose_street_is_not_its_parent():
    street, other = StreetFactory(), StreetFactory()
    _refused(
        code="X3", name="x", level=GridLevel.COMMUNITY, parent=street, street=other, kind=CommunityKind.URBAN
    )


def test_database_refuses_a_street_with_a_parent_and_a_kind_outside_communities():
    street = StreetFactory()
    _refused(code="X4", name="x", level=GridLevel.STREET, parent=street)
    community = CommunityFactory()
    _refused(
        code="X5",
        name="x",
        level=GridLevel.LEVEL3,
        parent=community,
        street=community.street,
        community=community,
        kind=CommunityKind.URBAN,
    )
    _refused(code="X6", name="x", level=GridLevel.COMMUNITY, parent=street, street=street, kind="")


def test_database_refuses_changing_the_level_of_a_grid_with_children():
    level4 = Level4Factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.filter(pk=level4.parent_id).update(level=GridLevel.LEVEL4)


def test_codes_are_unique():
    street = StreetFactory(code="430112001")
    with pytest.raises(IntegrityError), transaction.atomic():
        StreetFactory(code=street.code)


def test_one_staff_member_per_grid_name_and_role():
    person = StaffFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        GridStaff.objects.create(grid=person.grid, name=person.name, role=person.role, phone="13900000000")


@pytest.mark.parametrize("phone", ["13812345678", "19900001111", "0731-88123456", "073188123456"])
def test_phone_validator_accepts_mobiles_and_landlines(phone):
    phone_validator(phone)


@pytest.mark.parametrize("phone", ["1381234567", "12812345678", "abc", "138-1234-5678", "88123456"])
def test_phone_validator_refuses_malformed_numbers(phone):
    with pytest.raises(ValidationError):
        phone_validator(phone)


def test_retired_grids_leave_the_active_set_from_their_date():
    today = dt.date(2022, 6, 30)
    kept = Level3Factory()
    retired = Level3Factory(retired_on=dt.date(2022, 6, 30))
    later = Level3Factory(retired_on=dt.date(2022, 7, 1))
    active = set(Grid.objects.filter(level=3).active(on=today))
    assert kept in active and later in active and retired not in active


def test_unit_label_follows_the_community_kind():
    rural = CommunityFactory(kind=CommunityKind.RURAL)
    assert Level3Factory(parent=rural).unit_label == "党支部服务片区"
    assert Level4Factory(parent=Level3Factory(parent=rural)).unit_label == "村（居）民组"
    assert Level4Factory().unit_label == "楼栋"
