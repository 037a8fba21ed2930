"""Center staff keep the year's budget sources and adjustments; finance officers see them."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "中心工作人员": ["disbursements.view_budgetadjustment", "disbursements.adjust_budget"],
    "财务审核员": ["disbursements.view_budgetadjustment"],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0004_corrections_and_budget_adjustments")]

    operations = [migrations.RunPython(forwards, backwards)]
