from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = _("系统与权限")

    def ready(self):
        from core import navigation

        navigation.register(
            _("系统"),
            [navigation.Item(_("管理后台"), "admin:index", roles=(navigation.Role.ADMIN,))],
            order=90,
        )


class WangchengAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.WangchengAdminSite"
