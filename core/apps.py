import gc

from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = _("系统与权限")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out
        from django.db.backends.signals import connection_created

        from core import changes, navigation, tables

        connection_created.connect(changes.watch, dispatch_uid="core.changes.watch")
        user_logged_out.connect(forget_messages, dispatch_uid="core.apps.forget_messages")

        tables.remember_cell_signatures()

        navigation.register(
            _("系统"),
            [navigation.Item(_("管理后台"), "admin:index", roles=(navigation.Role.ADMIN,))],
            order=90,
        )

        # What start-up made (every model, module and class: about 100,000 objects, imported before the
        # apps are ready) lives as long as the process: moved out of the garbage collector's generations.
        # A full collection, which an import's tens of thousands of new rows set off several times, then
        # goes through what requests and jobs made since, not those too: a roster's preview and confirm
        # spent 0.24 s in four of them, 0.1 s now. (Python's gc.freeze(), as forking servers use it.)
        gc.freeze()


def forget_messages(sender, request, **kwargs) -> None:
    """At logout, a message not yet shown is dropped: it rides in a cookie (FallbackStorage), which the
    session's end does not clear, and the next person at the same computer must not read it."""
    from django.contrib import messages

    storage = messages.get_messages(request)
    for _message in storage:
        pass  # read, so the middleware removes them from the cookie with the response


class WangchengAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.WangchengAdminSite"


class LoginSecurityConfig(axes_apps.AppConfig):
    """django-axes under a Chinese name in the admin (its models are named in locale/)."""

    default = False
    verbose_name = _("登录安全")
