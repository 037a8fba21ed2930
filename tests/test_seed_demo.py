from decimal import Decimal

from django.core.management import call_command
from django.db.models import Count

from core.models import User
from core.roles import Role
from grids import selectors
from grids.models import Grid, GridStaff


def test_seed_demo_builds_the_2022_district_and_is_idempotent(db):
    call_command("seed_demo", year=2022, stdout=open("/dev/null", "w"))  # noqa: SIM115
    levels = dict(Grid.objects.values_list("level").annotate(n=Count("id")).order_by())
    assert levels == {1: 14, 2: 146, 3: 725, 4: 5464}
    assert Grid.objects.filter(level=2, kind="urban").count() == 50
    assert selectors.coverage()["rate"] == Decimal("100.00")
    roles = {u.username: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert roles["center"] == {Role.CENTER_STAFF} and roles["admin"] == {Role.ADMIN}
    assert User.objects.get(username="street").street.name == "高塘岭街道"
    counts = (Grid.objects.count(), GridStaff.objects.count(), User.objects.count())

    call_command("seed_demo", year=2022, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Grid.objects.count(), GridStaff.objects.count(), User.objects.count()) == counts
