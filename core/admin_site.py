from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.access import has_role
from core.roles import Role


class WangchengAdminSite(admin.AdminSite):
    site_header = _("望城区网格化管理专项资金系统 · 管理后台")
    site_title = _("管理后台")
    index_title = _("系统管理")

    def has_permission(self, request):
        # Only the 系统管理员 role uses the Django admin; everyone else works in the app's own pages.
        user = request.user
        return user.is_active and (user.is_superuser or has_role(user, Role.ADMIN))
