import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import AssessmentPeriod, GridRating, ZeroComplaintResult
from core import access
from core.choices import ChoiceLabels
from core.money import MONEY
from grids.models import Grid

# The largest single payment line (a whole year's budget is 4,000,000): one limit for forms and imports.
MAX_LINE_AMOUNT = Decimal("10000000.00")


class Budget(models.Model):
    """A year's budget for the fund (2022: 4,000,000.00 元, 区长办公会议纪要[2021]40号).

    `amount` is the year's appropriation as first approved (年初预算数); its adjustments during the
    year (BudgetAdjustment) give the appropriation's 全年预算数. 上年结转 and 其他资金 add to it: the
    money the batches may use is the sum (see disbursements.selectors.budget_sources).
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    amount = models.DecimalField(_("年初预算数（元）"), **MONEY)
    carryover = models.DecimalField(_("上年结转资金（元）"), default=Decimal("0.00"), **MONEY)
    other_funds = models.DecimalField(_("其他资金（元）"), default=Decimal("0.00"), **MONEY)
    fund_name = models.CharField(_("资金名称"), max_length=100, default="“热线+网格、吹哨+报到”工作经费补助")
    basis = models.CharField(_("预算依据"), max_length=100, default="区长办公会议纪要[2021]40号")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度预算")
        verbose_name_plural = _("年度预算")
        ordering = ["-year"]
        permissions = [("adjust_budget", _("可以登记预算调整、上年结转和其他资金"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_positive"),
            models.CheckConstraint(
                condition=Q(carryover__gte=0, other_funds__gte=0), name="budget_other_sources_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.year} 年预算"


class BudgetAdjustment(models.Model):
    """A change of the year's appropriation after it was first approved (追加 or 调减), with its 文号.

    Append-only: a mistaken adjustment is undone by another one, so the year's history stays whole.
    """

    budget = models.ForeignKey(
        Budget, verbose_name=_("预算"), on_delete=models.PROTECT, related_name="adjustments"
    )
    amount = models.DecimalField(_("调整金额（元）"), help_text=_("追加为正数，调减为负数。"), **MONEY)
    adjusted_on = models.DateField(_("调整日期"))
    document_no = models.CharField(_("文号"), max_length=50)
    reason = models.CharField(_("调整理由"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预算调整")
        verbose_name_plural = _("预算调整")
        ordering = ["adjusted_on", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero")]

    def __str__(self):
        return f"{self.budget} {self.document_no} {self.amount:+,.2f}"


class NoticeSequence(models.Model):
    """The last 文号 sequence number given to a 拨付通知 in a year; its row is locked to draw the next one."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    last = models.PositiveIntegerField(_("已用到的序号"), default=0)

    class Meta:
        verbose_name = _("拨付通知文号序列")
        verbose_name_plural = _("拨付通知文号序列")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}：{self.last}"


class BatchKind(models.TextChoices):
    QUARTERLY = "quarterly", _("季度考核奖励")
    SPECIAL = "special", _("专项拨付")
    # The difference a reopened and relocked paid quarter makes: 补发 and 追回 lines, net total of any sign.
    CORRECTION = "correction", _("更正批次")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")
    PAID = "paid", _("已拨付")
    CANCELLED = "cancelled", _("作废")


# Batches whose money counts against the budget.
COMMITTED = (BatchStatus.APPROVED, BatchStatus.PAID)
EDITABLE = (BatchStatus.DRAFT, BatchStatus.REJECTED)


# Batches that pay for a quarter's assessment results: the quarter's own batch and its corrections.
QUARTER_KINDS = (BatchKind.QUARTERLY, BatchKind.CORRECTION)


class BatchQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=BatchStatus.CANCELLED)


class DisbursementBatch(ChoiceLabels, models.Model):
    """A set of payments to streets, approved and paid as one (拨付批次)."""

    budget = models.ForeignKey(
        Budget, verbose_name=_("预算"), on_delete=models.PROTECT, related_name="batches"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=BatchKind.choices)
    period = models.ForeignKey(
        AssessmentPeriod,
        verbose_name=_("考核季度"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
    )
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    total = models.DecimalField(_("合计金额（元）"), default=Decimal("0.00"), **MONEY)
    # The rule values the lines were computed with: later rule changes never alter an existing batch.
    rules = models.JSONField(_("计算规则"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编制人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    voucher_no = models.CharField(_("凭证号"), max_length=50, blank=True)
    # The 拨付通知's 文号, given once when the batch is paid (disbursements.services.notice_numbers):
    # the year and sequence it was drawn from, and the text as issued, kept whatever the pattern becomes.
    notice_year = models.PositiveSmallIntegerField(_("文号年度"), null=True, blank=True, editable=False)
    notice_seq = models.PositiveIntegerField(_("文号序号"), null=True, blank=True, editable=False)
    notice_no = models.CharField(_("文号"), max_length=50, blank=True, editable=False)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["-budget__year", "kind", "period__quarter", "pk"]
        permissions = [
            ("prepare_batch", _("可以编制、提交拨付批次")),
            ("approve_batch", _("可以审核、退回拨付批次")),
            ("pay_batch", _("可以登记拨付")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(kind="quarterly") & ~Q(status="cancelled"),
                name="one_live_batch_per_quarter",
            ),
            # A quarter has at most one correction on its way at a time (paid ones are history).
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(kind="correction") & ~Q(status__in=("cancelled", "paid")),
                name="one_open_correction_per_quarter",
            ),
            # Only a correction may recover more than it pays (a negative net total).
            models.CheckConstraint(
                condition=Q(total__gte=0) | Q(kind="correction"), name="batch_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="special", period__isnull=True)
                | Q(kind__in=("quarterly", "correction"), period__isnull=False),
                name="batch_period_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(voucher_no="")),
                name="paid_batch_has_date_and_voucher",
            ),
            # A 文号 is never given twice, neither as a year's sequence number nor as text.
            models.UniqueConstraint(fields=["notice_year", "notice_seq"], name="one_batch_per_notice_seq"),
            models.UniqueConstraint(
                fields=["notice_no"], condition=~Q(notice_no=""), name="one_batch_per_notice_no"
            ),
            # Only a paid batch has one, and then all three parts of it.
            models.CheckConstraint(
                condition=Q(notice_year__isnull=True, notice_seq__isnull=True, notice_no="")
                | Q(status="paid", notice_year__isnull=False, notice_seq__gt=0) & ~Q(notice_no=""),
                name="notice_number_complete_and_paid",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class LineCategory(models.TextChoices):
    ZERO_COMPLAINT = "zero_complaint", _("零投诉村（社区）奖励")
    GRID_RATING = "grid_rating", _("网格考核奖励")
    SPECIAL = "special", _("专项经费")


class LineAdjustment(models.TextChoices):
    """What a correction batch's line does; an ordinary line has none."""

    SUPPLEMENT = "supplement", _("补发")
    RECOVERY = "recovery", _("追回")


class BatchLineQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(user, self, "street")


class BatchLine(ChoiceLabels, models.Model):
    """One payment of a batch: to a street (拨付到街镇), passed down to a village/community or grid."""

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("类别"), max_length=16, choices=LineCategory.choices)
    street = models.ForeignKey(Grid, verbose_name=_("街镇"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        Grid, verbose_name=_("村（社区）"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("事由"), max_length=100)
    rule = models.CharField(_("标准"), max_length=100, blank=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    # Where a quarterly line comes from, so that every yuan traces back to an assessment result.
    zero_result = models.ForeignKey(
        ZeroComplaintResult, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.ForeignKey(GridRating, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Set only on the lines of a correction batch (the services never put one elsewhere).
    adjustment = models.CharField(
        _("更正"), max_length=10, choices=LineAdjustment.choices, blank=True, default=""
    )

    objects = BatchLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("拨付明细")
        verbose_name_plural = _("拨付明细")
        ordering = ["street__code", "community__code", "grid__code", "pk"]
        indexes = [models.Index(fields=["batch", "street"], name="line_batch_street")]
        constraints = [
            # A line pays (amount > 0); only a correction's 追回 line takes money back (amount < 0).
            models.CheckConstraint(
                condition=Q(adjustment__in=("", "supplement"), amount__gt=0)
                | Q(adjustment="recovery", amount__lt=0),
                name="line_amount_sign_matches_adjustment",
            ),
            models.CheckConstraint(
                condition=(Q(category="zero_complaint") & Q(zero_result__isnull=False, rating__isnull=True))
                | (Q(category="grid_rating") & Q(rating__isnull=False, zero_result__isnull=True))
                | (Q(category="special") & Q(rating__isnull=True, zero_result__isnull=True)),
                name="line_source_matches_category",
            ),
        ]

    def __str__(self):
        return f"{self.reason} {self.amount}"


class BatchAction(models.TextChoices):
    """Every step a batch's timeline records: how it was made, its workflow, and each street's 到账/下发."""

    GENERATE = "generate", _("生成")
    REGENERATE = "regenerate", _("重新生成")
    CREATE = "create", _("新建")
    ADD_LINE = "add_line", _("添加明细")
    REMOVE_LINE = "remove_line", _("删除明细")
    IMPORT_LINES = "import_lines", _("导入明细")
    SUBMIT = "submit", _("提交审核")
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("退回")
    PAY = "pay", _("登记拨付")
    CANCEL = "cancel", _("作废")
    RECEIVE = "receive", _("确认到账")
    PASS_ON = "pass_on", _("下发")
    PASS_CORRECT = "pass_correct", _("更正下发")
    RECV_CORRECT = "recv_correct", _("更正到账信息")


class BatchTransition(ChoiceLabels, models.Model):
    """An append-only record of one workflow step of a batch (the batch's timeline)."""

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("操作"), max_length=12, choices=BatchAction.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=BatchStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=BatchStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    comment = models.CharField(_("说明"), max_length=200, blank=True)
    # The street a step is about (到账, 下发 and their corrections): only that street's admin reads it.
    street = models.ForeignKey(
        Grid, verbose_name=_("街镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("批次流转记录")
        verbose_name_plural = _("批次流转记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.batch}: {self.from_status} → {self.to_status}"

    @property
    def label(self) -> str:
        """What the step did, for steps that do not change the status (生成, 重新生成, 新建)."""
        return self.get_action_display()


def receipt_scan_path(instance, filename: str) -> str:
    """Where a scanned 回执 is stored: by year and batch, under a random name (never the uploader's)."""
    suffix = PurePath(filename).suffix.lower()
    return f"receipts/{instance.batch.budget.year}/{instance.batch_id}/{uuid.uuid4().hex}{suffix}"


class StreetReceipt(models.Model):
    """A street's confirmation that its part of a paid batch arrived (到账), with the bank's voucher.

    Only a positive part is received: a correction batch's net recovery from a street (追回) is money the
    street returns, not money it receives. `amount` is the street's part as paid (a paid batch's lines
    never change), and it caps what the street may pass on.
    """

    batch = models.ForeignKey(
        DisbursementBatch, verbose_name=_("拨付批次"), on_delete=models.PROTECT, related_name="receipts"
    )
    street = models.ForeignKey(Grid, verbose_name=_("街镇"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("到账金额（元）"), **MONEY)
    received_on = models.DateField(_("到账日期"))
    voucher_no = models.CharField(_("凭证号/回执号"), max_length=50)
    scan = models.FileField(_("回执扫描件"), upload_to=receipt_scan_path, blank=True, max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("街镇到账")
        verbose_name_plural = _("街镇到账")
        ordering = ["batch", "street__code"]
        permissions = [("record_receipt", _("可以确认本街镇到账、登记下发"))]
        constraints = [
            models.UniqueConstraint(fields=["batch", "street"], name="one_receipt_per_street_part"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(condition=~Q(voucher_no=""), name="receipt_has_voucher"),
        ]

    def __str__(self):
        return f"{self.batch} · {self.street} 到账"


class PassOnKind(models.TextChoices):
    PASS_ON = "pass_on", _("下发")
    # A later entry that adds to (or, negative, takes back from) what a community was given: never an edit.
    CORRECTION = "correction", _("更正")


class PassOn(ChoiceLabels, models.Model):
    """The street passing (part of) a village's or community's share of a received batch on to it (下发).

    Append-only: one 下发 per community and receipt, then corrections of either sign, each with a reason.
    """

    receipt = models.ForeignKey(
        StreetReceipt, verbose_name=_("到账"), on_delete=models.PROTECT, related_name="passes"
    )
    community = models.ForeignKey(
        Grid, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=PassOnKind.choices, default=PassOnKind.PASS_ON)
    amount = models.DecimalField(_("下发金额（元）"), **MONEY)
    passed_on = models.DateField(_("下发日期"))
    voucher_no = models.CharField(_("凭证号"), max_length=50)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("下发")
        verbose_name_plural = _("下发")
        ordering = ["receipt", "community__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt", "community"],
                condition=Q(kind="pass_on"),
                name="one_pass_on_per_community",
            ),
            models.CheckConstraint(
                condition=Q(kind="pass_on", amount__gt=0)
                | (Q(kind="correction") & ~Q(amount=0) & ~Q(reason="")),
                name="pass_on_amount_matches_kind",
            ),
            models.CheckConstraint(condition=~Q(voucher_no=""), name="pass_on_has_voucher"),
        ]

    def __str__(self):
        return f"{self.community} {self.get_kind_display()} {self.amount}"
