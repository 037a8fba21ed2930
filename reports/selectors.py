"""Every figure of a year's self-evaluation, computed from the application's data (nothing typed in)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assessments.models import AssessmentPeriod, AssessmentYear, PeriodStatus, WhistleTicket
from core import access
from core.changes import remember
from core.formats import date_text, yuan_text
from core.freezes import Frozen
from core.money import ZERO
from core.numbers import round2
from disbursements.models import QUARTER_KINDS, BatchKind, BatchLine, BatchStatus, Budget, DisbursementBatch
from disbursements.selectors import budget_sources
from disbursements.services.corrections import corrections_due
from grids.history import Closed
from reports import narrative, scoring
from reports.charts import bar_chart
from reports.dashboard import tickets_by_month
from reports.models import (
    Direction,
    EvaluationSignOff,
    EvaluationStatus,
    Indicator,
    Level1,
    SelfEvaluation,
    Source,
)
from reports.sources import year_values

LEVEL1_POINTS = {Level1.OUTPUT: Decimal(50), Level1.BENEFIT: Decimal(30), Level1.SATISFACTION: Decimal(10)}
FUND_POINTS = Decimal(10)


def _display(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "元":
        # Money indicators are kept in 元 and shown in 万元, as their targets (≤400万元) and the form's
        # funds block are: the cost row then compares like with like (371.76万元 against ≤400万元).
        return narrative.money_text(value, unit="万元")
    if unit == "%":
        return f"{value:.2f}%"
    if value == value.to_integral_value():
        return f"{int(value):,}{unit}"
    return f"{value:,.2f}{unit}"


def indicator_row(indicator: Indicator, values: dict) -> dict:
    """An indicator with its actual value and score (computed, or overridden with a reason)."""
    if indicator.direction == Direction.QUALITATIVE:
        actual = None
        computed = (
            scoring.qualitative_score(indicator.band, indicator.points, indicator.band_percent)
            if indicator.band
            else Decimal("0.00")
        )
        actual_text = indicator.actual_text or (indicator.get_band_display() if indicator.band else "")
    else:
        actual = (
            values.get(indicator.source) if indicator.source != Source.MANUAL else indicator.manual_actual
        )
        computed = scoring.quantitative_score(indicator.direction, indicator.target, actual, indicator.points)
        actual_text = indicator.actual_text or _display(actual, indicator.unit)
    score = indicator.override_score if indicator.override_score is not None else computed
    return {
        "indicator": indicator,
        "actual": actual,
        "actual_text": actual_text,
        "computed_score": computed,
        "score": round2(score),
        "overridden": indicator.override_score is not None,
    }


def special_payment_names(batches) -> str:
    """What the year's paid special batches were for, named from their lines' purposes (in one query)."""
    if not batches:
        return ""
    purposes = (
        BatchLine.objects.filter(batch__in=batches)
        .values("reason")
        .annotate(first=Min("pk"))
        .order_by("first")
        .values_list("reason", flat=True)
    )
    return narrative.payment_names(list(purposes))


def funds_block(budget: Budget | None) -> list[dict]:
    """The form's 项目资金 block: 年度资金总额 and its three sources, in 元.

    Each row has 年初预算数 (initial), 全年预算数 (full_year) and 全年执行数 (executed), from
    disbursements.selectors.budget_sources; the total row also has 分值 (points), 执行率 (rate) and
    得分 (score), the form's dashes on the others (None).
    """
    rows = [{**row, "points": None, "rate": None, "score": None} for row in budget_sources(budget)]
    total = rows[0]
    total["points"] = FUND_POINTS
    total["rate"] = scoring.execution_rate(total["executed"], total["full_year"])
    total["score"] = scoring.fund_score(total["executed"], total["full_year"], FUND_POINTS)
    return rows


def evaluation_figures(evaluation: SelfEvaluation) -> dict:
    """All figures of the form and the report for the evaluation's year."""
    year = evaluation.year
    values = year_values(year)
    budget = Budget.objects.filter(year=year).first()
    funds = funds_block(budget)
    amount = funds[0]["full_year"]
    executed = values["executed"]
    paid = list(
        budget.batches.filter(status=BatchStatus.PAID)
        .select_related("period")
        .order_by("kind", "period__quarter")
        if budget
        else []
    )
    quarters = {}
    for b in paid:  # a quarter's figure is net of its paid corrections
        if b.kind in QUARTER_KINDS:
            quarters[b.period.quarter] = quarters.get(b.period.quarter, ZERO) + b.total
    specials = [b for b in paid if b.kind == BatchKind.SPECIAL]
    special = sum((b.total for b in specials), ZERO)
    rows = [indicator_row(i, values) for i in evaluation.indicators.order_by("order", "pk")]
    groups = []
    for level1, label in Level1.choices:
        members = [r for r in rows if r["indicator"].level1 == level1]
        groups.append(
            {
                "level1": level1,
                "label": label,
                "rows": members,
                "points": sum((r["indicator"].points for r in members), ZERO),
                "score": sum((r["score"] for r in members), ZERO),
            }
        )
    settings = AssessmentYear.objects.filter(year=year).first()
    rules = {
        "zero_urban": settings.zero_complaint_reward_urban if settings else ZERO,
        "zero_rural": settings.zero_complaint_reward_rural if settings else ZERO,
        "level3_quota": settings.level3_excellent_quota if settings else 0,
        "level4_quota": settings.level4_excellent_quota if settings else 0,
    }
    fund_score = funds[0]["score"]
    total = round2(fund_score + sum((g["score"] for g in groups), ZERO))
    return {
        "evaluation": evaluation,
        "signature_lines": sign_off_lines(evaluation),
        "budget": budget,
        "budget_amount": amount,
        "budget_initial": budget.amount if budget else ZERO,
        "budget_changes": narrative.budget_changes(
            list(budget.adjustments.all()) if budget else [],
            carryover=budget.carryover if budget else ZERO,
            other=budget.other_funds if budget else ZERO,
            full_year=amount,
        ),
        "funds": funds,
        "executed": executed,
        "execution_rate": funds[0]["rate"],
        "fund_points": FUND_POINTS,
        "fund_score": fund_score,
        "groups": groups,
        "scores": {g["level1"]: g["score"] for g in groups},
        "points_total": FUND_POINTS + sum((g["points"] for g in groups), ZERO),
        "total": total,
        "grade": scoring.grade(total),
        "quarters": [quarters.get(q, ZERO) for q in range(1, 5)],
        "special": special,
        "special_names": special_payment_names(specials),
        "special_at_year_end": narrative.paid_at_year_end([b.paid_on for b in specials], year),
        "values": values,
        "rules": rules,
    }


def figures_as_json(figures: dict) -> dict:
    """The figures of the form as plain JSON values (strings for money and scores: exact decimals)."""
    evaluation = figures["evaluation"]
    return {
        "year": evaluation.year,
        "project_name": evaluation.project_name,
        "department": evaluation.department,
        "implementer": evaluation.implementer,
        "funds": {
            "budget": str(figures["budget_amount"]),
            "executed": str(figures["executed"]),
            "execution_rate": str(figures["execution_rate"]),
            "points": str(figures["fund_points"]),
            "score": str(figures["fund_score"]),
        },
        # The form's 项目资金 rows (年度资金总额 and its sources), in 元.
        "funds_rows": [
            {
                "label": row["label"],
                "initial": str(row["initial"]),
                "full_year": str(row["full_year"]),
                "executed": str(row["executed"]),
            }
            for row in figures["funds"]
        ],
        "quarterly_disbursements": [str(q) for q in figures["quarters"]],
        "special_disbursements": str(figures["special"]),
        "special_disbursement_names": figures["special_names"],
        "special_disbursed_at_year_end": figures["special_at_year_end"],
        "indicators": [
            {
                "level1": row["indicator"].get_level1_display(),
                "level2": row["indicator"].level2,
                "name": row["indicator"].name,
                "target": row["indicator"].target_text,
                "actual": row["actual_text"],
                "points": str(row["indicator"].points),
                "score": str(row["score"]),
                "overridden": row["overridden"],
                "deviation": row["indicator"].deviation,
            }
            for group in figures["groups"]
            for row in group["rows"]
        ],
        "scores": {
            "funds": str(figures["fund_score"]),
            **{group["level1"]: str(group["score"]) for group in figures["groups"]},
            "total": str(figures["total"]),
        },
        "grade": figures["grade"],
        "values": {key: str(value) for key, value in figures["values"].items()},
        "report_date": evaluation.report_date.isoformat() if evaluation.report_date else None,
        "issuer": evaluation.issuer,
        "sign_off": {line["key"]: line["value"] for line in figures["signature_lines"]},
    }


def sign_off_lines(evaluation: SelfEvaluation) -> list[dict]:
    """The 自评表's closing lines, each with its value or empty (a blank line to sign by hand)."""
    texts = evaluation.texts or {}
    day = evaluation.report_date
    return [
        {"key": "issuer", "label": _("填报单位（盖章）"), "value": evaluation.issuer},
        {"key": "preparer", "label": _("填表人"), "value": texts.get("preparer", "")},
        {"key": "preparer_phone", "label": _("联系电话"), "value": texts.get("preparer_phone", "")},
        {
            "key": "report_date",
            "label": _("填报日期"),
            "value": f"{day.year}年{day.month}月{day.day}日" if day else "",
        },
    ]


def form_rows(figures: dict) -> list[dict]:
    """The indicator table as rows with the row spans of the national form (一级 and 二级 cells merged)."""
    rows = []
    for group in figures["groups"]:
        members = group["rows"]
        for index, row in enumerate(members):
            level2 = row["indicator"].level2
            first_of_level2 = index == 0 or members[index - 1]["indicator"].level2 != level2
            span2 = 0
            if first_of_level2:
                span2 = 1
                while index + span2 < len(members) and members[index + span2]["indicator"].level2 == level2:
                    span2 += 1
            rows.append(
                {
                    **row,
                    "level1_span": len(members) if index == 0 else 0,
                    "level1_label": str(group["label"]),
                    "level2_span": span2,
                }
            )
    return rows


def current_sign_off(evaluation: SelfEvaluation) -> EvaluationSignOff | None:
    """The sign-off in force: the latest, unless the evaluation was reopened since."""
    return evaluation.sign_offs.filter(reopened_at__isnull=True).first()


def sign_off_history(evaluation: SelfEvaluation) -> list[EvaluationSignOff]:
    """Every finalising of the evaluation, newest first, with who reopened it and why."""
    return list(
        evaluation.sign_offs.select_related("finalised_by", "reopened_by")
        .defer("pdf", "xlsx", "html", "figures")
        .order_by("-finalised_at")
    )


def awaiting_input(evaluation: SelfEvaluation) -> list[Indicator]:
    """The indicators whose value is entered by hand and still missing (待填报)."""
    return [i for i in evaluation.indicators.order_by("order", "pk") if i.awaiting_input]


def evaluation_context(evaluation: SelfEvaluation) -> dict:
    """The year's figures with the form's rows and the charts: what the page, the PDF and the workbook render."""
    figures = evaluation_figures(evaluation)
    labels = [
        "一季度",
        "二季度",
        "三季度",
        "四季度",
        "年终专项" if figures["special_at_year_end"] else "专项拨付",
    ]
    monthly = tickets_by_month(evaluation.year)
    return {
        **figures,
        "rows": form_rows(figures),
        "chart_svg": bar_chart(labels, [*figures["quarters"], figures["special"]]),
        "tickets_chart_svg": bar_chart(
            [f"{m}月" for m in range(1, 13)], monthly, color="#1565c0", height=200
        ),
    }


def draft_context(evaluation: SelfEvaluation) -> dict:
    """evaluation_context() of a draft, kept until anything it was computed from is written (core.changes):
    the page, the PDF and the workbook of an unchanged year are served without computing the figures.
    Keyed on today too: a draft is the figures as of the day it is read."""

    def compute():
        return evaluation_context(SelfEvaluation.objects.get(pk=evaluation.pk))

    return remember(f"evaluation-context:{evaluation.year}:{timezone.localdate()}", compute)


def report_date_problem(year: int, day: dt.date | None) -> str | None:
    """Why a report date does not fit a year's self-evaluation, or None.

    The report is written on the finished year (the 2022 report is dated 2023年2月24日), so its date lies
    from 1 January of the next year up to today: a later date is a typo, not a plan.
    """
    if day is None:
        return None
    first, today = dt.date(year + 1, 1, 1), timezone.localdate()
    if not first <= day <= today:
        return _(
            "报告日期 %(day)s 不合理：%(year)s 年度绩效自评的报告日期应在 %(first)s 至今天（%(today)s）之间。"
        ) % {"day": date_text(day), "year": year, "first": date_text(first), "today": date_text(today)}
    return None


def finalise_problems(evaluation: SelfEvaluation) -> list[str]:
    """What still prevents finalising (empty when it can be finalised)."""
    problems = []
    unfilled = awaiting_input(evaluation)
    if unfilled:
        problems.append(_("以下指标待填报：%(names)s。") % {"names": "、".join(i.name for i in unfilled)})
    if not evaluation.goal_actual.strip():
        problems.append(_("年度总体目标的实际完成情况未填写。"))
    if evaluation.report_date is None:
        problems.append(_("报告日期未填写。"))
    elif problem := report_date_problem(evaluation.year, evaluation.report_date):
        problems.append(problem)
    # A quarter reopened after payment must be locked again and its difference paid or taken back first.
    reopened = AssessmentPeriod.objects.filter(
        year__year=evaluation.year, status=PeriodStatus.OPEN, batches__status=BatchStatus.PAID
    ).distinct()
    for period in reopened.order_by("quarter"):
        problems.append(_("%(period)s已解锁，请重新锁定并处理更正后再定稿。") % {"period": period})
    for due in corrections_due(year=evaluation.year):
        problems.append(
            _("%(period)s的考核结果与已拨付金额不符（净额 %(net)s 元），请先生成更正批次并拨付。")
            % {"period": due.period, "net": yuan_text(due.net)}
        )
    # Once finalised, the year's batches can no longer move on: each must be paid or cancelled first.
    unsettled = (
        DisbursementBatch.objects.live()
        .filter(budget__year=evaluation.year)
        .exclude(status=BatchStatus.PAID)
        .order_by("pk")
    )
    if unsettled:
        problems.append(
            _("以下拨付批次尚未拨付，请先登记拨付或作废：%(batches)s。")
            % {"batches": "、".join(f"{b.title}（{b.get_status_display()}）" for b in unsettled)}
        )
    return problems


def self_evaluation_page(evaluation: SelfEvaluation) -> dict:
    """The self-evaluation page: what was signed off, as it was rendered then (the figures no longer
    follow the data), or a draft's figures computed now with what still prevents finalising."""
    if evaluation.is_final:
        sign_off = current_sign_off(evaluation)
        page = {
            "panes": mark_safe(sign_off.html),  # rendered by our own templates, escaped there
            "total": sign_off.figures["scores"]["total"],
            "grade": sign_off.figures["grade"],
            "sign_off": sign_off,
        }
    else:
        page = {
            **draft_context(evaluation),
            "awaiting": {i.pk for i in awaiting_input(evaluation)},
            "finalise_problems": finalise_problems(evaluation),
        }
    return {**page, "evaluation": evaluation, "sign_offs": sign_off_history(evaluation)}


def last_finalised_year(*, lock: bool = False) -> Closed | None:
    """31 December of the latest year whose self-evaluation is finalised: its counts and coverage are
    signed off, so no roster date may fall on or before that day.

    Registered in grids.history.CLOSED_UNTIL (ReportsConfig.ready). With lock=True the finalised rows are
    locked, so that a roster change and a concurrent finalising are serialised.
    """
    finals = SelfEvaluation.objects.filter(status=EvaluationStatus.FINAL)
    if lock:
        finals = finals.select_for_update()
    year = max(finals.values_list("year", flat=True), default=None)
    if year is None:
        return None
    return Closed(dt.date(year, 12, 31), _("%(year)s年度绩效自评已定稿") % {"year": year})


def finalised_years() -> dict[int, Frozen]:
    """The years whose self-evaluation is finalised: their figures are signed off, so nothing counting in
    them may change (tickets, quarters, the budget and its batches) until a 系统管理员 reopens it.

    Registered with core.freezes.YEAR_FREEZES (ReportsConfig.ready).
    """
    years = SelfEvaluation.objects.filter(status=EvaluationStatus.FINAL).values_list("year", flat=True)
    return {
        year: Frozen(
            _("%(year)s 年绩效自评已定稿") % {"year": year},
            _("如需修改，请系统管理员重新打开绩效自评并说明理由。"),
        )
        for year in years
    }


def latest_bulletin_month() -> tuple[int, int]:
    """The month of the latest whistle ticket (the bulletins' entry point), or the current month."""
    latest = WhistleTicket.objects.order_by("-collected_at").values_list("collected_at", flat=True).first()
    day = timezone.localtime(latest).date() if latest else timezone.localdate()
    return day.year, day.month


@dataclass(frozen=True)
class Document:
    title: str
    url: str
    note: str
    icon: str = "file-earmark-pdf"
    download: bool = False  # generated on request and sent as a file: the link shows it is working


def latest_documents(user, *, paid_batches: int = 3) -> list[Document]:
    """What a leader downloads: each year's self-evaluation (the signed-off one when finalised), the latest
    monthly bulletin, and the batches paid last (their pages hold each street's 拨付通知)."""
    documents = []
    for evaluation in SelfEvaluation.objects.order_by("-year")[:2]:
        sign_off = current_sign_off(evaluation) if evaluation.status == EvaluationStatus.FINAL else None
        note = (
            _("定稿 %(date)s") % {"date": date_text(sign_off.finalised_at)}
            if sign_off
            else _("草稿，数字随数据更新")
        )
        documents.append(
            Document(
                _("%(year)s年度项目支出绩效自评报告") % {"year": evaluation.year},
                reverse("reports:self_evaluation_pdf", args=[evaluation.year]),
                note,
                download=True,
            )
        )
    year, month = latest_bulletin_month()
    documents.append(
        Document(
            _("%(year)s年%(month)s月工作通报") % {"year": year, "month": month},
            reverse("reports:bulletin_pdf", args=[year, month]),
            _("最新一期月度通报"),
        )
    )
    if access.can(user, "disbursements.view_disbursementbatch"):
        paid = DisbursementBatch.objects.filter(status=BatchStatus.PAID).order_by("-paid_on", "-pk")
        for batch in paid[:paid_batches]:
            documents.append(
                Document(
                    batch.title,
                    reverse("disbursements:batch_detail", args=[batch.pk]),
                    _("%(date)s 拨付 %(amount)s 元，各街镇拨付通知")
                    % {
                        "date": date_text(batch.paid_on),
                        "amount": yuan_text(batch.total),
                    },
                    icon="cash-coin",
                )
            )
    return documents
