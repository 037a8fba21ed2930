from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.roles import Role


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the app writes only through its own pages and services, shown here to be looked up."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAwareUserChangeForm(UserChangeForm):
    def clean(self):
        data = super().clean()
        groups = data.get("groups") or []
        if any(g.name == Role.STREET_ADMIN for g in groups) and not data.get("street"):
            raise forms.ValidationError(_("街镇管理员必须指定所属街镇。"))
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = RoleAwareUserChangeForm
    list_display = ["username", "name", "street", "is_active", "last_login"]
    list_filter = ["groups", "is_active"]
    search_fields = ["username", "name"]
    raw_id_fields = ["street"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("业务信息"), {"fields": ["name", "street"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Roles are given through groups only: a 系统管理员 cannot grant superuser status or
        # single permissions, which would bypass street scope and the finance separation of duties.
        hidden = {"is_superuser", "user_permissions"}
        return [
            (title, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for title, opts in fieldsets
        ]

    # A 系统管理员 may not change, reset the password of, or delete a superuser: that would be the
    # superuser's powers by another way. (Django's password view asks has_change_permission too.)
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
