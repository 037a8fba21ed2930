"""Filters of the 未匹配工单 page: by street (recognised, or as the export wrote it), quarter and text."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import AssessmentPeriod, HotlineComplaint
from assessments.selectors import unmatched as selectors
from assessments.selectors.unmatched import WRITTEN
from grids.filters import ALL

SEARCHED = (
    "ticket_no__icontains",
    "community_text__icontains",
    "street_text__icontains",
    "content__icontains",
)


class UnmatchedFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("工单编号、村（社区）、内容")}),
    )
    street = django_filters.ChoiceFilter(label=_("街镇"), method="filter_street", empty_label=ALL)
    period = django_filters.ModelChoiceFilter(
        label=_("季度"), queryset=AssessmentPeriod.objects.none(), method="filter_period", empty_label=ALL
    )

    class Meta:
        model = HotlineComplaint
        fields = ["q", "street", "period"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["street"].extra["choices"] = selectors.street_choices(keep=self.data.get("street", ""))
        self.filters["period"].queryset = selectors.periods_for_filter()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for lookup in SEARCHED:
            condition |= Q(**{lookup: value})
        return queryset.filter(condition)

    def filter_street(self, queryset, name, value):
        if value.startswith(WRITTEN):
            return queryset.filter(street__isnull=True, street_text=value.removeprefix(WRITTEN))
        return queryset.filter(street_id=int(value))

    def filter_period(self, queryset, name, value):
        return queryset.received_in(value)
