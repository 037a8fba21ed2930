from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, MoneyField
from disbursements.models import MAX_LINE_AMOUNT
from grids.models import Grid, GridLevel


class CommentForm(Form):
    comment = forms.CharField(label=_("说明"), max_length=200, required=False)


class PayForm(Form):
    paid_on = forms.DateField(
        label=_("拨付日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    voucher_no = forms.CharField(label=_("凭证号"), max_length=50)


class SpecialBatchForm(Form):
    year = forms.IntegerField(label=_("预算年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("批次名称"), max_length=100)


class SpecialLineForm(Form):
    payee = forms.ModelChoiceField(label=_("收款单位"), queryset=Grid.objects.none())
    purpose = forms.CharField(label=_("用途"), max_length=100)
    amount = MoneyField(
        label=_("金额（元）"),
        min_value=Decimal("0.01"),
        max_value=MAX_LINE_AMOUNT,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payee"].queryset = (
            Grid.objects.active().filter(level__in=(GridLevel.STREET, GridLevel.COMMUNITY)).order_by("code")
        )


class BudgetSourcesForm(Form):
    carryover = MoneyField(label=_("上年结转资金（元）"), min_value=Decimal("0.00"))
    other_funds = MoneyField(label=_("其他资金（元）"), min_value=Decimal("0.00"))


class BudgetAdjustmentForm(Form):
    amount = MoneyField(
        label=_("调整金额（元）"),
        help_text=_("追加为正数，调减为负数。"),
        min_value=-MAX_LINE_AMOUNT,
        max_value=MAX_LINE_AMOUNT,
    )
    adjusted_on = forms.DateField(
        label=_("调整日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    document_no = forms.CharField(label=_("文号"), max_length=50)
    reason = forms.CharField(label=_("调整理由"), max_length=200)
