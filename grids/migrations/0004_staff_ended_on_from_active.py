"""Date the end of the posts marked 不在岗.

The flag did not say when a person left; the row's last change (updated_at) is when it was last
saved, at the latest when the flag was cleared, and the best date the roster has.
"""

import datetime as dt

from django.db import migrations


def forward(apps, schema_editor):
    GridStaff = apps.get_model("grids", "GridStaff")
    for person in GridStaff.objects.filter(active=False).only("pk", "started_on", "updated_at"):
        ended_on = max(person.updated_at.date(), person.started_on + dt.timedelta(days=1))
        GridStaff.objects.filter(pk=person.pk).update(ended_on=ended_on)


def backward(apps, schema_editor):
    GridStaff = apps.get_model("grids", "GridStaff")
    GridStaff.objects.filter(ended_on__isnull=False).update(active=False)


class Migration(migrations.Migration):
    dependencies = [("grids", "0003_grid_established_on_staff_dates")]

    operations = [migrations.RunPython(forward, backward)]
