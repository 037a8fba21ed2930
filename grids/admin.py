from django.contrib import admin

from grids.models import Grid, GridStaff


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "street", "community", "retired_on"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "street", "community"]
    list_select_related = ["street", "community"]

    def has_change_permission(self, request, obj=None):
        # Roster edits go through the app's pages so that ancestors stay consistent.
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GridStaff)
class GridStaffAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "phone", "grid", "active"]
    list_filter = ["role", "active"]
    search_fields = ["name", "phone", "grid__code", "grid__name"]
    raw_id_fields = ["grid"]
    list_select_related = ["grid"]
