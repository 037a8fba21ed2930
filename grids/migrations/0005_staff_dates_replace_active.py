"""The dates replace the 在岗 flag; the roster's date rules become constraints.

SQLite alters a table by rebuilding it, which drops its triggers: the grid table's triggers of 0002 are
created again after the last rebuild (PostgreSQL keeps them).
"""

from importlib import import_module

from django.db import migrations, models

parent_trigger = import_module("grids.migrations.0002_grid_parent_level_trigger")


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in [*parent_trigger.SQLITE_BACKWARD, *parent_trigger.SQLITE_FORWARD]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("grids", "0004_staff_ended_on_from_active")]

    operations = [
        migrations.RemoveConstraint(model_name="gridstaff", name="staff_unique_per_grid_role"),
        migrations.RemoveIndex(model_name="gridstaff", name="staff_grid_active"),
        migrations.RemoveField(model_name="gridstaff", name="active"),
        migrations.AddIndex(
            model_name="gridstaff",
            index=models.Index(fields=["grid", "ended_on"], name="staff_grid_ended"),
        ),
        migrations.AddConstraint(
            model_name="gridstaff",
            constraint=models.UniqueConstraint(
                condition=models.Q(ended_on__isnull=True),
                fields=("grid", "name", "role"),
                name="staff_unique_serving_per_grid_role",
            ),
        ),
        migrations.AddConstraint(
            model_name="gridstaff",
            constraint=models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=models.F("started_on")),
                name="staff_ended_after_started",
            ),
        ),
        migrations.AddConstraint(
            model_name="grid",
            constraint=models.CheckConstraint(
                condition=models.Q(retired_on__isnull=True)
                | models.Q(retired_on__gt=models.F("established_on")),
                name="grid_retired_after_established",
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
