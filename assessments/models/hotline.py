from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models.periods import AssessmentPeriod
from core import access
from core.choices import ChoiceLabels
from grids.models import CommunityKind, Grid


class ComplaintQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(user, self, "street")

    def counted(self):
        """Tickets that count against a community: a complaint type of the year, and not 核减'd."""
        return self.filter(is_valid=True, counts=True)

    def not_counted(self):
        """Tickets kept but not counted because of their type (咨询, 建议 …): 不计入."""
        return self.filter(counts=False)

    def received_in(self, period: AssessmentPeriod):
        return self.filter(received_on__gte=period.starts_on, received_on__lte=period.ends_on)

    def unmatched(self):
        return self.filter(community__isnull=True)


class HotlineComplaint(ChoiceLabels, models.Model):
    """A 12345 hotline ticket (工单) about a village/community."""

    ticket_no = models.CharField(_("工单编号"), max_length=40, unique=True)
    received_at = models.DateTimeField(_("受理时间"))
    # The local date of received_at: quarters are calendar quarters in Asia/Shanghai.
    received_on = models.DateField(_("受理日期"), db_index=True)
    street = models.ForeignKey(
        Grid, verbose_name=_("街镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        Grid,
        verbose_name=_("村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    street_text = models.CharField(_("原始街镇"), max_length=100, blank=True)
    community_text = models.CharField(_("原始村（社区）"), max_length=100, blank=True)
    complaint_type = models.CharField(_("诉求类型"), max_length=20, blank=True)
    # Set from complaint_type and the year's AssessmentYear.complaint_types at import; False is 不计入.
    counts = models.BooleanField(_("计入投诉"), default=True)
    category = models.CharField(_("问题类别"), max_length=50, blank=True)
    content = models.TextField(_("诉求内容"), blank=True)
    is_valid = models.BooleanField(_("有效投诉"), default=True)
    invalid_reason = models.CharField(_("核减理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("12345 工单")
        verbose_name_plural = _("12345 工单")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["community", "received_on"], name="complaint_community_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_valid=True) | ~Q(invalid_reason=""), name="complaint_invalid_needs_reason"
            ),
            models.CheckConstraint(
                condition=Q(community__isnull=True) | Q(street__isnull=False),
                name="complaint_community_has_street",
            ),
        ]

    def __str__(self):
        return self.ticket_no


class ZeroComplaintResult(ChoiceLabels, models.Model):
    """A community's result in a locked quarter, frozen at locking so that later edits cannot change it."""

    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.CASCADE, related_name="zero_complaint_results"
    )
    community = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=CommunityKind.choices)
    complaints = models.PositiveIntegerField(_("有效投诉数"))
    is_zero = models.BooleanField(_("零投诉"))

    class Meta:
        verbose_name = _("零投诉结果")
        verbose_name_plural = _("零投诉结果")
        constraints = [
            models.UniqueConstraint(fields=["period", "community"], name="zero_result_unique"),
            models.CheckConstraint(
                condition=Q(is_zero=True, complaints=0) | Q(is_zero=False, complaints__gt=0),
                name="zero_result_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.community.name}: {self.complaints}"
