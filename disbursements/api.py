"""The disbursements' routes of the data-exchange API (core.api): the batches, each street's part of one
with its 到账 and 下发, and what each village/community was due and given."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api import ApiView, problem
from core.api_lists import LabelField, PageQuery, page_serializer, paginated, query_params, two_places
from core.models import ApiScope
from disbursements.models import BatchKind, BatchStatus, DisbursementBatch
from disbursements.selectors import batch_visible, batches_for_table, community_totals, street_totals
from disbursements.selectors_receipts import street_parts
from grids.api import StreetField

TAGS = ["拨付"]


class BatchQuery(PageQuery):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="只列出该年度")
    status = serializers.ChoiceField(
        choices=BatchStatus.choices,
        required=False,
        help_text="只列出该状态：draft 草稿，submitted 已提交，approved 已审核，rejected 已退回，"
        "paid 已拨付，cancelled 作废",
    )


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="批次名称")
    kind = serializers.CharField(help_text="quarterly 季度考核奖励，special 专项拨付，correction 更正批次")
    kind_label = LabelField(BatchKind.choices, source="kind", help_text="类型")
    status = serializers.CharField(help_text="状态（见 status 参数）")
    status_label = LabelField(BatchStatus.choices, source="status", help_text="状态")
    year = serializers.IntegerField(source="budget.year", help_text="预算年度")
    quarter = serializers.IntegerField(
        source="period.quarter", allow_null=True, help_text="考核季度；专项为 null"
    )
    total = two_places(source="visible_total", help_text="合计金额（元）；更正批次可为负数（净追回）")
    paid_on = serializers.DateField(allow_null=True, help_text="拨付日期；未拨付为 null")
    voucher_no = serializers.CharField(help_text="拨付凭证号；未拨付为空")
    notice_no = serializers.CharField(help_text="拨付通知文号；未拨付为空")


BatchPageSerializer = page_serializer(BatchSerializer, "BatchPageSerializer")


class BatchList(ApiView):
    required_scope = ApiScope.READ_DISBURSEMENTS

    @extend_schema(
        operation_id="list_batches",
        summary="拨付批次",
        description="按年度（新的在前）、类型和季度排序的拨付批次。",
        parameters=[BatchQuery],
        responses={200: BatchPageSerializer},
        tags=TAGS,
    )
    def get(self, request):
        query = query_params(request, BatchQuery)
        batches = batches_for_table(request.user)
        if "year" in query:
            batches = batches.filter(budget__year=query["year"])
        if "status" in query:
            batches = batches.filter(status=query["status"])
        return paginated(self, request, batches, BatchSerializer)


def _batch(request, pk) -> DisbursementBatch | None:
    batch = DisbursementBatch.objects.select_related("budget", "period").filter(pk=pk).first()
    return batch if batch is not None and batch_visible(request.user, batch) else None


def _missing_batch() -> Response:
    return problem(404, _("拨付批次不存在。"))


class BatchStreetSerializer(serializers.Serializer):
    street_code = serializers.CharField(source="total.street__code")
    street = serializers.CharField(source="total.street__name")
    amount = two_places(source="total.amount", help_text="拨付到该街镇的金额（元）")
    communities = serializers.IntegerField(source="total.communities", help_text="涉及的村（社区）数")
    lines = serializers.IntegerField(source="total.lines", help_text="明细条数")
    status = serializers.CharField(
        source="part.status_label",
        allow_null=True,
        help_text="待确认到账 / 待下发 / 已下发；批次未拨付或该街镇净额不为正（无须到账）时为 null",
    )
    received_on = serializers.DateField(
        source="part.receipt.received_on", allow_null=True, help_text="确认到账日期；未确认为 null"
    )
    received = two_places(source="part.received", allow_null=True, help_text="到账金额（元）")
    passed = two_places(source="part.passed", allow_null=True, help_text="已下发到村（社区）的金额（元）")
    held = two_places(source="part.held", allow_null=True, help_text="街镇留存：到账减已下发（元）")
    owed = two_places(source="part.owed", allow_null=True, help_text="村（社区）尚待下发的金额（元）")


class BatchStreets(ApiView):
    required_scope = ApiScope.READ_DISBURSEMENTS

    @extend_schema(
        operation_id="batch_streets",
        summary="批次各街镇拨付与到账、下发",
        description=(
            "批次拨付到各街镇的金额（与批次页面“拨付到各街镇”相同），已拨付批次另有各街镇的确认到账日期、"
            "到账金额、已下发金额、街镇留存和村（社区）尚待下发的金额。"
        ),
        responses={200: BatchStreetSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request, pk):
        batch = _batch(request, pk)
        if batch is None:
            return _missing_batch()
        parts = {}
        if batch.status == BatchStatus.PAID:
            parts = {part.street_id: part for part in street_parts(request.user, batch=batch)}
        rows = [
            {"total": total, "part": parts.get(total["street_id"])}
            for total in street_totals(request.user, batch)
        ]
        return Response(BatchStreetSerializer(rows, many=True).data)


class CommunityQuery(PageQuery):
    street = StreetField()


class BatchCommunitySerializer(serializers.Serializer):
    street_code = serializers.CharField(source="total.street__code")
    street = serializers.CharField(source="total.street__name")
    community_code = serializers.CharField(source="total.community__code")
    community = serializers.CharField(source="total.community__name")
    due = two_places(source="total.amount", help_text="应发给该村（社区）的金额（元）")
    passed = two_places(
        source="share.passed",
        allow_null=True,
        help_text="已下发的金额（元，含更正）；批次未拨付或街镇无须到账时为 null",
    )
    passed_on = serializers.DateField(
        source="share.passed_on", allow_null=True, help_text="下发日期；未下发为 null"
    )
    outstanding = two_places(source="share.outstanding", allow_null=True, help_text="应发减已下发（元）")


BatchCommunityPageSerializer = page_serializer(BatchCommunitySerializer, "BatchCommunityPageSerializer")


class BatchCommunities(ApiView):
    required_scope = ApiScope.READ_DISBURSEMENTS

    @extend_schema(
        operation_id="batch_communities",
        summary="批次各村（社区）应发与下发",
        description="批次下发至各村（社区）的金额（按村（社区）编码排序），已拨付批次另有已下发金额和下发日期。",
        parameters=[CommunityQuery],
        responses={200: BatchCommunityPageSerializer},
        tags=TAGS,
    )
    def get(self, request, pk):
        batch = _batch(request, pk)
        if batch is None:
            return _missing_batch()
        query = query_params(request, CommunityQuery)
        shares = {}
        if batch.status == BatchStatus.PAID:
            shares = {
                share.community_id: share
                for part in street_parts(request.user, batch=batch)
                for share in part.communities
            }
        rows = [
            {"total": total, "share": shares.get(total["community_id"])}
            for total in community_totals(request.user, batch, query.get("street"))
        ]
        return paginated(self, request, rows, BatchCommunitySerializer)
