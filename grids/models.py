from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access


class GridLevel(models.IntegerChoices):
    STREET = 1, _("一级网格（街镇）")
    COMMUNITY = 2, _("二级网格（村/社区）")
    LEVEL3 = 3, _("三级网格")
    LEVEL4 = 4, _("四级网格")


class CommunityKind(models.TextChoices):
    URBAN = "urban", _("城市社区")
    RURAL = "rural", _("农村村（社区）")


class StaffRole(models.TextChoices):
    WORKER = "worker", _("网格员")
    HEAD = "head", _("网格长")
    INSTRUCTOR = "instructor", _("三级网格指导员")


phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    _("请输入11位手机号码，或带区号的固定电话（如 0731-88123456）。"),
)


def unit_label(level: int, community_kind: str) -> str:
    """What a grid is on the ground: 楼盘小区 or 党支部服务片区, 楼栋 or 村（居）民组."""
    urban = community_kind == CommunityKind.URBAN
    if level == GridLevel.LEVEL3:
        return str(_("楼盘小区") if urban else _("党支部服务片区"))
    if level == GridLevel.LEVEL4:
        return str(_("楼栋") if urban else _("村（居）民组"))
    return str(GridLevel(level).label)


def _active_staff():
    return GridStaff.objects.filter(grid=OuterRef("pk"), active=True)


class GridQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=on))

    def retired(self, on=None):
        return self.filter(retired_on__lte=on or timezone.localdate())

    def for_user(self, user):
        return access.scope(user, self, "pk", "street")

    def staffable(self):
        """Level-3 and level-4 grids: the ones coverage is measured over."""
        return self.filter(level__in=(GridLevel.LEVEL3, GridLevel.LEVEL4))

    def with_staffed(self):
        return self.annotate(is_staffed=Exists(_active_staff()))

    def for_table(self):
        # A correlated subquery rather than Count() over a join: it is computed for the rows of the
        # page only, and the paginator's COUNT(*) leaves it out.
        active_staff = _active_staff().order_by().values("grid").annotate(n=Count("pk")).values("n")
        return self.select_related("parent", "street", "community").annotate(
            staff_count=Coalesce(Subquery(active_staff), 0)
        )

    def kind_is(self, kind):
        return self.filter(Q(kind=kind) | Q(community__kind=kind))


class Grid(models.Model):
    """A node of the four-level grid roster (街镇 → 村/社区 → 三级网格 → 四级网格)."""

    code = models.CharField(_("网格编码"), max_length=32, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=GridLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Denormalised ancestors so that a street's or a community's subtree is one indexed filter.
    street = models.ForeignKey(
        "self", verbose_name=_("所属街镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "self",
        verbose_name=_("所属村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("村（社区）类型"), max_length=10, choices=CommunityKind.choices, blank=True)
    retired_on = models.DateField(_("撤销日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["street", "level"], name="grid_street_level"),
            models.Index(fields=["community", "level"], name="grid_community_level"),
            models.Index(fields=["level", "code"], name="grid_level_code"),
        ]
        permissions = [("import_roster", _("可以导入网格花名册"))]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="grid_level_range"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True, street__isnull=True, community__isnull=True)
                | Q(level=2, parent__isnull=False, street=models.F("parent"), community__isnull=True)
                | Q(level=3, parent__isnull=False, street__isnull=False, community=models.F("parent"))
                | Q(level=4, parent__isnull=False, street__isnull=False, community__isnull=False),
                name="grid_ancestors_match_level",
            ),
            models.CheckConstraint(
                condition=(Q(level=2) & ~Q(kind="")) | (~Q(level=2) & Q(kind="")),
                name="grid_kind_only_for_communities",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def is_active(self) -> bool:
        return self.retired_on is None or self.retired_on > timezone.localdate()

    @property
    def street_id_for_scope(self) -> int:
        return self.pk if self.level == GridLevel.STREET else self.street_id

    @property
    def community_kind(self) -> str:
        """The kind of the community this grid is or belongs to ('' for a street)."""
        if self.level == GridLevel.COMMUNITY:
            return self.kind
        return self.community.kind if self.community_id else ""

    @property
    def unit_label(self) -> str:
        return unit_label(self.level, self.community_kind)


class GridStaff(models.Model):
    """A 网格员, 网格长 or 三级网格指导员 serving one grid."""

    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, validators=[phone_validator])
    role = models.CharField(_("职务"), max_length=12, choices=StaffRole.choices, default=StaffRole.WORKER)
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("网格人员")
        verbose_name_plural = _("网格人员")
        ordering = ["grid__code", "role", "name"]
        indexes = [models.Index(fields=["grid", "active"], name="staff_grid_active")]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name", "role"], name="staff_unique_per_grid_role"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"
