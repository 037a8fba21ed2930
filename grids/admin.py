from django.contrib import admin

from core.admin import ReadOnlyAdmin
from grids.models import Grid, GridStaff

# Roster rows are written through the app's pages: they keep ancestors consistent and dates within the
# bounds of what is closed (grids.history).


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
