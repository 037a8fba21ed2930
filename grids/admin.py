from django.contrib import admin

from grids.models import Grid, GridStaff


class ReadOnlyAdmin(admin.ModelAdmin):
    """Roster rows are written through the app's pages: they keep ancestors consistent and dates within
    the bounds of what is closed (grids.history)."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "kind", "street", "community", "established_on", "retired_on"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "street", "community"]
    list_select_related = ["street", "community"]


@admin.register(GridStaff)
class GridStaffAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "phone", "grid", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["name", "phone", "grid__code", "grid__name"]
    raw_id_fields = ["grid"]
    list_select_related = ["grid"]
