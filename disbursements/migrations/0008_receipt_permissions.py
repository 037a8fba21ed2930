"""Street admins confirm their street's receipts and record the 下发; every role reads them (scoped)."""

from django.db import migrations

from core.role_grants import grant, revoke

VIEW = ["disbursements.view_streetreceipt"]
ROLE_PERMISSIONS = {
    "街镇管理员": [*VIEW, "disbursements.record_receipt"],
    "中心工作人员": VIEW,
    "财务审核员": VIEW,
    "领导": VIEW,
    "系统管理员": VIEW,
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0007_street_receipts_and_passing_on")]

    operations = [migrations.RunPython(forwards, backwards)]
