from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import AssessmentYear


@admin.register(AssessmentYear)
class AssessmentYearAdmin(SimpleHistoryAdmin):
    """Create a new year here; its quarters and rules are edited in the app (年度考核设置).

    A year with a locked quarter is read-only here as on the settings page
    (assessments.services.periods.settings_frozen): its rules paid its locked quarters.
    """

    list_display = ["year", "level3_excellent_quota", "level4_excellent_quota"]

    def has_change_permission(self, request, obj=None):
        from assessments.services.periods import settings_frozen

        if obj is not None and settings_frozen(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        from assessments.services.periods import settings_frozen

        if obj is not None and settings_frozen(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from assessments.services.periods import ensure_year

        super().save_model(request, obj, form, change)
        ensure_year(year=obj.year)
