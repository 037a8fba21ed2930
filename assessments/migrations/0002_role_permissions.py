"""Give the roles their permissions on quarterly assessments."""

from django.db import migrations

from core.role_grants import grant, revoke

VIEW_ALL = [
    "assessments.view_assessmentyear",
    "assessments.view_assessmentperiod",
    "assessments.view_hotlinecomplaint",
    "assessments.view_gridrating",
    "assessments.view_whistleticket",
]
ROLE_PERMISSIONS = {
    "中心工作人员": [
        *VIEW_ALL,
        "assessments.change_assessmentyear",
        "assessments.lock_period",
        "assessments.add_hotlinecomplaint",
        "assessments.change_hotlinecomplaint",
        "assessments.add_gridrating",
        "assessments.change_gridrating",
        "assessments.add_whistleticket",
        "assessments.change_whistleticket",
    ],
    "街镇管理员": [
        *VIEW_ALL,
        "assessments.add_gridrating",
        "assessments.change_gridrating",
        "assessments.add_whistleticket",
        "assessments.change_whistleticket",
    ],
    "财务审核员": VIEW_ALL,
    "领导": VIEW_ALL,
    "系统管理员": [*VIEW_ALL, "assessments.change_assessmentyear", "assessments.unlock_period"],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial"), ("core", "0002_create_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
