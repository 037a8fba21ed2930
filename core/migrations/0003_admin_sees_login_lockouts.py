"""The 系统管理员 sees login failures and lockouts in the admin, and lifts a lockout by deleting it."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "系统管理员": [
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
    ],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_create_roles"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
