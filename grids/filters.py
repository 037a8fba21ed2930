import hashlib
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from core.changes import remember
from core.numbers import int_param
from grids import selectors
from grids.models import CommunityKind, Grid, GridLevel, GridStaff, StaffRole

ALL = _("全部")
YES_NO_STAFFED = [("true", _("已配备")), ("false", _("未配备"))]


class ScopedFilterSet(django_filters.FilterSet):
    """A list's filters: the 街镇 choices (a `street` filter) are the user's own streets, and `q`
    (method="filter_q") finds rows where any of the `search` lookups matches the text."""

    search: tuple[str, ...] = ()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["street"].queryset = selectors.streets_for(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for lookup in self.search:
            condition |= Q(**{lookup: value})
        return queryset.filter(condition)


@dataclass(frozen=True)
class GridOption:
    """What a grid drop-down's option needs of a grid: no model instance is built for it."""

    pk: int
    name: str
    code: str
    street_id: int | None

    def __str__(self) -> str:
        return Grid.label(self.name, self.code)


class GridChoiceIterator(ModelChoiceIterator):
    """The options of a grid filter read as rows (pk, name, code, street): the 146 villages of the grid
    list's filter bar cost a tenth of building 146 grids (issue 18)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.queryset.query.is_empty():  # a user who may see no street: no options (and no SQL to key on)
            return
        rows = self.queryset.values_list("pk", "name", "code", "street_id")
        # Kept until the roster changes (core.changes), per query: every list page's filter bar asks for them.
        sql, params = rows.query.sql_with_params()
        key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]
        for row in remember(f"grid-options:{key}", lambda: list(rows)):
            option = GridOption(*row)
            yield (ModelChoiceIteratorValue(option.pk, option), str(option))


class GridChoiceField(ModelChoiceField):
    iterator = GridChoiceIterator


class GridChoiceFilter(django_filters.ModelChoiceFilter):
    """A 街镇 or 村（社区） filter: choices from the queryset given, each option written from one row."""

    field_class = GridChoiceField


class CommunitySelect(forms.Select):
    """A 村（社区） drop-down whose options name their 街镇 (data-street), so that the page shows only the
    chosen street's villages (static/js/app.js, data-follows)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-street"] = instance.street_id
        return option


class GridFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("名称/编码"), method="filter_q")
    street = GridChoiceFilter(label=_("街镇"), queryset=Grid.objects.none(), empty_label=ALL)
    community = GridChoiceFilter(
        label=_("村（社区）"),
        queryset=Grid.objects.none(),
        empty_label=ALL,
        widget=CommunitySelect(attrs={"data-follows": "street"}),
    )
    level = django_filters.ChoiceFilter(label=_("层级"), choices=GridLevel.choices, empty_label=ALL)
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=CommunityKind.choices, method="filter_kind", empty_label=ALL
    )
    staffed = django_filters.ChoiceFilter(
        label=_("人员配备"), choices=YES_NO_STAFFED, method="filter_staffed", empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("active", _("在用")), ("retired", _("已撤销"))],
        method="filter_status",
        empty_label=ALL,
    )

    class Meta:
        model = Grid
        fields = ["q", "street", "community", "level", "kind", "staffed", "status"]

    search = ("name__icontains", "code__startswith")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        communities = selectors.communities_for(user)
        street_id = int_param(self.data.get("street"))
        if street_id is not None:
            # The 村（社区） follows the chosen 街镇: one of another street (left over from an earlier
            # choice) is dropped rather than emptying the list.
            communities = communities.filter(street_id=street_id)
            community_id = int_param(self.data.get("community"))
            if community_id is not None and not communities.filter(pk=community_id).exists():
                self.data = self.data.copy()
                self.data.pop("community")
        self.filters["community"].queryset = communities

    def filter_kind(self, queryset, name, value):
        return queryset.kind_is(value)

    def filter_staffed(self, queryset, name, value):
        return queryset.filter(is_staffed=value == "true")

    def filter_status(self, queryset, name, value):
        return queryset.active() if value == "active" else queryset.retired()


class StaffFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("姓名/电话/网格"), method="filter_q")
    street = GridChoiceFilter(
        label=_("街镇"), field_name="grid__street", queryset=Grid.objects.none(), empty_label=ALL
    )
    role = django_filters.ChoiceFilter(label=_("职务"), choices=StaffRole.choices, empty_label=ALL)
    active = django_filters.ChoiceFilter(
        label=_("在岗"),
        choices=[("true", _("在岗")), ("false", _("已离任"))],
        method="filter_active",
        empty_label=ALL,
    )

    class Meta:
        model = GridStaff
        fields = ["q", "street", "role", "active"]

    search = ("name__icontains", "phone__startswith", "grid__name__icontains", "grid__code__startswith")

    def filter_active(self, queryset, name, value):
        return queryset.serving() if value == "true" else queryset.ended()
