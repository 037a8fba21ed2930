import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.formats import date_text
from grids.models import Grid, GridStaff


class GridTable(tables.Table):
    code = tables.Column(linkify=("grids:detail", {"pk": tables.A("pk")}))
    name = tables.Column(linkify=("grids:detail", {"pk": tables.A("pk")}))
    level = tables.Column()
    street = tables.Column(verbose_name=_("街镇"), accessor="street__name", order_by="street__code")
    community = tables.Column(
        verbose_name=_("村（社区）"), accessor="community__name", order_by="community__code"
    )
    parent = tables.Column(verbose_name=_("上级网格"), accessor="parent__name", order_by="parent__code")
    kind = tables.Column(verbose_name=_("类型"), accessor="unit_label", orderable=False)
    staff_count = tables.Column(
        verbose_name=_("在岗人员"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    established_on = tables.Column(verbose_name=_("设立日期"))
    retired_on = tables.Column(verbose_name=_("状态"), empty_values=())

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
    name = tables.Column()
    role = tables.Column()
    phone = tables.Column()
    grid = tables.Column(
        verbose_name=_("网格"), linkify=("grids:detail", {"pk": tables.A("grid_id")}), order_by="grid__code"
    )
    street = tables.Column(
        verbose_name=_("街镇"), accessor="grid__street__name", order_by="grid__street__code"
    )
    community = tables.Column(
        verbose_name=_("村（社区）"), accessor="grid__community__name", order_by="grid__community__code"
    )
    started_on = tables.Column()
    ended_on = tables.Column()

    class Meta:
        model = GridStaff
        fields = ["name", "role", "phone", "grid", "street", "community", "started_on", "ended_on"]
        order_by = "grid"
        empty_text = _("没有符合条件的人员。")

    def render_started_on(self, value):
        return date_text(value)

    def render_ended_on(self, value):
        return date_text(value)

    def render_established_on(self, value):
        return date_text(value)

    def render_grid(self, record):
        return f"{record.grid.name}（{record.grid.code}）"
