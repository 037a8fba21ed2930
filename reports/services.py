"""Writes to the self-evaluation: one function per user action, re-checking permission."""

from django.db import transaction
from django.utils.translation import gettext as _

from core import access
from core.audit import attribute
from reports.models import Direction, Indicator, SelfEvaluation
from reports.scoring import BANDS

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


@transaction.atomic
def update_evaluation(*, user, evaluation: SelfEvaluation, fields: dict, texts: dict) -> SelfEvaluation:
    """Edit the form's header, the overall target and the report's prose paragraphs."""
    access.require(user, "reports.edit_evaluation")
    evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    for name in SelfEvaluation.EDITABLE_FIELDS:
        if name in fields:
            setattr(evaluation, name, fields[name])
    evaluation.texts = {**evaluation.texts, **{k: v.strip() for k, v in texts.items() if k in TEXT_KEYS}}
    attribute(evaluation, user)
    evaluation.save()
    return evaluation


@transaction.atomic
def update_indicator(*, user, indicator: Indicator, data: dict) -> Indicator:
    """Edit an indicator: its target and points, manual value, qualitative band, or a score override.

    An override needs a reason; both are kept in the indicator's history.
    """
    access.require(user, "reports.edit_evaluation")
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
    attribute(
        indicator,
        user,
        _("调整得分：%(r)s") % {"r": indicator.override_reason}
        if indicator.override_score is not None
        else "",
    )
    indicator.save()
    return indicator
