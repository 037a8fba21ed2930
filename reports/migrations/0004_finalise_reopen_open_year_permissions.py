"""Who closes and opens years: center staff and the leader finalise a self-evaluation (the leader
answers for the report the center issues), only the administrator reopens one, and center staff
(or the administrator) open a new year."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "中心工作人员": ["reports.finalise_evaluation", "reports.open_year"],
    "领导": ["reports.finalise_evaluation"],
    "系统管理员": ["reports.reopen_evaluation", "reports.open_year"],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_evaluation_status_and_sign_offs"), ("core", "0002_create_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
