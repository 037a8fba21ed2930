"""The reports' route of the data-exchange API (core.api): a year's self-evaluation figures."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api import ApiView, problem
from core.api_lists import two_places
from core.models import ApiScope
from reports.exports import self_evaluation_json
from reports.models import SelfEvaluation


class FundsSerializer(serializers.Serializer):
    budget = two_places(help_text="全年预算数（元）：年度资金总额")
    executed = two_places(help_text="全年执行数（元）")
    execution_rate = two_places(help_text="执行率（%）")
    points = two_places(help_text="分值")
    score = two_places(help_text="得分")


class IndicatorSerializer(serializers.Serializer):
    level1 = serializers.CharField(help_text="一级指标")
    level2 = serializers.CharField(help_text="二级指标")
    name = serializers.CharField(help_text="三级指标")
    target = serializers.CharField(help_text="年度指标值")
    actual = serializers.CharField(help_text="实际完成值")
    points = two_places(help_text="分值")
    score = two_places(help_text="得分")
    overridden = serializers.BooleanField(help_text="得分是否经人工调整")
    deviation = serializers.CharField(help_text="偏差原因分析及改进措施")


class ScoresSerializer(serializers.Serializer):
    funds = two_places(help_text="预算执行率得分")
    output = two_places(help_text="产出指标得分")
    benefit = two_places(help_text="效益指标得分")
    satisfaction = two_places(help_text="满意度指标得分")
    total = two_places(help_text="总分")


class EvaluationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    is_final = serializers.BooleanField(help_text="是否已定稿：定稿的返回定稿时的数字，草稿的按当前数据计算")
    project_name = serializers.CharField(help_text="项目名称")
    department = serializers.CharField(help_text="主管部门")
    implementer = serializers.CharField(help_text="实施单位")
    funds = FundsSerializer(help_text="项目资金")
    quarterly_disbursements = serializers.ListField(
        child=two_places(), help_text="第1至第4季度已拨付金额（元，含更正）"
    )
    special_disbursements = two_places(help_text="专项拨付金额（元）")
    indicators = IndicatorSerializer(many=True, help_text="绩效指标")
    scores = ScoresSerializer()
    grade = serializers.CharField(help_text="评价等级：优、良、中、差")
    report_date = serializers.DateField(allow_null=True, help_text="报告日期")
    issuer = serializers.CharField(help_text="报告单位")


class EvaluationFigures(ApiView):
    required_scope = ApiScope.READ_RESULTS

    @extend_schema(
        operation_id="self_evaluation",
        summary="年度绩效自评",
        description=(
            "该年度项目支出绩效自评表的数字：预算、执行数、执行率及得分，各项指标的指标值、实际完成值和得分。"
            "已定稿的返回定稿时保存的数字；草稿按当前数据计算。"
        ),
        responses={200: EvaluationSerializer},
        tags=["绩效自评"],
    )
    def get(self, request, year):
        evaluation = SelfEvaluation.objects.filter(year=year).first()
        if evaluation is None:
            return problem(404, _("%(year)s 年度没有绩效自评。") % {"year": year})
        figures = {**self_evaluation_json(evaluation), "is_final": evaluation.is_final}
        return Response(EvaluationSerializer(figures).data)
