from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import ChoiceLabels

SCORE = {"max_digits": 6, "decimal_places": 2}


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINAL = "final", _("定稿")


class SelfEvaluation(ChoiceLabels, models.Model):
    """A year's 项目支出绩效自评 (财预〔2020〕10号): the form's header and the report's editable texts.

    A draft follows the data; finalising (定稿) stores what was signed off (EvaluationSignOff) and
    freezes the year: its indicators, texts and whistle tickets no longer change until a 系统管理员
    reopens it with a reason.
    """

    # What people edit in the browser; everything else on the form comes from the data.
    EDITABLE_FIELDS = (
        "project_name",
        "department",
        "implementer",
        "goal_expected",
        "goal_actual",
        "report_date",
        "issuer",
    )

    # The 自评表's sign-off lines typed in the browser besides 填报单位 (issuer) and 填报日期 (report_date):
    # kept in `texts` with the other typed words, so a new year carries them over like its prose.
    SIGN_OFF_TEXTS = {"preparer": _("填表人"), "preparer_phone": _("联系电话")}

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    project_name = models.CharField(_("项目名称"), max_length=100, default="“热线+网格、吹哨+报到”专项资金")
    department = models.CharField(_("主管部门"), max_length=100, default="长沙市望城区社会治理服务中心")
    implementer = models.CharField(_("实施单位"), max_length=100, default="长沙市望城区社会治理服务中心")
    goal_expected = models.TextField(_("年度总体目标：预期目标"), blank=True)
    goal_actual = models.TextField(_("年度总体目标：实际完成情况"), blank=True)
    # The report's paragraphs that are prose rather than figures, keyed by section (see reports.report).
    texts = models.JSONField(_("报告正文"), default=dict, blank=True)
    report_date = models.DateField(_("报告日期"), null=True, blank=True)
    issuer = models.CharField(_("报告单位"), max_length=100, default="长沙市望城区社会治理服务中心")
    status = models.CharField(
        _("状态"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效自评")
        verbose_name_plural = _("绩效自评")
        ordering = ["-year"]
        permissions = [
            ("edit_evaluation", _("可以编辑绩效自评")),
            ("finalise_evaluation", _("可以定稿绩效自评")),
            ("reopen_evaluation", _("可以重新打开已定稿的绩效自评")),
            ("open_year", _("可以开启新年度")),
        ]

    def __str__(self):
        return f"{self.year} 年绩效自评"

    @property
    def is_final(self) -> bool:
        return self.status == EvaluationStatus.FINAL


class Level1(models.TextChoices):
    OUTPUT = "output", _("产出指标")
    BENEFIT = "benefit", _("效益指标")
    SATISFACTION = "satisfaction", _("满意度指标")


class Direction(models.TextChoices):
    AT_LEAST = ">=", "≥"
    AT_MOST = "<=", "≤"
    EQUAL = "=", "="
    QUALITATIVE = "qualitative", _("定性")


class Band(models.TextChoices):
    """The three bands of a qualitative indicator (财预〔2020〕10号)."""

    ACHIEVED = "achieved", _("达成年度指标")
    PARTLY = "partly", _("部分达成年度指标")
    NOT = "not", _("未达成年度指标")


class Source(models.TextChoices):
    """Where an indicator's actual value comes from: the application's data, or entered by hand."""

    MANUAL = "manual", _("人工填报")
    STREETS = "grids_level1", _("一级网格数")
    COMMUNITIES = "grids_level2", _("二级网格数")
    LEVEL3 = "grids_level3", _("三级网格数")
    LEVEL4 = "grids_level4", _("四级网格数")
    TICKETS = "whistle_tickets", _("雷锋哨采集哨单数")
    COVERAGE = "coverage", _("三、四级网格覆盖率（%）")
    CLOSURE = "closure_rate", _("哨单办结率（%）")
    QUARTERS = "quarters_locked", _("完成季度考核次数")
    EXECUTED = "executed", _("全年支出金额（元）")
    PASS_ON_RATE = "pass_on_rate", _("下发到位率（%）")


class Indicator(ChoiceLabels, models.Model):
    """One row of the indicator table: 一级/二级/三级指标, target, actual, points and score."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    level1 = models.CharField(_("一级指标"), max_length=16, choices=Level1.choices)
    level2 = models.CharField(_("二级指标"), max_length=20)
    name = models.CharField(_("三级指标"), max_length=100)
    direction = models.CharField(_("方向"), max_length=12, choices=Direction.choices)
    target = models.DecimalField(_("指标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_text = models.CharField(_("年度指标值"), max_length=100)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    points = models.DecimalField(_("分值"), **SCORE)
    source = models.CharField(_("数据来源"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    manual_actual = models.DecimalField(
        _("实际完成值（人工）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    band = models.CharField(_("定性评价"), max_length=10, choices=Band.choices, blank=True)
    band_percent = models.DecimalField(
        _("档内得分比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    actual_text = models.CharField(_("实际完成值（说明）"), max_length=200, blank=True)
    justification = models.CharField(_("人工填报依据"), max_length=200, blank=True)
    override_score = models.DecimalField(_("调整后得分"), null=True, blank=True, **SCORE)
    override_reason = models.CharField(_("调整理由"), max_length=200, blank=True)
    deviation = models.CharField(_("偏差原因分析及改进措施"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["evaluation", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="indicator_points_not_negative"),
            models.CheckConstraint(
                condition=Q(override_score__isnull=True) | ~Q(override_reason=""),
                name="indicator_override_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(direction="qualitative") | Q(target__isnull=False),
                name="indicator_quantitative_has_target",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def awaiting_input(self) -> bool:
        """Whether the value is entered by hand and not yet entered (待填报): a new year's copy starts so."""
        if self.direction == Direction.QUALITATIVE:
            return not self.band
        return self.source == Source.MANUAL and self.manual_actual is None


class EvaluationSignOff(models.Model):
    """What was signed off when a self-evaluation was finalised: its PDF, xlsx, page and figures.

    The outputs are stored as rendered, not recomputed: a finalised year shows exactly the document
    that was signed, whatever changes later in the roster, the payments or the templates. Rows are
    never deleted; reopening marks the current one with who reopened it, when and why.
    """

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.PROTECT, related_name="sign_offs")
    finalised_at = models.DateTimeField(_("定稿时间"))
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("定稿人"), on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.BinaryField(_("自评报告 PDF"))
    xlsx = models.BinaryField(_("自评表 xlsx"))
    html = models.TextField(_("页面内容"))
    figures = models.JSONField(_("全部数字"))
    reopened_at = models.DateTimeField(_("重新打开时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重新打开人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopen_reason = models.CharField(_("重新打开理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("绩效自评定稿")
        verbose_name_plural = _("绩效自评定稿")
        ordering = ["evaluation", "-finalised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(reopened_at__isnull=True), name="one_current_sign_off"
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="sign_off_reopen_needs_reason",
            ),
        ]

    def __str__(self):
        return f"{self.evaluation} 定稿（{self.finalised_at:%Y-%m-%d}）"
