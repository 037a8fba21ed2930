from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from core import api_clients
from core.models import ApiCall, ApiClient, ApiScope, User
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


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """External systems of the API: registered here, their token shown once; rotate and revoke as actions."""

    form = ApiClientForm
    list_display = ["name", "scope_labels", "token_prefix", "is_active", "last_used_at", "created_at"]
    readonly_fields = [
        "token_prefix",
        "user",
        "created_by",
        "created_at",
        "rotated_at",
        "revoked_at",
        "last_used_at",
    ]
    actions = ["rotate", "revoke"]

    @admin.display(description=_("权限范围"))
    def scope_labels(self, obj):
        return obj.scope_labels()

    @admin.display(description=_("有效"), boolean=True)
    def is_active(self, obj):
        return obj.is_active

    def get_readonly_fields(self, request, obj=None):
        return ["name", *self.readonly_fields] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # a client's calls and records keep naming it: revoke it instead

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["scopes"])
            return
        client, token = api_clients.register_client(
            user=request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
        )
        obj.__dict__.update({k: v for k, v in client.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False
        self._show_token(request, client, token)

    @admin.action(description=_("更换所选客户端的令牌"), permissions=["add"])
    def rotate(self, request, queryset):
        for client in queryset:
            try:
                token = api_clients.rotate_token(user=request.user, client=client)
            except api_clients.ApiClientError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self._show_token(request, client, token)

    @admin.action(description=_("吊销所选客户端"), permissions=["add"])
    def revoke(self, request, queryset):
        for client in queryset:
            api_clients.revoke_client(user=request.user, client=client)
        self.message_user(request, _("已吊销 %(n)d 个客户端，其令牌即刻失效。") % {"n": len(queryset)})

    def _show_token(self, request, client, token):
        self.message_user(
            request,
            _("“%(name)s”的令牌（只显示这一次，请立即复制并交给对方系统）：%(token)s")
            % {"name": client.name, "token": token},
            messages.WARNING,
        )


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = ["at", "client", "method", "path", "status", "items", "duration_ms"]
    list_filter = ["client", "status"]
    date_hierarchy = "at"
