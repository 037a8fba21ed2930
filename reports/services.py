"""Writes to the self-evaluation and the year's life: one function per user action, re-checking permission.

A year is opened (open_year: settings, rules, quotas, quarters, budget and a draft self-evaluation in
one transaction), its self-evaluation edited while a draft, finalised (定稿: what is signed off is
stored and the year frozen) and, by a 系统管理员 with a reason, reopened.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments.models import AssessmentYear, RatingReward, StreetQuota
from assessments.services.periods import ensure_year
from core import access
from core.audit import attribute
from disbursements.models import Budget
from grids.models import Grid, GridLevel
from reports import exports
from reports.models import (
    Direction,
    EvaluationSignOff,
    EvaluationStatus,
    Indicator,
    SelfEvaluation,
    Source,
)
from reports.narrative import money_text
from reports.scoring import BANDS
from reports.selectors import current_sign_off, finalise_problems, report_date_problem

TEXT_KEYS = (
    "overview",
    "completion",
    "purpose",
    "process",
    "decision",
    "execution",
    "quantity",
    "quality",
    "timeliness",
    "cost",
    "social",
    "satisfaction",
    "problems",
    "suggestions",
    "other",
)


class ReportError(Exception):
    """A change refused by a reporting rule; the message is shown to the user."""


def draft_problem(evaluation: SelfEvaluation) -> str | None:
    """Why the evaluation's indicators and texts cannot be edited, or None while it is a draft."""
    if evaluation.is_final:
        return _("%(year)s 年绩效自评已定稿，指标和正文只读。如需修改，请系统管理员重新打开并说明理由。") % {
            "year": evaluation.year
        }
    return None


def _require_draft(evaluation: SelfEvaluation) -> None:
    problem = draft_problem(evaluation)
    if problem:
        raise ReportError(problem)


@transaction.atomic
def update_evaluation(*, user, evaluation: SelfEvaluation, fields: dict, texts: dict) -> SelfEvaluation:
    """Edit the form's header, the overall target, the report's prose paragraphs and the sign-off lines."""
    access.require(user, "reports.edit_evaluation")
    evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    _require_draft(evaluation)
    if "report_date" in fields and (problem := report_date_problem(evaluation.year, fields["report_date"])):
        raise ReportError(problem)
    for name in SelfEvaluation.EDITABLE_FIELDS:
        if name in fields:
            setattr(evaluation, name, fields[name])
    editable = (*TEXT_KEYS, *SelfEvaluation.SIGN_OFF_TEXTS)
    evaluation.texts = {**evaluation.texts, **{k: v.strip() for k, v in texts.items() if k in editable}}
    attribute(evaluation, user)
    evaluation.save()
    return evaluation


@transaction.atomic
def update_indicator(*, user, indicator: Indicator, data: dict) -> Indicator:
    """Edit an indicator: its target and points, manual value, qualitative band, or a score override.

    An override needs a reason; both are kept in the indicator's history.
    """
    access.require(user, "reports.edit_evaluation")
    _require_draft(SelfEvaluation.objects.select_for_update().get(pk=indicator.evaluation_id))
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    for name, value in data.items():
        setattr(indicator, name, value)
    if indicator.override_score is not None:
        if not (indicator.override_reason or "").strip():
            raise ReportError(_("调整得分必须填写理由。"))
        if not (0 <= indicator.override_score <= indicator.points):
            raise ReportError(_("调整后得分应在 0 到分值 %(p)s 之间。") % {"p": indicator.points})
    else:
        indicator.override_reason = ""
    if indicator.direction == Direction.QUALITATIVE:
        if not indicator.band:
            raise ReportError(_("定性指标须选择评价档次。"))
        low, high = BANDS[indicator.band]
        if indicator.band_percent is not None and not (low <= indicator.band_percent <= high):
            raise ReportError(
                _("“%(band)s”的得分比例应在 %(low)s%% 到 %(high)s%% 之间。")
                % {"band": indicator.get_band_display(), "low": low, "high": high}
            )
    elif indicator.target is None:
        raise ReportError(_("定量指标须填写指标值。"))
    elif (
        indicator.source == Source.MANUAL
        and indicator.manual_actual is not None
        and not (indicator.justification or "").strip()
    ):
        # A hand-entered figure is only as good as its source: the form says 须填理由, and so does the rule.
        raise ReportError(_("人工填报实际完成值须填写人工填报依据（如调查、回访的名称和时间）。"))
    attribute(
        indicator,
        user,
        _("调整得分：%(r)s") % {"r": indicator.override_reason}
        if indicator.override_score is not None
        else "",
    )
    indicator.save()
    return indicator


@transaction.atomic
def finalise_evaluation(*, user, evaluation: SelfEvaluation) -> EvaluationSignOff:
    """Finalise (定稿) a self-evaluation: store the PDF, workbook, page and figures signed off, and freeze the year.

    The year's settings row is locked first: whistle-ticket writes lock it too
    (assessments.services.whistle), so no ticket of the year lands between the figures and the sign-off.
    The outputs are rendered inside the transaction (about a second): what is stored is what the
    locked data gave, not what a later moment would.
    """
    access.require(user, "reports.finalise_evaluation")
    list(AssessmentYear.objects.select_for_update().filter(year=evaluation.year))
    evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_final:
        raise ReportError(_("%(year)s 年绩效自评已定稿。") % {"year": evaluation.year})
    problems = finalise_problems(evaluation)
    if problems:
        raise ReportError(_("不能定稿：") + " ".join(problems))
    outputs = exports.signed_outputs(evaluation)
    evaluation.status = EvaluationStatus.FINAL
    attribute(evaluation, user, _("定稿"))
    evaluation.save()
    return EvaluationSignOff.objects.create(
        evaluation=evaluation, finalised_at=timezone.now(), finalised_by=user, **outputs
    )


@transaction.atomic
def reopen_evaluation(*, user, evaluation: SelfEvaluation, reason: str) -> SelfEvaluation:
    """Reopen a finalised self-evaluation (系统管理员 only, with a reason kept in its history)."""
    access.require(user, "reports.reopen_evaluation")
    reason = (reason or "").strip()
    if not reason:
        raise ReportError(_("重新打开必须填写理由。"))
    evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_final:
        raise ReportError(_("%(year)s 年绩效自评尚未定稿。") % {"year": evaluation.year})
    sign_off = current_sign_off(evaluation)
    sign_off.reopened_at, sign_off.reopened_by, sign_off.reopen_reason = timezone.now(), user, reason[:200]
    sign_off.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    evaluation.status = EvaluationStatus.DRAFT
    attribute(evaluation, user, _("重新打开：%(reason)s") % {"reason": reason})
    evaluation.save()
    return evaluation


# The values a year's self-evaluation enters by hand: a new year's copy of an indicator starts without them.
MANUAL_VALUES = (
    "manual_actual",
    "band",
    "band_percent",
    "actual_text",
    "justification",
    "override_score",
    "override_reason",
    "deviation",
)
# The header a new year keeps; the overall target and the prose are kept as a starting point (the
# figures in the report are computed, and its prose mostly describes the standing mechanism), while
# what can only be said after the year — the target's 实际完成情况 and the report date — is cleared.
KEPT_FIELDS = ("project_name", "department", "implementer", "issuer", "goal_expected", "texts")


def _new_evaluation(*, user, year: int, budget: Budget | None) -> SelfEvaluation:
    """Create a year's self-evaluation from the latest earlier one: its header, texts and indicators."""
    source = SelfEvaluation.objects.filter(year__lt=year).order_by("-year").first()
    evaluation = SelfEvaluation(year=year)
    if source is not None:
        for name in KEPT_FIELDS:
            setattr(evaluation, name, getattr(source, name))
    attribute(evaluation, user, _("建立（沿用 %(year)s 年）") % {"year": source.year} if source else "")
    evaluation.save()
    indicators = []
    for old in source.indicators.order_by("order", "pk") if source else []:
        new = Indicator(
            evaluation=evaluation,
            **{
                f.name: getattr(old, f.name)
                for f in Indicator._meta.concrete_fields
                if f.name not in ("id", "evaluation", *MANUAL_VALUES)
            },
        )
        if new.source == Source.EXECUTED and new.direction == Direction.AT_MOST and budget is not None:
            # 全年支出控制在预算以内: the target is this year's budget, not last year's.
            new.target = budget.amount
            new.target_text = "≤" + money_text(budget.amount, unit="万元")
        indicators.append(new)
    bulk_create_with_history(indicators, Indicator, default_user=user)
    return evaluation


@transaction.atomic
def create_evaluation(*, user, year: int) -> SelfEvaluation:
    """Create the self-evaluation of an opened year that has none (e.g. a year opened in the admin)."""
    access.require(user, "reports.edit_evaluation")
    if not AssessmentYear.objects.filter(year=year).exists():
        raise ReportError(_("%(year)s 年尚未开启，请先开启新年度。") % {"year": year})
    if SelfEvaluation.objects.filter(year=year).exists():
        raise ReportError(_("%(year)s 年已建立绩效自评。") % {"year": year})
    return _new_evaluation(user=user, year=year, budget=Budget.objects.filter(year=year).first())


def next_year() -> int:
    """The year to open next: the one after the latest opened, or this year for the first."""
    latest = AssessmentYear.objects.order_by("-year").values_list("year", flat=True).first()
    return latest + 1 if latest else timezone.localdate().year


def open_year_problem(year: int) -> str | None:
    """Why a year cannot be opened now, or None: no duplicates, no gaps, at most one year ahead."""
    latest = AssessmentYear.objects.order_by("-year").values_list("year", flat=True).first()
    if AssessmentYear.objects.filter(year=year).exists():
        return _("%(year)s 年已开启，不能重复开启。") % {"year": year}
    if latest is not None and year != latest + 1:
        return _(
            "只能开启 %(next)s 年：新年度须紧接已开启的最近年度（%(latest)s 年），不能跳过或补开年度。"
        ) % {
            "next": latest + 1,
            "latest": latest,
        }
    if year > timezone.localdate().year + 1:
        return _("%(year)s 年太远：最多提前一年开启新年度。") % {"year": year}
    if Budget.objects.filter(year=year).exists() or SelfEvaluation.objects.filter(year=year).exists():
        return _("%(year)s 年已有预算或绩效自评记录（可能由管理后台建立），请系统管理员核对。") % {
            "year": year
        }
    return None


def _copy_rules(*, user, year: int, previous: AssessmentYear | None) -> AssessmentYear:
    """The year's settings, reward rules and street quotas as the previous year had them."""
    settings = AssessmentYear(year=year)
    if previous is not None:
        for name in (
            "level3_excellent_quota",
            "level4_excellent_quota",
            "zero_complaint_reward_urban",
            "zero_complaint_reward_rural",
            "complaint_types",
        ):
            setattr(settings, name, getattr(previous, name))
    attribute(settings, user, _("开启新年度"))
    settings.save()
    if previous is None:
        return settings
    rewards = [
        RatingReward(year=settings, level=r.level, rating=r.rating, amount=r.amount)
        for r in previous.rating_rewards.all()
    ]
    bulk_create_with_history(rewards, RatingReward, default_user=user)
    streets = set(
        Grid.objects.filter(level=GridLevel.STREET)
        .active(on=dt.date(year, 1, 1))
        .values_list("pk", flat=True)
    )
    quotas = []
    for level in (GridLevel.LEVEL3, GridLevel.LEVEL4):
        split = list(previous.street_quotas.filter(level=level))
        # A split naming a street no longer in service would not add up to the district's quota: it is
        # left out, to be proposed again on the settings page.
        if split and all(q.street_id in streets for q in split):
            quotas += [
                StreetQuota(year=settings, street_id=q.street_id, level=level, quota=q.quota) for q in split
            ]
    bulk_create_with_history(quotas, StreetQuota, default_user=user)
    return settings


@transaction.atomic
def open_year(*, user, year: int, budget_amount: Decimal, fund_name: str, basis: str) -> SelfEvaluation:
    """Open a new year: settings, reward rules, complaint types and street quotas copied from the year
    before (editable until its first lock), its four quarters, its budget (年初预算数 and 文号) and a
    draft self-evaluation with last year's indicators, their hand-entered values cleared (待填报)."""
    access.require(user, "reports.open_year")
    # Two people opening the same year: the second waits here, then finds it opened.
    list(AssessmentYear.objects.select_for_update().order_by("-year")[:1])
    problem = open_year_problem(year)
    if problem:
        raise ReportError(problem)
    if budget_amount is None or budget_amount <= 0:
        raise ReportError(_("年初预算数须大于 0。"))
    if not (fund_name or "").strip() or not (basis or "").strip():
        raise ReportError(_("须填写资金名称和预算依据（文号）。"))
    previous = AssessmentYear.objects.filter(year=year - 1).first()
    _copy_rules(user=user, year=year, previous=previous)
    ensure_year(year=year)  # the four quarters, and default reward rules for a first year
    budget = Budget(year=year, amount=budget_amount, fund_name=fund_name.strip(), basis=basis.strip())
    attribute(budget, user, _("开启新年度"))
    budget.save()
    return _new_evaluation(user=user, year=year, budget=budget)
