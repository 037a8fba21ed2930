from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import AssessmentYear


@admin.register(AssessmentYear)
class AssessmentYearAdmin(SimpleHistoryAdmin):
    """Create a new year here; its quarters and rules are edited in the app (年度考核设置)."""

    list_display = ["year", "level3_excellent_quota", "level4_excellent_quota"]

    def save_model(self, request, obj, form, change):
        from assessments.services.periods import ensure_year

        super().save_model(request, obj, form, change)
        ensure_year(year=obj.year)
