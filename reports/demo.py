"""The 2022 self-evaluation (the indicator set and the report's prose; its figures are computed), and
the following year opened through the page's own service, its self-evaluation in progress."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from assessments.models import AssessmentYear
from core.models import User
from disbursements.demo import seed_held_money
from disbursements.models import Budget
from reports.models import Band, Direction, Indicator, Level1, SelfEvaluation, Source
from reports.services import open_year

D = Decimal
# (一级, 二级, 三级, direction, target, target text, unit, points, source or band)
INDICATORS_2022 = [
    (Level1.OUTPUT, "数量指标", "划分一级网格（街镇）", ">=", D(14), "≥14个", "个", D(2), Source.STREETS),
    (
        Level1.OUTPUT,
        "数量指标",
        "划分二级网格（村、社区）",
        ">=",
        D(146),
        "≥146个",
        "个",
        D(3),
        Source.COMMUNITIES,
    ),
    (Level1.OUTPUT, "数量指标", "划分三级网格", ">=", D(725), "≥725个", "个", D(5), Source.LEVEL3),
    (Level1.OUTPUT, "数量指标", "划分四级网格", ">=", D(5464), "≥5464个", "个", D(5), Source.LEVEL4),
    (
        Level1.OUTPUT,
        "数量指标",
        "“雷锋哨”年度采集哨单",
        ">=",
        D(12000),
        "≥12000条",
        "条",
        D(5),
        Source.TICKETS,
    ),
    (Level1.OUTPUT, "质量指标", "三、四级网格覆盖率", ">=", D(100), "100%", "%", D(10), Source.COVERAGE),
    (
        Level1.OUTPUT,
        "时效指标",
        "网格季度考核、奖励按时完成",
        ">=",
        D(4),
        "4次/年",
        "次",
        D(10),
        Source.QUARTERS,
    ),
    (
        Level1.OUTPUT,
        "成本指标",
        "全年支出控制在预算以内",
        "<=",
        D("4000000"),
        "≤400万元",
        "元",
        D(10),
        Source.EXECUTED,
    ),
    (Level1.BENEFIT, "社会效益", "哨单办结率", ">=", D(90), "≥90%", "%", D(10), Source.CLOSURE),
    (
        Level1.BENEFIT,
        "社会效益",
        "解决基层群众急难愁盼问题",
        "qualitative",
        None,
        "有效解决",
        "",
        D(10),
        Band.ACHIEVED,
    ),
    (
        Level1.BENEFIT,
        "可持续影响",
        "“热线+网格、吹哨+报到”工作机制推广落实",
        "qualitative",
        None,
        "全区全面推广",
        "",
        D(10),
        Band.ACHIEVED,
    ),
    (Level1.SATISFACTION, "服务对象满意度", "群众满意度", ">=", D(90), "≥90%", "%", D(10), Source.MANUAL),
]
SATISFACTION_2022 = D("95.00")

TEXTS_2022 = {
    "overview": "通过“热线+网格、吹哨+报到”工作，实现12345政务热线投诉量下降，诉求响应率、问题解决率、群众满意率提升的“一降三提升”工作目标。",
    "completion": "通过健全网格设置、配强网格人员、考核激励机制等方法，加强人员、阵地、经费保障，各职能部门及街镇各司其职、相互协作，深度融合12345政务热线、网格化管理和“吹哨报到”机制，切实解决人民群众急难愁盼的问题。",
    "purpose": "了解“热线+网格、吹哨+报到”资金的使用和效益情况，为预算绩效管理和下年度预算安排提供重要依据。",
    "process": "网格管理部整理项目相关资料，了解项目实施和资金支付情况。对照年初设定的绩效目标，逐项评价进行打分，根据结果进行综合评价并提出建议。",
    "decision": "项目的启动依据相关会议纪要等文件，实施过程中的重大决策均按照区相关要求和本中心实际情况，通过研究会议决定。",
    "execution": "资金严格按照相关规定进行管理，均按照制度进行列支。财务核算规范，资金按规定用途和标准使用，无虚列、截留、挪用等违规情况，做到专款专用。",
    "quantity": "指导各级网格人员严格按照采集要求进行哨单采集，要做到应采尽采，全面收集本区域存在的各类问题。",
    "quality": "网格覆盖后，各级各部门结合工作实际，将部门工作纳入网格管理，逐步实现“多网合一”。",
    "timeliness": "区直单位和街镇采取月度通报、季度讲评、年度考核模式，三级网格、四级网格采取季度考核、奖励，年度讲评模式，按照《长沙市望城区“热线+网格、吹哨+报到”工作考核办法》，每月对各单位工作完成情况进行通报。",
    "cost": "全年支出金额未超预算。",
    "social": "切实解决基层群众关心关切的热点、难点和堵点问题，广大下沉党员干部要进网格“真走访、真服务、真处置”，真正把为民服务落到实处，进一步提升人民群众获得感、幸福感、安全感。",
    "satisfaction": "营造全社会关心、支持、参与基层社会治理的良好氛围，促进“热线+网格、吹哨+报到”工作机制在全区全面推广落实，提高哨单的办结率，让人民有获得感、幸福感。",
    "problems": "因奖励方案中的零投诉村（社区）数量无法准确预估，导致各季度奖励资金金额存在差异，无法按照预算总额100%拨付到位。",
    "suggestions": "无。",
    "other": "无。",
}
GOAL_EXPECTED = (
    "健全四级网格，三、四级网格全覆盖；按季度开展12345政务热线“零投诉”村（社区）创建评比和三、四级网格考核，"
    "以奖代补拨付奖励资金；深度融合12345政务热线、网格化管理和“吹哨报到”机制，实现“一降三提升”。"
)
GOAL_ACTUAL = "四级网格全面建成并全覆盖，四个季度考核及奖励按时完成，“雷锋哨”哨单采集、吹哨、报到、办结闭环运行，年度目标全面完成。"


@transaction.atomic
def seed_evaluation(year: int) -> dict:
    if year != 2022 or SelfEvaluation.objects.filter(year=year).exists():
        return {"self-evaluations": 0}
    evaluation = SelfEvaluation.objects.create(
        year=year,
        goal_expected=GOAL_EXPECTED,
        goal_actual=GOAL_ACTUAL,
        texts=TEXTS_2022,
        report_date=dt.date(2023, 2, 24),
    )
    for order, (level1, level2, name, direction, target, text, unit, points, source) in enumerate(
        INDICATORS_2022
    ):
        qualitative = direction == Direction.QUALITATIVE
        Indicator.objects.create(
            evaluation=evaluation,
            order=order,
            level1=level1,
            level2=level2,
            name=name,
            direction=direction,
            target=target,
            target_text=text,
            unit=unit,
            points=points,
            source=Source.MANUAL if qualitative else source,
            band=source if qualitative else "",
            manual_actual=SATISFACTION_2022 if source == Source.MANUAL else None,
            justification="年度群众满意度问卷调查" if source == Source.MANUAL else "",
            actual_text={
                "解决基层群众急难愁盼问题": "有效解决",
                "“热线+网格、吹哨+报到”工作机制推广落实": "全区全面推广落实",
            }.get(name, ""),
        )
    return {"self-evaluations": 1}


@transaction.atomic
def seed_next_year(year: int) -> dict:
    """Open the year after the demo year as center staff would, with the same budget, where not yet open."""
    if AssessmentYear.objects.filter(year=year + 1).exists():
        return {"opened years": 0}
    budget = Budget.objects.get(year=year)
    open_year(
        user=User.objects.get(username="center"),
        year=year + 1,
        budget_amount=budget.amount,
        fund_name=budget.fund_name,
        basis=budget.basis,
    )
    return {"opened years": 1, **seed_held_money(year + 1)}
