"""The roster's route of the data-exchange API (core.api), and the 街镇 query parameter the routes of
every app take."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from core.api import ApiView
from core.api_lists import LabelField, PageQuery, page_serializer, paginated, query_params
from core.models import ApiScope
from grids.matching import UnitIndex
from grids.models import Grid, GridLevel, StaffRole
from grids.selectors import roster_with_posts


class StreetField(serializers.CharField):
    """A 街镇 given by its code or its name as people write it (grids.matching), read as its id."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "街镇编码或名称（如 高塘岭街道、高塘岭），只列出该街镇")
        super().__init__(required=False, allow_blank=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        # CharField answers "" for a blank value without asking to_internal_value: no street, then.
        return super().run_validation(data) or None

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return None
        found = UnitIndex.load(Grid.objects.filter(level=GridLevel.STREET)).street(text)
        if found.unit is None:
            raise serializers.ValidationError(
                found.problem(text) if found.ambiguous else _("未知街镇“%(text)s”。") % {"text": text}
            )
        return found.unit.pk


class RosterQuery(PageQuery):
    level = serializers.ChoiceField(
        choices=GridLevel.choices,
        required=False,
        help_text="层级：1 街镇，2 村（社区），3 三级网格，4 四级网格",
    )
    street = StreetField()
    active_on = serializers.DateField(
        required=False,
        help_text="YYYY-MM-DD：只列出当天在用的网格和当天在岗的人员；不填则列出全部网格和人员（含已撤销、已离任）",
    )


class PostSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="姓名")
    role = LabelField(StaffRole.choices, help_text="职务")
    started_on = serializers.DateField(help_text="任职日期")
    ended_on = serializers.DateField(allow_null=True, help_text="离任日期，在岗为 null")


class RosterGridSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="网格编码")
    name = serializers.CharField(help_text="网格名称")
    level = serializers.IntegerField(help_text="层级 1–4")
    kind = serializers.CharField(
        help_text="村（社区）类型：urban 城市社区，rural 农村村（社区）；其他层级为空"
    )
    parent_code = serializers.CharField(source="parent.code", allow_null=True, help_text="上级网格编码")
    street_code = serializers.CharField(source="street.code", allow_null=True, help_text="所属街镇编码")
    street = serializers.CharField(
        source="street.name", allow_null=True, help_text="所属街镇；街镇本身为 null"
    )
    community_code = serializers.CharField(
        source="community.code", allow_null=True, help_text="所属村（社区）编码"
    )
    community = serializers.CharField(
        source="community.name", allow_null=True, help_text="所属村（社区）；街镇、村（社区）本身为 null"
    )
    established_on = serializers.DateField(help_text="设立日期")
    retired_on = serializers.DateField(allow_null=True, help_text="撤销日期，在用为 null")
    staff_count = serializers.SerializerMethodField(help_text="当天（active_on，不填为今天）在岗人数")
    staff = PostSerializer(many=True, source="staff.all", help_text="人员及其任职、离任日期")

    def get_staff_count(self, grid: Grid) -> int:
        day = self.context["day"]
        return sum(1 for post in grid.staff.all() if post.serving_on(day))


RosterPageSerializer = page_serializer(RosterGridSerializer, "RosterPageSerializer")


class GridList(ApiView):
    required_scope = ApiScope.READ_RESULTS

    @extend_schema(
        operation_id="list_grids",
        summary="网格花名册",
        description=(
            "按网格编码排序的四级网格花名册，含设立、撤销日期和人员的任职、离任日期。"
            "指定 active_on 时为当天的花名册（在用网格、在岗人员）。"
        ),
        parameters=[RosterQuery],
        responses={200: RosterPageSerializer},
        tags=["网格"],
    )
    def get(self, request):
        query = query_params(request, RosterQuery)
        grids = roster_with_posts(
            request.user,
            level=query.get("level"),
            street_id=query.get("street"),
            on=query.get("active_on"),
        )
        day = query.get("active_on") or timezone.localdate()
        return paginated(self, request, grids, RosterGridSerializer, {"day": day})
