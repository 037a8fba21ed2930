from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin
from core.formats import yuan_text
from disbursements.models import Budget, DisbursementBatch, PassOn, StreetReceipt
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
class BatchAdmin(ReadOnlyAdmin):
    """Read-only here: batches move only through the app's workflow."""

    list_display = ["title", "kind", "status", "total", "created_by", "approved_by", "paid_on", "notice_no"]
    list_filter = ["kind", "status", "budget__year"]
    search_fields = ["title", "notice_no", "voucher_no"]


@admin.register(StreetReceipt)
class StreetReceiptAdmin(ReadOnlyAdmin):
    """Read-only here: only the street's own admin confirms receipt, on the 到账与下发 pages."""

    list_display = ["batch", "street", "amount", "received_on", "voucher_no", "created_by", "created_at"]
    list_filter = ["batch__budget__year", ("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["voucher_no", "street__name", "batch__title"]
    list_select_related = ["batch", "street", "created_by"]


@admin.register(PassOn)
class PassOnAdmin(ReadOnlyAdmin):
    """Read-only here: 下发 and its corrections are append-only entries made by the street's admin."""

    list_display = [
        "receipt",
        "community",
        "kind",
        "amount",
        "passed_on",
        "voucher_no",
        "reason",
        "created_by",
    ]
    list_filter = [
        "kind",
        "receipt__batch__budget__year",
        ("receipt__street", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["voucher_no", "community__name", "reason"]
    list_select_related = ["receipt__batch", "receipt__street", "community", "created_by"]
