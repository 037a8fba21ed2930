from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.formats import yuan_text
from disbursements.models import Budget, DisbursementBatch
from disbursements.selectors import committed_total, full_year_budget
from disbursements.services.workflow import year_frozen


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["year", "amount", "fund_name", "basis"]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if self.instance.pk:
            committed = committed_total(self.instance)
            if full_year_budget(self.instance) - self.instance.amount + amount < committed:
                raise forms.ValidationError(
                    _("已审核及已拨付 %(c)s 元，预算不能少于该数。") % {"c": yuan_text(committed)}
                )
        return amount


@admin.register(Budget)
class BudgetAdmin(SimpleHistoryAdmin):
    """A signed-off year's budget is read-only here as on its page (services.workflow.year_frozen)."""

    form = BudgetForm
    list_display = ["year", "amount", "fund_name", "basis"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and year_frozen(obj.year):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # Batches belong to their year: once there are any, the year no longer changes.
        return ["year"] if obj is not None and obj.batches.exists() else []


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
