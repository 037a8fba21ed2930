"""Create the five roles as groups with the permissions of this stage of the product.

Later migrations of other apps add their own permissions to these groups.
"""

from django.db import migrations

from core.role_grants import grant

ROLE_PERMISSIONS = {
    "中心工作人员": [
        "grids.view_grid",
        "grids.add_grid",
        "grids.change_grid",
        "grids.import_roster",
        "grids.view_gridstaff",
        "grids.add_gridstaff",
        "grids.change_gridstaff",
    ],
    "街镇管理员": [
        "grids.view_grid",
        "grids.add_grid",
        "grids.change_grid",
        "grids.view_gridstaff",
        "grids.add_gridstaff",
        "grids.change_gridstaff",
    ],
    "财务审核员": ["grids.view_grid", "grids.view_gridstaff"],
    "领导": ["grids.view_grid", "grids.view_gridstaff"],
    "系统管理员": [
        "grids.view_grid",
        "grids.view_gridstaff",
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("grids", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
