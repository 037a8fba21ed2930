"""Demo accounts, one per role (credentials are listed in the README)."""

from django.contrib.auth.models import Group
from django.db import transaction

from core.models import User
from core.roles import Role

DEMO_PASSWORD = "wangcheng2022"

# username, display name, role, street name (for street admins)
DEMO_USERS = [
    ("center", "中心工作人员（演示）", Role.CENTER_STAFF, None),
    ("street", "高塘岭街道管理员（演示）", Role.STREET_ADMIN, "高塘岭街道"),
    ("street2", "喻家坡街道管理员（演示）", Role.STREET_ADMIN, "喻家坡街道"),
    ("finance", "财务审核员（演示）", Role.FINANCE, None),
    ("finance2", "财务审核员二（演示）", Role.FINANCE, None),
    ("leader", "领导（演示）", Role.LEADER, None),
    ("admin", "系统管理员（演示）", Role.ADMIN, None),
]


@transaction.atomic
def seed_users(street_ids_by_name: dict[str, int]) -> int:
    """Create the demo users that do not exist yet; return how many were created."""
    created = 0
    for username, name, role, street in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username, name=name, street_id=street_ids_by_name.get(street) if street else None
        )
        user.is_staff = role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        created += 1
    return created
