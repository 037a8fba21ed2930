from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models.choices import Rating
from assessments.models.periods import AssessmentPeriod
from core import access
from core.choices import ChoiceLabels
from grids.models import Grid


class GridRatingQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(user, self, "street")


class GridRating(ChoiceLabels, models.Model):
    """One level-3 or level-4 grid's rating in one quarter."""

    period = models.ForeignKey(
        AssessmentPeriod, verbose_name=_("季度"), on_delete=models.PROTECT, related_name="ratings"
    )
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="ratings")
    # Copies of the grid's level and street at rating time: quota counts and scoping need no join.
    level = models.PositiveSmallIntegerField(_("层级"))
    street = models.ForeignKey(Grid, verbose_name=_("街镇"), on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("考核等次"), max_length=12, choices=Rating.choices)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    remark = models.CharField(_("备注"), max_length=200, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("评定时间"), auto_now=True)
    history = HistoricalRecords()

    objects = GridRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格考核")
        verbose_name_plural = _("网格考核")
        indexes = [models.Index(fields=["period", "level", "rating", "street"], name="rating_quota_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["period", "grid"], name="rating_one_per_grid_per_quarter"),
            models.CheckConstraint(condition=Q(level__in=(3, 4)), name="rating_level_3_or_4"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="rating_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.grid.name}: {self.get_rating_display()}"
