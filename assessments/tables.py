import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessments.models import HotlineComplaint, WhistleTicket


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class ComplaintTable(tables.Table):
    ticket_no = tables.Column(linkify=("assessments:complaint_detail", {"pk": tables.A("pk")}))
    received_at = tables.Column()
    street = tables.Column(accessor="street__name", order_by="street__code", default="—")
    community = tables.Column(accessor="community__name", order_by="community__code", empty_values=())
    complaint_type = tables.Column(empty_values=())
    category = tables.Column()
    is_valid = tables.Column(verbose_name=_("有效"))

    class Meta:
        model = HotlineComplaint
        fields = ["ticket_no", "received_at", "street", "community", "complaint_type", "category", "is_valid"]
        order_by = "-received_at"
        empty_text = _("没有符合条件的工单。")

    def render_received_at(self, value):
        return _local(value)

    def render_community(self, record):
        if record.community_id:
            return record.community.name
        return _("未匹配：%(text)s") % {"text": record.community_text or "—"}

    def render_complaint_type(self, record):
        if record.counts:
            return record.complaint_type or "—"
        return format_html(
            '{} <span class="badge text-bg-secondary">{}</span>', record.complaint_type, _("不计入")
        )

    def render_is_valid(self, value):
        return _("有效") if value else _("已核减")


class TicketTable(tables.Table):
    number = tables.Column(linkify=("assessments:ticket_detail", {"pk": tables.A("pk")}))
    collected_at = tables.Column()
    street = tables.Column(accessor="street__name", order_by="street__code")
    grid = tables.Column(accessor="grid__name", order_by="grid__code")
    reporter = tables.Column()
    category = tables.Column()
    department = tables.Column(default="—")
    status = tables.Column()
    closed_at = tables.Column(empty_values=())

    class Meta:
        model = WhistleTicket
        fields = [
            "number",
            "collected_at",
            "street",
            "grid",
            "reporter",
            "category",
            "department",
            "status",
            "closed_at",
        ]
        order_by = "-collected_at"
        empty_text = _("没有符合条件的哨单。")

    def render_collected_at(self, value):
        return _local(value)

    def render_closed_at(self, value):
        return _local(value)
