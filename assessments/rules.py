"""Assessment rules as plain functions over plain values (no ORM), tested without a database."""

import datetime as dt
import re
import statistics
from decimal import Decimal

from django.utils.translation import gettext as _

from assessments.models.choices import Rating
from assessments.models.whistle import TicketStatus
from core.normalise import fold, is_plain_number
from core.numbers import percent
from core.xlsx import plain
from grids.models import CommunityKind, GridLevel

RATING_WORDS = {
    Rating.EXCELLENT: ("优秀",),
    Rating.QUALIFIED: ("合格",),
    Rating.BASIC: ("基本合格",),
    Rating.UNQUALIFIED: ("不合格",),
}
# What people write around a rating: 评为优秀, 优秀等次, 合格档.
_RATING_AROUND = re.compile(r"^(?:评定为|评为|定为)|(?:等次|等级|档次|档|级)$")

# A 哨单 ledger's statuses in the words of the platforms and streets that keep them, on the lifecycle
# 已采集 → 已吹哨 → 已报到/处置中 → 已办结. Words that may mean either of two steps (已处理, 已处置:
# handled, or closed?) are left out on purpose: the importer asks rather than guesses.
TICKET_STATUS_WORDS = {
    TicketStatus.COLLECTED: (
        "已采集",
        "采集",
        "待吹哨",
        "未吹哨",
        "新建",
        "待处理",
        "已登记",
        "登记",
        "已上报",
        "待派发",
        "待派单",
    ),
    TicketStatus.WHISTLED: (
        "已吹哨",
        "吹哨",
        "待报到",
        "未报到",
        "已派发",
        "已派单",
        "派发",
        "待签收",
        "待接单",
        "已交办",
        "交办",
        "已转办",
        "转办",
    ),
    TicketStatus.PROCESSING: (
        "已报到/处置中",
        "已报到",
        "报到",
        "处理中",
        "处置中",
        "办理中",
        "正在处理",
        "正在办理",
        "已签收",
        "签收",
        "已接单",
        "已受理",
        "待办结",
        "待结案",
        "待核查",
        "待审核",
    ),
    TicketStatus.CLOSED: (
        "已办结",
        "办结",
        "已完成",
        "完成",
        "已结案",
        "结案",
        "已销号",
        "销号",
        "已解决",
        "已归档",
        # 反馈 is the step after 办结 in a 雷锋哨 ledger: the result told back to whoever blew the whistle.
        "已反馈",
        "反馈",
        "已回访",
    ),
}
# A trailing note in brackets: 已办结（超期）, 处理中(催办).
_STATUS_NOTE = re.compile(r"\([^()]*\)$")

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b]+")


def parse_score(text: str) -> Decimal | None:
    """Read a score (得分): empty gives None; anything but a number from 0 to 100 raises ValueError."""
    text = "".join(fold("" if text is None else text).split())  # a score of 0 is a score
    if not text:
        return None
    if not is_plain_number(text):  # Decimal() alone reads 9_0, ٩٠ and 9e1
        raise ValueError(_("得分“%(value)s”不是数字。") % {"value": text})
    score = Decimal(text)
    if not (0 <= score <= 100):
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
    """Read a rating as people write it (优秀, 优秀等次, 评为合格, full-width spaces); None when unknown."""
    text = _RATING_AROUND.sub("", plain(text))
    for value, words in RATING_WORDS.items():
        if text in words:
            return value
    return None


def parse_ticket_status(text: str) -> str | None:
    """Map a ledger's status (办结, 处理中, 待报到, 已办结（超期）…) onto the 哨单 lifecycle; None when unknown."""
    text = _STATUS_NOTE.sub("", plain(text).replace("、", "/"))
    for status, words in TICKET_STATUS_WORDS.items():
        if text in words or text == str(status.label):
            return status
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
