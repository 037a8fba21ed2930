from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.complaint_types import parse_types
from assessments.models import Rating, RatingReward
from core.forms import Form, GroupedModelChoiceField, MoneyField
from grids.models import Grid, GridLevel

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT = {"widget": DATETIME_WIDGET}
QUOTA = {"min_value": 0, "max_value": 100000}
MONEY_FIELD = {"min_value": Decimal("0")}


class UnlockForm(Form):
    # The reason is kept as the history's change reason, which holds 100 characters with its prefix.
    reason = forms.CharField(label=_("解锁理由"), max_length=90, widget=forms.TextInput())


def _disable(form: forms.Form, read_only: bool) -> None:
    """Show a year's settings without letting them change (assessments.services.periods.settings_frozen)."""
    if read_only:
        for field in form.fields.values():
            field.disabled = True


class YearSettingsForm(Form):
    level3_quota = forms.IntegerField(label=_("三级网格每季度优秀名额"), **QUOTA)
    level4_quota = forms.IntegerField(label=_("四级网格每季度优秀名额"), **QUOTA)
    zero_urban = MoneyField(label=_("城市社区零投诉奖励（元/季度）"), **MONEY_FIELD)
    zero_rural = MoneyField(label=_("其他村（社区）零投诉奖励（元/季度）"), **MONEY_FIELD)
    complaint_types = forms.CharField(
        label=_("计入投诉的诉求类型"),
        max_length=200,
        help_text=_("12345 工单中只有这些诉求类型计入零投诉统计，多个用顿号分隔，例如：投诉、举报。"),
    )

    def __init__(self, *args, settings, read_only: bool = False, **kwargs):
        rewards = {(r.level, r.rating): r.amount for r in RatingReward.objects.filter(year=settings)}
        initial = {
            "level3_quota": settings.level3_excellent_quota,
            "level4_quota": settings.level4_excellent_quota,
            "zero_urban": settings.zero_complaint_reward_urban,
            "zero_rural": settings.zero_complaint_reward_rural,
            "complaint_types": "、".join(settings.complaint_types),
        }
        super().__init__(*args, initial=initial, **kwargs)
        for level in (GridLevel.LEVEL3, GridLevel.LEVEL4):
            for rating in Rating:
                name = f"reward_{level}_{rating.value}"
                self.fields[name] = MoneyField(
                    label=_("%(level)s“%(rating)s”奖励（元/季度）")
                    % {"level": GridLevel(level).label, "rating": rating.label},
                    **MONEY_FIELD,
                )
                self.initial[name] = rewards.get((level, rating.value), Decimal("0.00"))
        _disable(self, read_only)

    def clean_complaint_types(self) -> list[str]:
        try:
            return parse_types(self.cleaned_data["complaint_types"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def rating_rewards(self) -> dict:
        return {
            (level, rating.value): self.cleaned_data[f"reward_{level}_{rating.value}"]
            for level in (GridLevel.LEVEL3, GridLevel.LEVEL4)
            for rating in Rating
        }


class StreetQuotaForm(Form):
    """One number per street: its share of a level's excellent quota."""

    def __init__(self, *args, streets, initial_quotas: dict[int, int], read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.streets = list(streets)
        for street in self.streets:
            self.fields[f"street_{street.pk}"] = forms.IntegerField(
                label=street.name, initial=initial_quotas.get(street.pk, 0), **QUOTA
            )
        _disable(self, read_only)

    def quotas(self) -> dict[int, int]:
        return {street.pk: self.cleaned_data[f"street_{street.pk}"] for street in self.streets}


def street_name(grid) -> str:
    return grid.street.name


class ComplaintForm(Form):
    ticket_no = forms.CharField(label=_("工单编号"), max_length=40)
    received_at = forms.DateTimeField(label=_("受理时间"), **MOMENT)
    community = GroupedModelChoiceField(
        label=_("村（社区）"), queryset=Grid.objects.none(), group_by=street_name
    )
    category = forms.CharField(label=_("问题类别"), max_length=50, required=False)
    content = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class AssignForm(Form):
    community = GroupedModelChoiceField(
        label=_("村（社区）"), queryset=Grid.objects.none(), group_by=street_name
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class InvalidateForm(Form):
    reason = forms.CharField(label=_("核减理由"), max_length=200)


class TicketForm(Form):
    number = forms.CharField(label=_("哨单编号"), max_length=40)
    grid_code = forms.CharField(label=_("网格编码"), max_length=32)
    reporter = forms.CharField(label=_("采集人"), max_length=50)
    collected_at = forms.DateTimeField(label=_("采集时间"), **MOMENT)
    # 问题类别 is optional, as in a ledger import; whoever types a ticket in knows what the problem is.
    category = forms.CharField(label=_("问题类别"), max_length=50, required=False)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.CharField(label=_("责任单位"), max_length=100, required=False)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = grids

    def clean_grid_code(self):
        code = "".join(self.cleaned_data["grid_code"].split())
        grid = self.grids.filter(code=code, level__gte=GridLevel.COMMUNITY).first()
        if grid is None:
            raise forms.ValidationError(
                _("找不到编码为“%(code)s”的网格（或不在您的管辖范围内）。"), params={"code": code}
            )
        self.cleaned_data["grid"] = grid
        return code


class AdvanceForm(Form):
    at = forms.DateTimeField(label=_("时间"), **MOMENT)
    department = forms.CharField(label=_("责任单位"), max_length=100, required=False)
