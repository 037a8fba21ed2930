import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.complaint_types import counts_as_complaint, default_complaint_types
from assessments.models.choices import Rating
from core.choices import ChoiceLabels
from core.money import MONEY
from grids.models import Grid, GridLevel


class AssessmentYear(models.Model):
    """A year's assessment settings: excellent quotas and reward amounts (以奖代补标准)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True, validators=[MinValueValidator(2000)])
    level3_excellent_quota = models.PositiveIntegerField(_("三级网格每季度优秀名额"), default=355)
    level4_excellent_quota = models.PositiveIntegerField(_("四级网格每季度优秀名额"), default=757)
    # From the 2022 report: 城市社区 5,000 元, other villages/communities 3,000 元 per zero-complaint quarter.
    zero_complaint_reward_urban = models.DecimalField(
        _("城市社区零投诉奖励（元/季度）"), default=Decimal("5000.00"), **MONEY
    )
    zero_complaint_reward_rural = models.DecimalField(
        _("其他村（社区）零投诉奖励（元/季度）"), default=Decimal("3000.00"), **MONEY
    )
    # Only these 诉求类型 count towards 零投诉 (the rule: assessments.complaint_types.counts_as_complaint).
    complaint_types = models.JSONField(_("计入投诉的诉求类型"), default=default_complaint_types)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度考核设置")
        verbose_name_plural = _("年度考核设置")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(zero_complaint_reward_urban__gte=0, zero_complaint_reward_rural__gte=0),
                name="year_rewards_not_negative",
            )
        ]

    def __str__(self):
        return f"{self.year}年"

    def quota(self, level: int) -> int:
        return self.level3_excellent_quota if level == GridLevel.LEVEL3 else self.level4_excellent_quota

    def counts(self, complaint_type: str) -> bool:
        """Whether a ticket of this 诉求类型, received in this year, counts towards 零投诉."""
        return counts_as_complaint(complaint_type, self.complaint_types)


class RatingReward(models.Model):
    """The reward per quarter for a grid of a level with a rating (not stated in the report: set per year)."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="rating_rewards")
    level = models.PositiveSmallIntegerField(
        _("网格层级"),
        choices=[(GridLevel.LEVEL3, GridLevel.LEVEL3.label), (GridLevel.LEVEL4, GridLevel.LEVEL4.label)],
    )
    rating = models.CharField(_("考核等次"), max_length=12, choices=Rating.choices)
    amount = models.DecimalField(_("奖励金额（元/季度）"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("网格考核奖励标准")
        verbose_name_plural = _("网格考核奖励标准")
        constraints = [
            models.UniqueConstraint(fields=["year", "level", "rating"], name="rating_reward_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="rating_reward_not_negative"),
        ]

    def __str__(self):
        return f"{self.year.year} {self.get_level_display()} {self.get_rating_display()}: {self.amount}"


class StreetQuota(models.Model):
    """A street's share of the district's excellent quota for one grid level (optional split)."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="street_quotas")
    street = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": 1}
    )
    level = models.PositiveSmallIntegerField(_("网格层级"))
    quota = models.PositiveIntegerField(_("优秀名额"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("街镇优秀名额")
        verbose_name_plural = _("街镇优秀名额")
        constraints = [
            models.UniqueConstraint(fields=["year", "street", "level"], name="street_quota_unique"),
            models.CheckConstraint(condition=Q(level__in=(3, 4)), name="street_quota_level"),
        ]

    def __str__(self):
        return f"{self.year.year} {self.street.name} L{self.level}: {self.quota}"


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("开放")
    LOCKED = "locked", _("已锁定")


class AssessmentPeriod(ChoiceLabels, models.Model):
    """One quarter of a year: results are entered while open and read-only once locked."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="periods"
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核季度")
        verbose_name_plural = _("考核季度")
        ordering = ["-year__year", "quarter"]
        permissions = [("lock_period", _("可以锁定考核季度")), ("unlock_period", _("可以解锁考核季度"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="period_unique_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="period_quarter_range"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="period_dates_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.year.year}年第{self.quarter}季度"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def is_locked(self) -> bool:
        return self.status == PeriodStatus.LOCKED

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @staticmethod
    def quarter_dates(year: int, quarter: int) -> tuple[dt.date, dt.date]:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (
            dt.date(year, 12, 31)
            if quarter == 4
            else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
        )
        return start, end
