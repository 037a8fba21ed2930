"""Forms of the money's last mile: a street's receipt, its 下发 to each community, and corrections."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formats import yuan_text
from core.forms import Form, MoneyField
from disbursements.models import MAX_LINE_AMOUNT
from disbursements.services.receipts import PassOnEntry


def _date_field(label):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


def _amount_field(label, *, min_value):
    return MoneyField(
        label=label,
        min_value=min_value,
        max_value=MAX_LINE_AMOUNT,
    )


class ReceiptForm(Form):
    received_on = _date_field(_("到账日期"))
    voucher_no = forms.CharField(label=_("凭证号/回执号"), max_length=50)
    scan = forms.FileField(
        label=_("回执扫描件"),
        required=False,
        help_text=_("可选：PDF、JPEG 或 PNG，不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
    )


class ReceiptCorrectionForm(ReceiptForm):
    """The confirmed receipt's date, voucher or scan, corrected with a reason (the amount never changes)."""

    reason = forms.CharField(label=_("更正原因"), max_length=200)

    def __init__(self, *args, receipt, **kwargs):
        kwargs.setdefault("initial", {"received_on": receipt.received_on, "voucher_no": receipt.voucher_no})
        super().__init__(*args, **kwargs)
        self.fields["scan"].help_text = _("可选：上传后替换原扫描件（原件仍在修改记录中）。")


class PassOnForm(Form):
    """One 下发 for several communities at once: a row per community, pre-filled with its full share."""

    passed_on = _date_field(_("下发日期"))
    voucher_no = forms.CharField(label=_("凭证号"), max_length=50)

    def __init__(self, *args, shares, **kwargs):
        super().__init__(*args, **kwargs)
        self.shares = shares
        for share in shares:
            key = share.community_id
            self.fields[f"include_{key}"] = forms.BooleanField(label=share.name, required=False, initial=True)
            self.fields[f"amount_{key}"] = _amount_field(_("下发金额（元）"), min_value=Decimal("0.01"))
            self.fields[f"amount_{key}"].required = False
            self.fields[f"amount_{key}"].initial = yuan_text(share.due)  # as written elsewhere: 1,500.00
            self.fields[f"reason_{key}"] = forms.CharField(
                label=_("金额不同的原因"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("金额不同时填写原因")}),
            )

    def rows(self):
        """Each community's share with its three bound fields, for the template."""
        return [
            {
                "share": share,
                "include": self[f"include_{share.community_id}"],
                "amount": self[f"amount_{share.community_id}"],
                "reason": self[f"reason_{share.community_id}"],
            }
            for share in self.shares
        ]

    def clean(self):
        cleaned = super().clean()
        for share in self.shares:
            key = share.community_id
            if cleaned.get(f"include_{key}") and cleaned.get(f"amount_{key}") is None:
                self.add_error(f"amount_{key}", _("请填写%(name)s的下发金额。") % {"name": share.name})
        return cleaned

    def entries(self) -> list[PassOnEntry]:
        data = self.cleaned_data
        return [
            PassOnEntry(
                community_id=share.community_id,
                amount=data[f"amount_{share.community_id}"],
                reason=data.get(f"reason_{share.community_id}", ""),
            )
            for share in self.shares
            if data.get(f"include_{share.community_id}")
        ]


class PassOnCorrectionForm(Form):
    community = forms.TypedChoiceField(label=_("村（社区）"), coerce=int)
    amount = _amount_field(_("更正金额（元）"), min_value=-MAX_LINE_AMOUNT)
    passed_on = _date_field(_("日期"))
    voucher_no = forms.CharField(label=_("凭证号"), max_length=50)
    reason = forms.CharField(label=_("更正原因"), max_length=200)

    def __init__(self, *args, shares, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(s.community_id, s.name) for s in shares if s.has_pass_on]
        self.fields["amount"].help_text = _("补发为正数，收回为负数。")
