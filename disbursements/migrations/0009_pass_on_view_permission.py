"""The system administrator looks 下发 entries up in the admin, as it already does the receipts."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {"系统管理员": ["disbursements.view_passon"]}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0008_receipt_permissions")]

    operations = [migrations.RunPython(forwards, backwards)]
