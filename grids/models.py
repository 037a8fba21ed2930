import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.choices import ChoiceLabels


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
    """What a grid is on the ground: 街镇; 城市社区 or 农村村（社区）; 楼盘小区 or 党支部服务片区; 楼栋 or 村（居）民组."""
    urban = community_kind == CommunityKind.URBAN
    if level == GridLevel.STREET:
        return str(_("街镇"))
    if level == GridLevel.COMMUNITY:
        return str(CommunityKind(community_kind).label) if community_kind else ""
    if level == GridLevel.LEVEL3:
        return str(_("楼盘小区") if urban else _("党支部服务片区"))
    return str(_("楼栋") if urban else _("村（居）民组"))


def in_service(on: dt.date, *, start: str, end: str) -> Q:
    """The one definition of "in service on day D", for grids and staff alike: start <= D < end.

    A grid is active from its 设立日期 up to (not including) its 撤销日期; a staff member serves from
    the 任职日期 up to (not including) the 离任日期. Every count is taken as of a day through this, so a
    change dated after a closed period leaves that period's figures as they were (grids.history).
    """
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": on}))


def is_in_service(on: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """in_service for one row already in memory."""
    return start <= on and (end is None or end > on)


def _active_staff():
    return GridStaff.objects.serving().filter(grid=OuterRef("pk"))


class GridQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None):
        """Grids established on or before the day and not retired by it (today by default)."""
        return self.filter(in_service(on or timezone.localdate(), start="established_on", end="retired_on"))

    def retired(self, on: dt.date | None = None):
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
        # Only the columns the table shows: each column more is a value converted and set on four model
        # instances a row, and an expression the SQL compiler hashes (a third of the query's cost).
        active_staff = _active_staff().order_by().values("grid").annotate(n=Count("pk")).values("n")
        return (
            self.select_related("parent", "street", "community")
            .only(*TABLE_FIELDS)
            .annotate(staff_count=Coalesce(Subquery(active_staff), 0))
        )

    def kind_is(self, kind):
        return self.filter(Q(kind=kind) | Q(community__kind=kind))


# What a list of grids shows (GridTable): a grid's own fields and the names of the grids above it.
TABLE_FIELDS = (
    "code",
    "name",
    "level",
    "kind",
    "established_on",
    "retired_on",
    "parent__name",
    "street__name",
    "street__level",
    "community__name",
    "community__kind",
    "community__level",
)


class Grid(ChoiceLabels, models.Model):
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
    established_on = models.DateField(_("设立日期"))
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
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True) | Q(retired_on__gt=models.F("established_on")),
                name="grid_retired_after_established",
            ),
        ]

    def __str__(self):
        return self.label(self.name, self.code)

    @staticmethod
    def label(name: str, code: str) -> str:
        """How a grid is named in drop-downs and messages: 月坡社区（430112001001）."""
        return f"{name}（{code}）"

    def active_on(self, day: dt.date) -> bool:
        return is_in_service(day, self.established_on, self.retired_on)

    @property
    def is_active(self) -> bool:
        return self.active_on(timezone.localdate())

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


class GridStaffQuerySet(models.QuerySet):
    def serving(self, on: dt.date | None = None):
        """Posts held on the day (today by default)."""
        return self.filter(in_service(on or timezone.localdate(), start="started_on", end="ended_on"))

    def ended(self, on: dt.date | None = None):
        return self.filter(ended_on__lte=on or timezone.localdate())


class GridStaff(ChoiceLabels, models.Model):
    """A 网格员, 网格长 or 三级网格指导员 holding a post on one grid, from 任职日期 to 离任日期.

    Leaving a post sets 离任日期; the row stays, so coverage on any past day can be counted again.
    Coming back to the same post is a new row.
    """

    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, validators=[phone_validator])
    role = models.CharField(_("职务"), max_length=12, choices=StaffRole.choices, default=StaffRole.WORKER)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = GridStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格人员")
        verbose_name_plural = _("网格人员")
        ordering = ["grid__code", "role", "name"]
        indexes = [models.Index(fields=["grid", "ended_on"], name="staff_grid_ended")]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "name", "role"],
                condition=Q(ended_on__isnull=True),
                name="staff_unique_serving_per_grid_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                name="staff_ended_after_started",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"

    def serving_on(self, day: dt.date) -> bool:
        return is_in_service(day, self.started_on, self.ended_on)

    @property
    def is_serving(self) -> bool:
        return self.serving_on(timezone.localdate())
