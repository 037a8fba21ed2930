import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.formats import yuan_text
from core.tables import RESPONSIVE
from disbursements.models import BatchLine, DisbursementBatch


class MoneyColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return yuan_text(value)


class BatchTable(tables.Table):
    title = tables.Column(linkify=("disbursements:batch_detail", {"pk": tables.A("pk")}))
    year = tables.Column(verbose_name=_("年度"), accessor="budget__year")
    kind = tables.Column()
    status = tables.Column()
    total = MoneyColumn(verbose_name=_("合计金额（元）"), accessor="visible_total", order_by="total")
    created_by = tables.Column()
    paid_on = tables.Column(default="—")

    class Meta:
        model = DisbursementBatch
        fields = ["title", "year", "kind", "status", "total", "created_by", "paid_on"]
        empty_text = _("还没有拨付批次。")
        template_name = RESPONSIVE
        attrs = {"class": "table table-nowrap"}


class LineTable(tables.Table):
    # Named here: through the accessor every one of them would be headed 网格名称 (Grid.name).
    street = tables.Column(verbose_name=_("街镇"), accessor="street__name", order_by="street__code")
    community = tables.Column(
        verbose_name=_("村（社区）"), accessor="community__name", order_by="community__code", default="—"
    )
    grid = tables.Column(verbose_name=_("网格"), accessor="grid__name", order_by="grid__code", default="—")
    category = tables.Column()
    reason = tables.Column()
    adjustment = tables.Column(default="—")
    rule = tables.Column(default="—")
    amount = MoneyColumn()

    class Meta:
        model = BatchLine
        fields = ["street", "community", "grid", "category", "adjustment", "reason", "rule", "amount"]
        order_by = "street"
        empty_text = _("没有符合条件的明细。")
        template_name = RESPONSIVE  # eight columns: on a phone the table scrolls, not the page
        attrs = {"class": "table table-nowrap"}
