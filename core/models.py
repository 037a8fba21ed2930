import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class User(AbstractUser):
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    street = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("所属街镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
        help_text=_("街镇管理员只能查看和编辑本街镇的网格与考核。"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.username


class PendingImport(models.Model):
    """An uploaded workbook waiting for the user to confirm its preview."""

    MAX_AGE = timedelta(days=1)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    # What the upload is for (the quarter or batch in its URL): it can be previewed and confirmed only there.
    target = models.CharField(max_length=200, blank=True, default="")
    # The parsed preview, kept so that showing it again does not re-read the workbook.
    preview = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("待确认导入")
        verbose_name_plural = _("待确认导入")

    def __str__(self):
        return f"{self.kind}: {self.filename}"


def job_file_path(job, filename: str) -> str:
    return f"jobs/{job.pk}/{filename}"


class Job(ChoiceLabels, models.Model):
    """Long work done in the background (core.jobs): who asked, how far it got, and what came of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=60)
    title = models.CharField(_("任务"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.CASCADE, related_name="+"
    )
    # The same work for the same target: while one is queued or running, starting it again returns that one.
    dedupe_key = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.TextField(_("结果"), blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{sheet, row, column, message}] of a refused import
    file = models.FileField(_("结果文件"), upload_to=job_file_path, blank=True, max_length=300)
    filename = models.CharField(max_length=255, blank=True)
    next_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="core_job_user_recent")]
        constraints = [
            # Two clicks, two tabs or two servers cannot start the same work twice: the database refuses it.
            models.UniqueConstraint(
                fields=["kind", "dedupe_key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="core_job_one_active_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="core_job_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    stage = ""  # what a running job is doing (core.progress), read from its heartbeat, never stored

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


class ApiScope(models.TextChoices):
    """What an external system may do through the API (core.api)."""

    PUSH_HOTLINE = "hotline:push", _("推送12345工单")
    PUSH_WHISTLE = "whistle:push", _("推送雷锋哨哨单")
    READ_RESULTS = "results:read", _("读取考核结果")
    READ_DISBURSEMENTS = "disbursements:read", _("读取拨付情况")


class ApiClient(models.Model):
    """An external system (the 12345 platform, the grid app, the city's finance system) and its token.

    Only a digest of the token is kept: the token itself is shown once, when it is issued or rotated.
    The client acts as an account of its own (`user`, no password), so that every record it writes names
    it in its history, and reads what a district-level account reads."""

    name = models.CharField(_("系统名称"), max_length=60, unique=True)
    scopes = models.JSONField(_("权限范围"), default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接口账号"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    token_digest = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(_("令牌前缀"), max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    rotated_at = models.DateTimeField(_("令牌更换时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近调用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> str:
        labels = dict(ApiScope.choices)
        return "、".join(str(labels.get(s, s)) for s in self.scopes)


class ApiCall(models.Model):
    """One call of the API: which client, what it asked, how it was answered."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("客户端"), null=True, on_delete=models.SET_NULL, related_name="calls"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("地址"), max_length=300)
    status = models.PositiveSmallIntegerField(_("状态码"))
    items = models.PositiveIntegerField(_("条目数"), default=0)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"


class BackupRecord(models.Model):
    """A backup `manage.py backup` finished (core.backup): the admin's index shows the latest one and warns
    when it is older than a day, i.e. when the scheduled backup has stopped running."""

    finished_at = models.DateTimeField(_("完成时间"), default=timezone.now, db_index=True)
    path = models.CharField(_("备份文件"), max_length=500)
    size = models.BigIntegerField(_("大小（字节）"))
    seconds = models.FloatField(_("耗时（秒）"))
    rows = models.BigIntegerField(_("数据行数"))
    files = models.PositiveIntegerField(_("文件数"))

    class Meta:
        verbose_name = _("备份记录")
        verbose_name_plural = _("备份记录")
        ordering = ["-finished_at"]

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M} {self.path}"
