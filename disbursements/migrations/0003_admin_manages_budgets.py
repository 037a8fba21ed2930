"""The 系统管理员 creates a year's budget and assessment year in the admin."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "系统管理员": ["disbursements.add_budget", "assessments.add_assessmentyear"],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("disbursements", "0002_role_permissions"),
        ("assessments", "0003_history_of_reward_rules_and_quotas"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
