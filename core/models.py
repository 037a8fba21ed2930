import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
