from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import access
from core.choices import ChoiceLabels
from grids.models import Grid


class TicketStatus(models.TextChoices):
    COLLECTED = "collected", _("已采集")
    WHISTLED = "whistled", _("已吹哨")
    PROCESSING = "processing", _("已报到/处置中")
    CLOSED = "closed", _("已办结")


# The lifecycle 已采集 → 已吹哨 → 已报到/处置中 → 已办结, and the field stamping each step.
STATUS_ORDER = [TicketStatus.COLLECTED, TicketStatus.WHISTLED, TicketStatus.PROCESSING, TicketStatus.CLOSED]
STATUS_TIMESTAMP = {
    TicketStatus.COLLECTED: "collected_at",
    TicketStatus.WHISTLED: "whistled_at",
    TicketStatus.PROCESSING: "reported_at",
    TicketStatus.CLOSED: "closed_at",
}


class TicketQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(user, self, "street")


class WhistleTicket(ChoiceLabels, models.Model):
    """A 雷锋哨 whistle ticket (哨单): a local problem collected by grid staff."""

    number = models.CharField(_("哨单编号"), max_length=40, unique=True)
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="whistle_tickets"
    )
    street = models.ForeignKey(Grid, verbose_name=_("街镇"), on_delete=models.PROTECT, related_name="+")
    reporter = models.CharField(_("采集人"), max_length=50)
    # Many ledgers keep no 问题类别, and some no description: an import stores "" rather than refuse them.
    category = models.CharField(_("问题类别"), max_length=50, blank=True)
    description = models.TextField(_("问题描述"), blank=True)
    department = models.CharField(_("责任单位"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.COLLECTED
    )
    collected_at = models.DateTimeField(_("采集时间"), db_index=True)
    whistled_at = models.DateTimeField(_("吹哨时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("雷锋哨哨单")
        verbose_name_plural = _("雷锋哨哨单")
        ordering = ["-collected_at"]
        indexes = [models.Index(fields=["street", "collected_at"], name="ticket_street_collected")]
        constraints = [
            # Each step is stamped when reached, and no later than the next one.
            models.CheckConstraint(
                condition=(
                    Q(
                        status="collected",
                        whistled_at__isnull=True,
                        reported_at__isnull=True,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status="whistled",
                        whistled_at__isnull=False,
                        reported_at__isnull=True,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status="processing",
                        whistled_at__isnull=False,
                        reported_at__isnull=False,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status="closed",
                        whistled_at__isnull=False,
                        reported_at__isnull=False,
                        closed_at__isnull=False,
                    )
                ),
                name="ticket_status_stamped",
            ),
            models.CheckConstraint(
                condition=(Q(whistled_at__isnull=True) | Q(whistled_at__gte=models.F("collected_at")))
                & (Q(reported_at__isnull=True) | Q(reported_at__gte=models.F("whistled_at")))
                & (Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("reported_at"))),
                name="ticket_steps_in_order",
            ),
        ]

    def __str__(self):
        return self.number
