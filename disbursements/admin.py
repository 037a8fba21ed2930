from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from disbursements.models import Budget, DisbursementBatch


@admin.register(Budget)
class BudgetAdmin(SimpleHistoryAdmin):
    list_display = ["year", "amount", "fund_name", "basis"]


@admin.register(DisbursementBatch)
class BatchAdmin(admin.ModelAdmin):
    """Read-only here: batches move only through the app's workflow."""

    list_display = ["title", "kind", "status", "total", "created_by", "approved_by", "paid_on"]
    list_filter = ["kind", "status", "budget__year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
