"""Give the roles their permissions on budgets and disbursement batches."""

from django.db import migrations

from core.role_grants import grant, revoke

VIEW_ALL = ["disbursements.view_budget", "disbursements.view_disbursementbatch"]
ROLE_PERMISSIONS = {
    "中心工作人员": [*VIEW_ALL, "disbursements.prepare_batch"],
    # Street admins see their own street's lines of batches (scoped in the views).
    "街镇管理员": VIEW_ALL,
    "财务审核员": [*VIEW_ALL, "disbursements.approve_batch", "disbursements.pay_batch"],
    "领导": VIEW_ALL,
    "系统管理员": [*VIEW_ALL, "disbursements.change_budget"],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0001_initial"), ("core", "0002_create_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
