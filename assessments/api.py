"""The assessments' routes of the data-exchange API (core.api): the 12345 platform pushes its tickets and
the grid app its 雷锋哨 tickets (哨单), and other systems read the quarters and their zero-complaint results."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from assessments.models import AssessmentPeriod, Rating
from assessments.selectors.hotline import zero_complaint_rows
from assessments.selectors.ratings import rated_grids
from assessments.services.hotline_push import CREATED, UNMATCHED, push_complaints
from assessments.services.whistle_push import push_tickets
from core.api import ApiView, problem
from core.api_lists import LabelField, PageQuery, page_serializer, paginated, query_params
from core.models import ApiScope
from grids.api import StreetField
from grids.models import GridLevel


class HotlineTicketSerializer(serializers.Serializer):
    """One ticket as the platform sends it: the same fields as a workbook's columns."""

    ticket_no = serializers.CharField(max_length=40, help_text="工单编号（唯一）")
    received_at = serializers.DateTimeField(help_text="受理时间，ISO 8601，如 2022-03-31T14:05:00+08:00")
    district = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="所属区县")
    street = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="街镇")
    community = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="村（社区）"
    )
    community_code = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="村（社区）编码，有则优先按编码匹配"
    )
    complaint_type = serializers.CharField(
        required=False, allow_blank=True, help_text="诉求类型（投诉、咨询、建议…）"
    )
    # 诉求类型 and 问题类别 longer than the stored 20 and 50 characters are cut, as the workbook's are
    category = serializers.CharField(required=False, allow_blank=True, help_text="问题类别")
    content = serializers.CharField(required=False, allow_blank=True, max_length=4000, help_text="诉求内容")
    valid = serializers.BooleanField(required=False, default=True, help_text="是否有效（默认有效）")


class HotlinePushSerializer(serializers.Serializer):
    items = HotlineTicketSerializer(many=True, help_text=f"至多 {settings.API_PUSH_MAX} 条")


class _Envelope(serializers.Serializer):
    """What a push must be before its items are read one by one."""

    items = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=settings.API_PUSH_MAX, allow_empty=False
    )


class ItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="该条在 items 中的位置（从 0 起）")
    ticket_no = serializers.CharField()
    result = serializers.ChoiceField(
        choices=["created", "unmatched", "unchanged", "refused"],
        help_text="created 新增；unmatched 新增但未匹配到村（社区）；unchanged 已存在未改动；refused 拒收",
    )
    reason = serializers.CharField(allow_blank=True)


class PushResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()
    items = ItemResultSerializer(many=True)


class HotlineTicketPush(ApiView):
    """Push 12345 tickets (upserted by 工单编号 under the workbook importer's rules)."""

    required_scope = ApiScope.PUSH_HOTLINE

    @extend_schema(
        operation_id="push_hotline_tickets",
        summary="推送12345工单",
        description=(
            "按工单编号写入新工单：其他区县的工单拒收；所有诉求类型都保存，只有本年度计入投诉的类型计入零投诉；"
            "按编码或街镇+村（社区）名称匹配，未匹配的进入“未匹配工单”；已锁定季度的工单拒收；已存在的工单不改动。"
            "每条单独答复；重复推送同一批不会改变任何数据。"
        ),
        request=HotlinePushSerializer,
        responses={200: PushResultSerializer},
        tags=["12345工单"],
    )
    def post(self, request):
        return _answer_push(
            self,
            request,
            serializer=HotlineTicketSerializer,
            key="ticket_no",
            push=lambda items: push_complaints(
                user=request.user, source=request.auth.name, items=[_record(data) for data in items]
            ),
            outcomes=(CREATED, UNMATCHED, "unchanged", "refused"),
        )


def _answer_push(
    view: ApiView, request, *, serializer, key: str, push, outcomes: tuple[str, ...]
) -> Response:
    """Read a push's envelope, check each item alone, hand the good ones to push (a service answering
    each with its `key`, result and reason) and answer every item, with the count of each outcome."""
    envelope = _Envelope(data=request.data)
    envelope.is_valid(raise_exception=True)
    raw = envelope.validated_data["items"]
    view.items_in_call = len(raw)
    checked, answers = _check_items(raw, serializer, key)
    written = push([data for _index, data in checked])
    for (index, _data), result in zip(checked, written, strict=True):
        answers[index] = {
            "index": index,
            key: getattr(result, key),
            "result": result.result,
            "reason": result.reason,
        }
    items = [answers[index] for index in range(len(raw))]
    tally = {name: sum(1 for a in items if a["result"] == name) for name in outcomes}
    return Response({"received": len(items), **tally, "items": items})


def _check_items(raw: list[dict], serializer, key: str) -> tuple[list[tuple[int, dict]], dict[int, dict]]:
    """Each item read alone: ([(index, checked data)], {index: its refusal, naming its fields})."""
    checked, refusals = [], {}
    for index, item in enumerate(raw):
        one = serializer(data=item)
        if one.is_valid():
            checked.append((index, one.validated_data))
        else:
            refusals[index] = {
                "index": index,
                key: str(item.get(key, ""))[:40],
                "result": "refused",
                "reason": "；".join(
                    f"{field}：{' '.join(map(str, msgs))}" for field, msgs in one.errors.items()
                ),
            }
    return checked, refusals


def _record(data: dict) -> dict:
    """A checked item as the importer reads a row: text cells, 是/否 validity."""
    record = {key: value for key, value in data.items() if key != "valid"}
    record["valid"] = "是" if data.get("valid", True) else "否"
    return record


class WhistleTicketSerializer(serializers.Serializer):
    """One 哨单 as the grid app sends it: the same fields as a ledger's columns; a field left out leaves a
    known ticket's value alone, as a ledger without that column does."""

    number = serializers.CharField(help_text="哨单编号（唯一，至多 40 字）")
    grid_code = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="网格编码，有则优先按编码匹配；或填写街镇、村（社区）等名称",
    )
    street_name = serializers.CharField(required=False, allow_blank=True, help_text="街镇")
    community_name = serializers.CharField(required=False, allow_blank=True, help_text="村（社区）")
    level3_name = serializers.CharField(required=False, allow_blank=True, help_text="三级网格")
    level4_name = serializers.CharField(required=False, allow_blank=True, help_text="四级网格")
    grid_name = serializers.CharField(
        required=False, allow_blank=True, help_text="网格名称：与网格编码一并填写时核对二者是否相符"
    )
    reporter = serializers.CharField(help_text="采集人（至多 50 字）")
    collected_at = serializers.DateTimeField(help_text="采集时间，ISO 8601，如 2022-03-31T14:05:00+08:00")
    category = serializers.CharField(required=False, allow_blank=True, help_text="问题类别（至多 50 字）")
    description = serializers.CharField(required=False, allow_blank=True, help_text="问题描述")
    department = serializers.CharField(required=False, allow_blank=True, help_text="责任单位（至多 100 字）")
    status = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "状态：已采集、已吹哨、已报到/处置中、已办结（也接受台账的写法，如 待吹哨、待报到、处理中、办结）；"
            "不填为已采集。状态只能前进，不能改回"
        ),
    )
    whistled_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="吹哨时间，ISO 8601；状态为已吹哨及之后时填写"
    )
    reported_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="报到时间，ISO 8601；状态为已报到/处置中及之后时填写"
    )
    closed_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="办结时间，ISO 8601；状态为已办结时填写"
    )


class WhistlePushSerializer(serializers.Serializer):
    items = WhistleTicketSerializer(many=True, help_text=f"至多 {settings.API_PUSH_MAX} 条")


class WhistleItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="该条在 items 中的位置（从 0 起）")
    number = serializers.CharField(help_text="哨单编号")
    result = serializers.ChoiceField(
        choices=["created", "updated", "unchanged", "refused"],
        help_text="created 新增；updated 已存在并已更新（状态前进、补填时间等）；unchanged 已存在且相同；refused 拒收",
    )
    reason = serializers.CharField(allow_blank=True, help_text="拒收或未改动的原因")


class WhistlePushResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()
    items = WhistleItemResultSerializer(many=True)


class WhistleTicketPush(ApiView):
    """Push 雷锋哨 tickets (upserted by 哨单编号 under the workbook importer's rules)."""

    required_scope = ApiScope.PUSH_WHISTLE

    @extend_schema(
        operation_id="push_whistle_tickets",
        summary="推送雷锋哨哨单",
        description=(
            "按哨单编号写入：新编号新增，已有编号更新。网格按编码或 街镇/村（社区）/三级网格/四级网格 名称匹配，"
            "须为村（社区）或三、四级网格，找不到的拒收；已登记哨单的网格、采集人、采集时间、问题类别不能修改；"
            "状态按 已采集→已吹哨→已报到/处置中→已办结 只能前进，各步时间依次不早于前一步、不晚于现在，"
            "已记录的时间不能修改；未提供的字段保持原值，未提供的吹哨、报到时间按上一步时间记录；"
            "绩效自评已定稿年度的哨单拒收（季度锁定不影响哨单）；同一编号在一次推送中出现多次的均拒收。"
            "每条单独答复；重复推送同一批不会改变任何数据。"
        ),
        request=WhistlePushSerializer,
        responses={200: WhistlePushResultSerializer},
        tags=["雷锋哨哨单"],
    )
    def post(self, request):
        return _answer_push(
            self,
            request,
            serializer=WhistleTicketSerializer,
            key="number",
            push=lambda items: push_tickets(user=request.user, source=request.auth.name, items=items),
            outcomes=("created", "updated", "unchanged", "refused"),
        )


class PeriodSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    is_locked = serializers.BooleanField()

    class Meta:
        model = AssessmentPeriod
        fields = ["id", "year", "quarter", "starts_on", "ends_on", "is_locked"]


class PeriodQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="只列出该年度")


class PeriodList(ApiView):
    required_scope = ApiScope.READ_RESULTS

    @extend_schema(
        operation_id="list_periods",
        summary="考核季度",
        parameters=[PeriodQuery],
        responses={200: PeriodSerializer(many=True)},
        tags=["考核结果"],
    )
    def get(self, request):
        periods = AssessmentPeriod.objects.select_related("year").order_by("starts_on")
        year = query_params(request, PeriodQuery).get("year")
        if year is not None:
            periods = periods.filter(year__year=year)
        return Response(PeriodSerializer(periods, many=True).data)


class ZeroComplaintRowSerializer(serializers.Serializer):
    street = serializers.CharField(source="street_name")
    community_code = serializers.CharField(source="code")
    community = serializers.CharField(source="name")
    kind = serializers.CharField(source="kind_label", help_text="城市社区 / 农村（村）等")
    complaints = serializers.IntegerField(help_text="计入的有效投诉数")
    not_counted = serializers.IntegerField(help_text="诉求类型不计入的工单数")
    is_zero = serializers.BooleanField(help_text="是否零投诉")
    reward = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="奖励金额（元）")


class ZeroComplaintPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ZeroComplaintRowSerializer(many=True)


class ZeroComplaintQuery(PageQuery):
    street = StreetField()


class ZeroComplaintResults(ApiView):
    required_scope = ApiScope.READ_RESULTS

    @extend_schema(
        operation_id="zero_complaint_results",
        summary="季度零投诉结果",
        description="已锁定的季度返回锁定时固定的结果；未锁定的季度按当前工单实时统计。",
        parameters=[ZeroComplaintQuery],
        responses={200: ZeroComplaintPageSerializer},
        tags=["考核结果"],
    )
    def get(self, request, pk):
        period = AssessmentPeriod.objects.select_related("year", "locked_by").filter(pk=pk).first()
        if period is None:
            return problem(404, _("考核季度不存在。"))
        query = query_params(request, ZeroComplaintQuery)
        rows = zero_complaint_rows(request.user, period, street_id=query.get("street"))
        return paginated(self, request, rows, ZeroComplaintRowSerializer)


class RatingQuery(PageQuery):
    street = StreetField()
    level = serializers.ChoiceField(
        choices=[(GridLevel.LEVEL3, "三级网格"), (GridLevel.LEVEL4, "四级网格")],
        required=False,
        help_text="3 或 4，只列出该层级",
    )


class GridRatingRowSerializer(serializers.Serializer):
    grid_code = serializers.CharField(source="code", help_text="网格编码")
    grid = serializers.CharField(source="name", help_text="网格名称")
    level = serializers.IntegerField(help_text="层级：3 或 4")
    parent_code = serializers.CharField(
        source="parent__code", help_text="上级网格编码（四级网格所属三级网格）"
    )
    street_code = serializers.CharField(source="street__code")
    street = serializers.CharField(source="street__name")
    community_code = serializers.CharField(source="community__code")
    community = serializers.CharField(source="community__name")
    rating = LabelField(
        Rating.choices, source="rated__rating", allow_null=True, help_text="考核等次；未评定为 null"
    )
    score = serializers.DecimalField(
        source="rated__score", max_digits=5, decimal_places=2, allow_null=True, help_text="得分；未填为 null"
    )
    remark = serializers.CharField(source="rated__remark", allow_null=True, help_text="备注；未评定为 null")


GridRatingPageSerializer = page_serializer(GridRatingRowSerializer, "GridRatingPageSerializer")


class GridRatings(ApiView):
    required_scope = ApiScope.READ_RESULTS

    @extend_schema(
        operation_id="grid_ratings",
        summary="季度网格考核等次",
        description=(
            "该季度最后一天在用的每个三、四级网格及其考核等次（与网格考核评定表相同），按网格编码排序；"
            "未评定的网格等次为 null。已锁定的季度返回锁定时的结果。"
        ),
        parameters=[RatingQuery],
        responses={200: GridRatingPageSerializer},
        tags=["考核结果"],
    )
    def get(self, request, pk):
        period = AssessmentPeriod.objects.select_related("year").filter(pk=pk).first()
        if period is None:
            return problem(404, _("考核季度不存在。"))
        query = query_params(request, RatingQuery)
        rows = rated_grids(request.user, period, street_id=query.get("street"), level=query.get("level"))
        return paginated(self, request, rows, GridRatingRowSerializer)
