import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import HotlineComplaint, TicketStatus, WhistleTicket
from core.days import moments_on
from core.numbers import MAX_ID
from core.validators import EARLIEST_YEAR, LATEST_YEAR
from grids.filters import ALL, GridChoiceFilter, ScopedFilterSet
from grids.models import Grid


class ComplaintFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("工单编号/内容"), method="filter_q")
    street = GridChoiceFilter(label=_("街镇"), queryset=Grid.objects.none(), empty_label=ALL)
    quarter = django_filters.ChoiceFilter(
        label=_("季度"),
        choices=[(q, f"第{q}季度") for q in range(1, 5)],
        method="filter_quarter",
        empty_label=ALL,
    )
    year = django_filters.NumberFilter(
        label=_("年度"), field_name="received_on__year", min_value=EARLIEST_YEAR, max_value=LATEST_YEAR
    )
    match = django_filters.ChoiceFilter(
        label=_("匹配"),
        choices=[("unmatched", _("未匹配")), ("matched", _("已匹配"))],
        method="filter_match",
        empty_label=ALL,
    )
    is_valid = django_filters.ChoiceFilter(
        label=_("有效"),
        choices=[("true", _("有效")), ("false", _("已核减"))],
        method="filter_valid",
        empty_label=ALL,
    )
    counts = django_filters.ChoiceFilter(
        label=_("零投诉统计"),
        choices=[("true", _("计入")), ("false", _("不计入（非投诉类型）"))],
        method="filter_counts",
        empty_label=ALL,
    )

    # Bounded, so that a number too large for a key is refused rather than overflowing the query.
    community = django_filters.NumberFilter(
        field_name="community_id", widget=forms.HiddenInput(), min_value=1, max_value=MAX_ID
    )

    class Meta:
        model = HotlineComplaint
        fields = ["q", "year", "quarter", "street", "match", "is_valid", "counts", "community"]

    search = ("ticket_no__startswith", "content__icontains")

    def filter_quarter(self, queryset, name, value):
        return queryset.filter(received_on__quarter=int(value))

    def filter_match(self, queryset, name, value):
        return queryset.filter(community__isnull=value == "unmatched")

    def filter_valid(self, queryset, name, value):
        return queryset.filter(is_valid=value == "true")

    def filter_counts(self, queryset, name, value):
        return queryset.filter(counts=value == "true")


class TicketFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("编号/网格/内容"), method="filter_q")
    street = GridChoiceFilter(label=_("街镇"), queryset=Grid.objects.none(), empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TicketStatus.choices, empty_label=ALL)
    category = django_filters.CharFilter(label=_("问题类别"), lookup_expr="exact")
    # Local days as ranges of moments (core.days): no per-row date conversion, and the index serves them.
    collected_from = django_filters.DateFilter(
        label=_("采集日期起"),
        method="filter_collected_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    collected_to = django_filters.DateFilter(
        label=_("采集日期止"),
        method="filter_collected_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = WhistleTicket
        fields = ["q", "street", "status", "category", "collected_from", "collected_to"]

    search = (
        "number__startswith",
        "grid__code__startswith",
        "grid__name__icontains",
        "description__icontains",
    )

    def filter_collected_from(self, queryset, name, value):
        return queryset.filter(moments_on("collected_at", first=value))

    def filter_collected_to(self, queryset, name, value):
        return queryset.filter(moments_on("collected_at", last=value))
