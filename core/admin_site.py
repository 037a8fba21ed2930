from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import backup
from core.access import has_role
from core.roles import Role


class WangchengAdminSite(admin.AdminSite):
    site_header = _("望城区网格化管理专项资金系统 · 管理后台")
    site_title = _("管理后台")
    index_title = _("系统管理")
    # The index shows the latest successful backup above the apps, and warns when it is over a day old.
    index_template = "admin/wangcheng_index.html"

    def has_permission(self, request):
        # Only the 系统管理员 role uses the Django admin; everyone else works in the app's own pages.
        user = request.user
        return user.is_active and (user.is_superuser or has_role(user, Role.ADMIN))

    def index(self, request, extra_context=None):
        return super().index(request, {"backup": backup.last_backup(), **(extra_context or {})})
