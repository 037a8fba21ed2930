"""The 系统管理员 registers the external systems that call the API, rotates and revokes their tokens, and
reads the log of their calls."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "系统管理员": [
        "core.add_apiclient",
        "core.change_apiclient",
        "core.view_apiclient",
        "core.view_apicall",
    ],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_api_clients")]

    operations = [migrations.RunPython(forwards, backwards)]
