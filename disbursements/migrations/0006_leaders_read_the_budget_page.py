"""Leaders read a year's budget page (预算与调整), as they read the budget execution page."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {"领导": ["disbursements.view_budgetadjustment"]}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0005_budget_page_permissions")]

    operations = [migrations.RunPython(forwards, backwards)]
