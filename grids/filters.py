import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids import selectors
from grids.models import CommunityKind, Grid, GridLevel, GridStaff, StaffRole


class GridFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称/编码"), method="filter_q")
    street = django_filters.ModelChoiceFilter(label=_("街镇"), queryset=Grid.objects.none())
    community = django_filters.ModelChoiceFilter(label=_("村（社区）"), queryset=Grid.objects.none())
    level = django_filters.ChoiceFilter(label=_("层级"), choices=GridLevel.choices)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=CommunityKind.choices, method="filter_kind")
    staffed = django_filters.BooleanFilter(
        label=_("已配备网格员"), method="filter_staffed", widget=django_filters.widgets.BooleanWidget()
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("active", _("在用")), ("retired", _("已撤销"))],
        method="filter_status",
        empty_label=_("全部"),
    )

    class Meta:
        model = Grid
        fields = ["q", "street", "community", "level", "kind", "staffed", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["street"].queryset = selectors.streets_for(user)
        self.filters["community"].queryset = selectors.communities_for(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value)) if value else queryset

    def filter_kind(self, queryset, name, value):
        return queryset.kind_is(value)

    def filter_staffed(self, queryset, name, value):
        return queryset.filter(is_staffed=value)

    def filter_status(self, queryset, name, value):
        active = Grid.objects.active().values("pk")
        return queryset.filter(pk__in=active) if value == "active" else queryset.exclude(pk__in=active)


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名/电话/网格"), method="filter_q")
    street = django_filters.ModelChoiceFilter(
        label=_("街镇"), field_name="grid__street", queryset=Grid.objects.none()
    )
    role = django_filters.ChoiceFilter(label=_("职务"), choices=StaffRole.choices)
    active = django_filters.BooleanFilter(label=_("在岗"), widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = GridStaff
        fields = ["q", "street", "role", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["street"].queryset = selectors.streets_for(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(phone__startswith=value)
            | Q(grid__name__icontains=value)
            | Q(grid__code__startswith=value)
        )
