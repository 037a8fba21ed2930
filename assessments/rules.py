"""Assessment rules as plain functions over plain values (no ORM), tested without a database."""

import datetime as dt
import re
import statistics
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from assessments.models.choices import Rating
from core.numbers import percent
from grids.models import CommunityKind, GridLevel

RATING_WORDS = {
    Rating.EXCELLENT: ("优秀", "优", "excellent"),
    Rating.QUALIFIED: ("合格", "qualified"),
    Rating.BASIC: ("基本合格", "basic"),
    Rating.UNQUALIFIED: ("不合格", "unqualified"),
}

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b]+")


def parse_score(text: str) -> Decimal | None:
    """Read a score (得分): empty gives None; anything but a number from 0 to 100 raises ValueError."""
    text = _SPACES.sub("", "" if text is None else str(text))  # a score of 0 is a score
    if not text:
        return None
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("得分“%(value)s”不是数字。") % {"value": text}) from None
    if not score.is_finite() or not (0 <= score <= 100):
        raise ValueError(_("得分应在 0 到 100 之间（收到“%(value)s”）。") % {"value": text})
    return score.quantize(Decimal("0.01"))


def parse_validity(text: str) -> bool | None:
    """Read the hotline export's 是否有效 column: 是/有效/1 or 否/无效/0; None when unrecognised."""
    text = _SPACES.sub("", str(text or "")).lower()
    if text in ("是", "有效", "有效投诉", "y", "yes", "true", "1", "√"):
        return True
    if text in ("否", "无效", "无效投诉", "n", "no", "false", "0", "×"):
        return False
    return None


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def parse_rating(text: str) -> str | None:
    text = _SPACES.sub("", text or "").lower()
    for value, words in RATING_WORDS.items():
        if text in words:
            return value
    return None


def zero_complaint_reward(kind: str, *, urban: Decimal, rural: Decimal) -> Decimal:
    """The reward a zero-complaint community earns in a quarter (城市社区 vs other 村（社区）)."""
    return urban if kind == CommunityKind.URBAN else rural


def quota_error(*, level: int, where: str, quota: int, count: int) -> str | None:
    """Return the refusal message when `count` excellent grids would exceed `quota`, else None."""
    if count <= quota:
        return None
    return _("%(where)s%(level)s优秀名额为 %(quota)d 个，保存后将有 %(count)d 个优秀，超出 %(over)d 个。") % {
        "where": where,
        "level": GridLevel(level).label,
        "quota": quota,
        "count": count,
        "over": count - quota,
    }


def closure_rate(closed: int, collected: int) -> Decimal:
    """办结率 in percent with 2 places; None when nothing was collected (shown as —)."""
    return percent(closed, collected, when_empty=None)


def median_hours(durations: list[dt.timedelta]) -> Decimal | None:
    """Median of durations in hours with 1 place, or None for no durations."""
    if not durations:
        return None
    hours = statistics.median(d.total_seconds() for d in durations) / 3600
    return Decimal(str(round(hours, 1)))
