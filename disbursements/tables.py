import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.formats import date_text, yuan_text
from core.tables import RESPONSIVE, WIDE_ONLY_NOWRAP, under_on_phone
from disbursements.models import BatchLine, DisbursementBatch


class MoneyColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return yuan_text(value)


class BatchTable(tables.Table):
    # On a phone: the title (wrapping, its status and payment day under it) and the amount.
    title = tables.Column(attrs={"th": {"class": "text-nowrap"}, "td": {"class": "minw-10em"}})
    year = tables.Column(verbose_name=_("年度"), accessor="budget__year", attrs=WIDE_ONLY_NOWRAP)
    kind = tables.Column(attrs=WIDE_ONLY_NOWRAP)
    status = tables.Column(attrs=WIDE_ONLY_NOWRAP)
    total = MoneyColumn(verbose_name=_("合计金额（元）"), accessor="visible_total", order_by="total")
    created_by = tables.Column(attrs=WIDE_ONLY_NOWRAP)
    paid_on = tables.Column(attrs=WIDE_ONLY_NOWRAP)

    class Meta:
        model = DisbursementBatch
        fields = ["title", "year", "kind", "status", "total", "created_by", "paid_on"]
        empty_text = _("还没有拨付批次。")
        template_name = RESPONSIVE

    def render_title(self, value, record):
        link = format_html(
            '<a href="{}">{}</a>', reverse("disbursements:batch_detail", args=[record.pk]), value
        )
        paid = f" · {date_text(record.paid_on)}" if record.paid_on else ""
        return under_on_phone(link, f"{record.get_status_display()}{paid}")

    def render_paid_on(self, value):
        return date_text(value)


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
