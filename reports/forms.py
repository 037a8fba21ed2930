from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, ModelForm, MoneyField
from reports.models import Indicator, SelfEvaluation
from reports.services import TEXT_KEYS

# A phone number as people write it: 0731-88888888, (0731) 8888 8888, 138 0000 0000, 88888888转8001.
PHONE = r"^[0-9０-９ +\-()（）转]*$"

TEXT_LABELS = {
    "overview": "一（一）预算支出概况",
    "completion": "一（三）绩效目标完成程度",
    "purpose": "二（一）绩效评价目的",
    "process": "二（二）绩效评价工作过程",
    "decision": "四（一）预算支出决策情况",
    "execution": "四（二）预算执行过程情况",
    "quantity": "四（三）1 产出数量",
    "quality": "四（三）2 产出质量",
    "timeliness": "四（三）3 时效指标",
    "cost": "四（三）4 成本指标",
    "social": "四（三）5 社会效益",
    "satisfaction": "四（四）满意度",
    "problems": "五、存在的问题及原因分析",
    "suggestions": "六、有关建议",
    "other": "七、其他需要说明的问题",
}


class EvaluationForm(ModelForm):
    class Meta:
        model = SelfEvaluation
        fields = SelfEvaluation.EDITABLE_FIELDS
        widgets = {
            "goal_expected": forms.Textarea(attrs={"rows": 3}),
            "goal_actual": forms.Textarea(attrs={"rows": 3}),
            "report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The picker offers the dates the service takes (selectors.report_date_problem): next year to today.
        self.fields["report_date"].widget.attrs.update(
            min=f"{self.instance.year + 1}-01-01", max=timezone.localdate().isoformat()
        )
        for key in TEXT_KEYS:
            self.fields[f"text_{key}"] = forms.CharField(
                label=TEXT_LABELS[key],
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=self.instance.texts.get(key, ""),
            )
        # The sign-off lines of the 自评表; left empty, the PDF keeps a blank line to sign by hand.
        help_text = _("留空则在自评表上留出横线，打印后手写。")
        self.fields["text_preparer"] = forms.CharField(
            label=SelfEvaluation.SIGN_OFF_TEXTS["preparer"],
            required=False,
            max_length=20,
            help_text=help_text,
            initial=self.instance.texts.get("preparer", ""),
        )
        self.fields["text_preparer_phone"] = forms.CharField(
            label=SelfEvaluation.SIGN_OFF_TEXTS["preparer_phone"],
            required=False,
            max_length=30,
            help_text=help_text,
            validators=[
                RegexValidator(
                    PHONE, _("联系电话只能含数字、空格、-、+、括号和“转”（如 0731-88888888 转 8001）。")
                )
            ],
            initial=self.instance.texts.get("preparer_phone", ""),
        )
        self.order_fields([*SelfEvaluation.EDITABLE_FIELDS, "text_preparer", "text_preparer_phone"])
        self.fields["issuer"].help_text = _("即自评表的填报单位（盖章）和报告落款。")
        self.fields["report_date"].help_text = _("即自评表的填报日期和报告日期；留空则留出横线手写。")

    def texts(self) -> dict:
        return {key: self.cleaned_data[f"text_{key}"] for key in (*TEXT_KEYS, *SelfEvaluation.SIGN_OFF_TEXTS)}


class IndicatorForm(ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "target",
            "target_text",
            "points",
            "source",
            "manual_actual",
            "justification",
            "band",
            "band_percent",
            "actual_text",
            "override_score",
            "override_reason",
            "deviation",
        ]
        labels = {"override_score": _("调整后得分（留空则按规则计算）")}


class ReopenForm(Form):
    # Kept as the history's change reason too, which holds 100 characters with its prefix.
    reason = forms.CharField(label=_("重新打开理由"), max_length=90, widget=forms.TextInput())


class OpenYearForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    budget_amount = MoneyField(label=_("年初预算数（元）"), min_value=Decimal("0.01"))
    fund_name = forms.CharField(label=_("资金名称"), max_length=100)
    basis = forms.CharField(label=_("预算依据（文号）"), max_length=100, help_text=_("如 望社治〔2023〕5号"))
