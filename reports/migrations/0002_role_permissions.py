"""Every role reads the self-evaluation; center staff and the administrator edit it."""

from django.db import migrations

from core.role_grants import grant, revoke

ROLE_PERMISSIONS = {
    "中心工作人员": ["reports.view_selfevaluation", "reports.edit_evaluation"],
    "街镇管理员": ["reports.view_selfevaluation"],
    "财务审核员": ["reports.view_selfevaluation"],
    "领导": ["reports.view_selfevaluation"],
    "系统管理员": ["reports.view_selfevaluation", "reports.edit_evaluation"],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("core", "0002_create_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
