import django_filters
from django.utils.translation import gettext_lazy as _

from core.validators import EARLIEST_YEAR, LATEST_YEAR
from disbursements.models import BatchKind, BatchLine, BatchStatus, DisbursementBatch, LineCategory
from grids.filters import ALL, GridChoiceFilter, ScopedFilterSet
from grids.models import Grid


class BatchFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        label=_("年度"), field_name="budget__year", min_value=EARLIEST_YEAR, max_value=LATEST_YEAR
    )
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=BatchKind.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=BatchStatus.choices, empty_label=ALL)

    class Meta:
        model = DisbursementBatch
        fields = ["year", "kind", "status"]


class LineFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("单位/网格/事由"), method="filter_q")
    street = GridChoiceFilter(label=_("街镇"), queryset=Grid.objects.none(), empty_label=ALL)
    category = django_filters.ChoiceFilter(label=_("类别"), choices=LineCategory.choices, empty_label=ALL)

    class Meta:
        model = BatchLine
        fields = ["q", "street", "category"]

    search = (
        "community__name__icontains",
        "grid__name__icontains",
        "grid__code__startswith",
        "reason__icontains",
    )
