import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessments.models import HotlineComplaint, WhistleTicket
from core.formats import datetime_text
from core.tables import HEADER_NOWRAP, NOWRAP, RESPONSIVE, WIDE_ONLY, WIDE_ONLY_NOWRAP, under_on_phone


def _linked_with_time(url: str, text: str, when) -> str:
    """A row's number as a link, with its time under it on a phone (where the time column is hidden)."""
    return format_html(
        '{}<div class="small text-muted d-md-none">{}</div>', _link(url, text), datetime_text(when)
    )


def _link(url: str, text: str) -> str:
    return format_html('<a href="{}">{}</a>', url, text)


class ComplaintTable(tables.Table):
    ticket_no = tables.Column(attrs=NOWRAP)
    received_at = tables.Column(attrs=WIDE_ONLY_NOWRAP)
    street = tables.Column(
        verbose_name=_("街镇"),
        accessor="street__name",
        order_by="street__code",
        default="—",
        attrs=WIDE_ONLY,
    )
    community = tables.Column(
        verbose_name=_("村（社区）"),
        accessor="community__name",
        order_by="community__code",
        empty_values=(),
        attrs=HEADER_NOWRAP,
    )
    complaint_type = tables.Column(empty_values=(), attrs=NOWRAP)
    category = tables.Column(attrs=WIDE_ONLY)
    is_valid = tables.Column(verbose_name=_("有效"), attrs=WIDE_ONLY_NOWRAP)

    class Meta:
        model = HotlineComplaint
        template_name = RESPONSIVE
        fields = ["ticket_no", "received_at", "street", "community", "complaint_type", "category", "is_valid"]
        order_by = "-received_at"
        empty_text = _("没有符合条件的工单。")

    def render_ticket_no(self, record, value):
        url = reverse("assessments:complaint_detail", kwargs={"pk": record.pk})
        return _linked_with_time(url, value, record.received_at)

    def render_received_at(self, value):
        return datetime_text(value)

    def render_community(self, record):
        if record.community_id:
            name = record.community.name
        else:
            name = format_html(
                '<span class="text-danger">{}</span>{}',
                _("未匹配："),
                record.community_text or _("未填写"),
            )
        street = record.street.name if record.street_id else record.street_text
        return under_on_phone(name, street)

    def render_complaint_type(self, record):
        kind = record.complaint_type or "—"
        if not record.counts:
            kind = format_html('{} <span class="badge text-bg-secondary">{}</span>', kind, _("不计入"))
        if record.is_valid:
            return kind
        # On a phone the 有效 column is hidden: a 核减'd ticket says so here.
        return format_html(
            '{}<div class="d-md-none"><span class="badge text-bg-dark">{}</span></div>', kind, _("已核减")
        )

    def render_is_valid(self, value):
        return _("有效") if value else _("已核减")


class TicketTable(tables.Table):
    number = tables.Column(attrs=NOWRAP)
    collected_at = tables.Column(attrs=WIDE_ONLY_NOWRAP)
    street = tables.Column(
        verbose_name=_("街镇"), accessor="street__name", order_by="street__code", attrs=WIDE_ONLY
    )
    grid = tables.Column(
        verbose_name=_("网格"), accessor="grid__name", order_by="grid__code", attrs=HEADER_NOWRAP
    )
    reporter = tables.Column(attrs=WIDE_ONLY)
    category = tables.Column(attrs=WIDE_ONLY)
    department = tables.Column(default="—", attrs=WIDE_ONLY)
    status = tables.Column(attrs=HEADER_NOWRAP)
    closed_at = tables.Column(empty_values=(), attrs=WIDE_ONLY_NOWRAP)

    class Meta:
        model = WhistleTicket
        template_name = RESPONSIVE
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

    def render_number(self, record, value):
        url = reverse("assessments:ticket_detail", kwargs={"pk": record.pk})
        return _linked_with_time(url, value, record.collected_at)

    def render_collected_at(self, value):
        return datetime_text(value)

    def render_grid(self, record, value):
        return under_on_phone(value, record.street.name)

    def render_closed_at(self, value):
        return datetime_text(value)
