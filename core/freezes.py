"""Years whose figures are signed off: nothing that counts in them may change any more.

What freezes a year is known only to a higher app (reports: a finalised self-evaluation), so it
registers a provider at start-up (AppConfig.ready), as grids.history.CLOSED_UNTIL does for roster dates.
The lower apps ask here before a write that would change a frozen year's figures: whistle tickets and
reopening a quarter (assessments), the budget and its batches (disbursements). Each provider returns
{year: Frozen}. Callers that write lock the year's settings row first
(assessments.services.periods.year_refusal), as finalising does, so a change and a sign-off are
serialised.
"""

from collections.abc import Callable
from typing import NamedTuple

from django.utils.translation import gettext as _


class Frozen(NamedTuple):
    reason: str  # what froze the year: 2022 年绩效自评已定稿
    remedy: str  # the way out: 如需修改，请系统管理员重新打开绩效自评并说明理由。

    def refusal(self, what: str) -> str:
        """The message refusing a change (what: 该年哨单数据已冻结，不能再登记或修改)."""
        return _("%(reason)s，%(what)s。%(remedy)s") % {
            "reason": self.reason,
            "what": what,
            "remedy": self.remedy,
        }


YEAR_FREEZES: list[Callable[[], dict[int, Frozen]]] = []


def frozen_years() -> dict[int, Frozen]:
    """Every frozen year with what froze it."""
    frozen = {}
    for provider in YEAR_FREEZES:
        frozen.update(provider())
    return frozen
