import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.formats import date_text
from core.tables import HEADER_NOWRAP, NOWRAP, NUMBER, RESPONSIVE, WIDE_ONLY, WIDE_ONLY_NOWRAP, under_on_phone
from grids.models import Grid, GridStaff


class GridTable(tables.Table):
    code = tables.Column(linkify=("grids:detail", {"pk": tables.A("pk")}), attrs=NOWRAP)
    name = tables.Column(linkify=("grids:detail", {"pk": tables.A("pk")}), attrs=HEADER_NOWRAP)
    level = tables.Column(attrs=WIDE_ONLY)
    street = tables.Column(
        verbose_name=_("街镇"), accessor="street__name", order_by="street__code", attrs=WIDE_ONLY
    )
    community = tables.Column(
        verbose_name=_("村（社区）"), accessor="community__name", order_by="community__code", attrs=WIDE_ONLY
    )
    parent = tables.Column(
        verbose_name=_("上级网格"), accessor="parent__name", order_by="parent__code", attrs=WIDE_ONLY
    )
    kind = tables.Column(verbose_name=_("类型"), accessor="unit_label", orderable=False, attrs=WIDE_ONLY)
    staff_count = tables.Column(verbose_name=_("在岗人员"), attrs=NUMBER)
    established_on = tables.Column(verbose_name=_("设立日期"), attrs=WIDE_ONLY_NOWRAP)
    retired_on = tables.Column(verbose_name=_("状态"), empty_values=(), attrs=HEADER_NOWRAP)

    class Meta:
        model = Grid
        fields = [
            "code",
            "name",
            "level",
            "street",
            "community",
            "parent",
            "kind",
            "staff_count",
            "established_on",
            "retired_on",
        ]
        order_by = "code"
        empty_text = _("没有符合条件的网格。")
        template_name = RESPONSIVE

    def render_name(self, record):
        # On a phone the street and community columns are hidden: the nearest of them goes under the name.
        above = record.community or record.street
        return under_on_phone(record.name, above.name if above else record.get_level_display())

    def render_established_on(self, value):
        return date_text(value)

    def render_retired_on(self, record):
        if record.is_active:
            return (
                _("在用")
                if record.retired_on is None
                else _("%(date)s 起撤销") % {"date": date_text(record.retired_on)}
            )
        if record.retired_on is None:
            return _("%(date)s 起设立") % {"date": date_text(record.established_on)}
        return _("%(date)s 撤销") % {"date": date_text(record.retired_on)}

    def value_retired_on(self, record):
        return self.render_retired_on(record)


class StaffTable(tables.Table):
    name = tables.Column(attrs=NOWRAP)
    role = tables.Column(attrs=WIDE_ONLY_NOWRAP)
    phone = tables.Column(attrs=NOWRAP)
    grid = tables.Column(
        verbose_name=_("网格"),
        linkify=("grids:detail", {"pk": tables.A("grid_id")}),
        order_by="grid__code",
        attrs=HEADER_NOWRAP,
    )
    street = tables.Column(
        verbose_name=_("街镇"), accessor="grid__street__name", order_by="grid__street__code", attrs=WIDE_ONLY
    )
    community = tables.Column(
        verbose_name=_("村（社区）"),
        accessor="grid__community__name",
        order_by="grid__community__code",
        attrs=WIDE_ONLY,
    )
    started_on = tables.Column(attrs=WIDE_ONLY_NOWRAP)
    ended_on = tables.Column(attrs=WIDE_ONLY_NOWRAP)

    class Meta:
        model = GridStaff
        fields = ["name", "role", "phone", "grid", "street", "community", "started_on", "ended_on"]
        order_by = "grid"
        empty_text = _("没有符合条件的人员。")
        template_name = RESPONSIVE

    def render_name(self, value, record):
        return under_on_phone(value, record.get_role_display())

    def render_started_on(self, value):
        return date_text(value)

    def render_ended_on(self, value):
        return date_text(value)

    def render_grid(self, record):
        # A phone shows the code on its own line under the name, so the number is never cut or broken.
        return format_html(
            '{}<span class="d-none d-md-inline">（{}）</span><div class="small d-md-none">{}</div>',
            record.grid.name,
            record.grid.code,
            record.grid.code,
        )
