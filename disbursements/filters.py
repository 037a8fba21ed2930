import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disbursements.models import BatchKind, BatchLine, BatchStatus, DisbursementBatch, LineCategory
from grids import selectors as grid_selectors
from grids.models import Grid

ALL = _("全部")


class BatchFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        label=_("年度"), field_name="budget__year", min_value=2000, max_value=2100
    )
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=BatchKind.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=BatchStatus.choices, empty_label=ALL)

    class Meta:
        model = DisbursementBatch
        fields = ["year", "kind", "status"]


class LineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("单位/网格/事由"), method="filter_q")
    street = django_filters.ModelChoiceFilter(label=_("街镇"), queryset=Grid.objects.none(), empty_label=ALL)
    category = django_filters.ChoiceFilter(label=_("类别"), choices=LineCategory.choices, empty_label=ALL)

    class Meta:
        model = BatchLine
        fields = ["q", "street", "category"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["street"].queryset = grid_selectors.streets_for(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(community__name__icontains=value)
            | Q(grid__name__icontains=value)
            | Q(grid__code__startswith=value)
            | Q(reason__icontains=value)
        )
