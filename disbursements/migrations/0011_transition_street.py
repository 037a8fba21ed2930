"""A timeline step names the street it is about (到账, 下发 and their corrections), so that only that
street's admin reads it. Steps recorded before name their street at the start of their comment."""

import django.db.models.deletion
from django.db import migrations, models

STREET_STEPS = ("receive", "pass_on", "pass_correct", "recv_correct")


def name_streets(apps, schema_editor):
    Grid = apps.get_model("grids", "Grid")
    BatchTransition = apps.get_model("disbursements", "BatchTransition")
    streets = list(Grid.objects.filter(level=1).values_list("pk", "name"))
    for step in BatchTransition.objects.filter(action__in=STREET_STEPS, street__isnull=True):
        street = next((pk for pk, name in streets if step.comment.startswith(f"{name} ")), None)
        if street is not None:
            step.street_id = street
            step.save(update_fields=["street"])


class Migration(migrations.Migration):
    dependencies = [
        ("disbursements", "0010_notice_numbers"),
        ("grids", "0005_staff_dates_replace_active"),
    ]

    operations = [
        migrations.AddField(
            model_name="batchtransition",
            name="street",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grids.grid",
                verbose_name="街镇",
            ),
        ),
        migrations.RunPython(name_streets, migrations.RunPython.noop),
    ]
