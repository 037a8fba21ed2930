"""Give grids a 设立日期 and staff posts a 任职日期 and 离任日期.

Grids and posts already on the roster are dated 2021-01-01: before the first assessed year (2022),
so every year already assessed counts them as it did.
"""

import datetime as dt

from django.db import migrations, models

BEFORE_FIRST_YEAR = dt.date(2021, 1, 1)


class Migration(migrations.Migration):
    dependencies = [("grids", "0002_grid_parent_level_trigger")]

    operations = [
        migrations.AddField(
            model_name="grid",
            name="established_on",
            field=models.DateField(default=BEFORE_FIRST_YEAR, verbose_name="设立日期"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="gridstaff",
            name="started_on",
            field=models.DateField(default=BEFORE_FIRST_YEAR, verbose_name="任职日期"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="gridstaff",
            name="ended_on",
            field=models.DateField(blank=True, null=True, verbose_name="离任日期"),
        ),
    ]
