"""Which roster dates may still be written: the bounds on 设立日期, 撤销日期, 任职日期 and 离任日期.

Every figure is counted as of a day (grids.models.in_service): a quarter's grids to rate as of its last
day, a year's grid counts and coverage as of 31 December. A closed figure therefore stays as it was as
long as no roster date falls on or before the last closed day, and no grid that existed then moves to
another parent or changes its code (ratings, payments and their exports name a grid by its code). These
functions say so, over plain values, in words that tell the user what to do; the services call them
(and the importers, for their preview) and nothing else checks the same thing.

What is closed is known only to higher apps, so they register a provider at start-up (AppConfig.ready),
as assessments.services.periods.UNLOCK_GUARDS does the other way round:

- assessments: the last day of the latest locked quarter ("2022年第4季度已锁定");
- reports (to come): 31 December of a year whose self-evaluation is finalised ("2022年度绩效自评已定稿").

A provider is called as provider(lock=...) and returns a Closed (the last closed day and why it is
closed) or None. With lock=True the caller is inside a transaction that is about to write roster dates:
the provider locks the rows its answer rests on (select_for_update), so that a quarter cannot be locked
between the check and the write.
"""

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from django.utils.translation import gettext as _

from core.formats import date_text

FIRST_YEAR, LAST_YEAR = 2000, 2100


class Closed(NamedTuple):
    until: dt.date  # the last closed day: roster dates must be later
    reason: str  # e.g. 2022年第4季度已锁定


CLOSED_UNTIL: list[Callable[..., Closed | None]] = []


def closed(*, lock: bool = False) -> Closed | None:
    """The latest closed day over every registered provider, with its reason (None when nothing is closed)."""
    found = [c for provider in CLOSED_UNTIL if (c := provider(lock=lock)) is not None]
    return max(found, default=None, key=lambda c: c.until)


def closed_until(*, lock: bool = False) -> dt.date | None:
    """The last closed day (None when nothing is closed)."""
    found = closed(lock=lock)
    return found.until if found else None


def first_open_day(shut: Closed | None) -> dt.date | None:
    return shut.until + dt.timedelta(days=1) if shut else None


def date_error(day: dt.date, what: str, shut: Closed | None) -> str | None:
    """Why a new roster date (what: 设立日期, 撤销日期 …) cannot be written, or None when it can."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return _("%(what)s %(day)s 不合理，应在 %(first)d 年至 %(last)d 年之间。") % {
            "what": what,
            "day": date_text(day),
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    if shut is not None and day <= shut.until:
        return _("%(reason)s，%(what)s须晚于 %(until)s。") % {
            "reason": shut.reason,
            "what": what,
            "until": date_text(shut.until),
        }
    return None


def change_error(old: dt.date | None, new: dt.date | None, what: str, shut: Closed | None) -> str | None:
    """Why a stored roster date cannot change from old to new (either may be empty), or None."""
    if old == new:
        return None
    if old is not None and shut is not None and old <= shut.until:
        return _("%(reason)s，%(what)s %(old)s 已计入其中，不能再修改。") % {
            "reason": shut.reason,
            "what": what,
            "old": date_text(old),
        }
    return date_error(new, what, shut) if new is not None else None


def reinstate_error(retired_on: dt.date, shut: Closed | None) -> str | None:
    """Why a retirement cannot be undone: the closed figures already leave the grid out."""
    if shut is not None and retired_on <= shut.until:
        return _(
            "%(reason)s，本网格于 %(day)s 撤销已计入其中，不能恢复；如仍需要，请新增网格（设立日期晚于 %(until)s）。"
        ) % {"reason": shut.reason, "day": date_text(retired_on), "until": date_text(shut.until)}
    return None


def move_error(established_on: dt.date, shut: Closed | None) -> str | None:
    """Why a grid cannot move to another parent: a closed period counted it under its present one."""
    if shut is not None and established_on <= shut.until:
        return _(
            "%(reason)s，本网格在其中按现在的上级统计，不能改变上级；请撤销本网格（撤销日期晚于 %(until)s），"
            "再在新的上级下新增网格。"
        ) % {"reason": shut.reason, "until": date_text(shut.until)}
    return None


def code_error(established_on: dt.date, shut: Closed | None) -> str | None:
    """Why a grid's code cannot change: closed ratings, payments and their exports name it by that code."""
    if shut is not None and established_on <= shut.until:
        return _(
            "%(reason)s，本网格已参加考核，已考核网格的编码不能修改（考核结果和拨付按编码对应）；名称仍可修改。"
        ) % {"reason": shut.reason}
    return None


def lifetime_error(
    established_on: dt.date,
    retired_on: dt.date | None,
    *,
    parent_name: str = "",
    parent_established_on: dt.date | None = None,
    parent_retired_on: dt.date | None = None,
) -> str | None:
    """Why a grid's 设立日期 and 撤销日期 do not fit each other or its parent's, or None."""
    if retired_on is not None and retired_on <= established_on:
        return _("撤销日期 %(retired)s 须晚于设立日期 %(established)s。") % {
            "retired": date_text(retired_on),
            "established": date_text(established_on),
        }
    if parent_established_on is not None and established_on < parent_established_on:
        return _("上级网格“%(name)s”于 %(day)s 设立，本网格的设立日期不能更早。") % {
            "name": parent_name,
            "day": date_text(parent_established_on),
        }
    if parent_retired_on is not None and established_on >= parent_retired_on:
        return _("上级网格“%(name)s”已于 %(day)s 撤销，不能在此后设立下级网格。") % {
            "name": parent_name,
            "day": date_text(parent_retired_on),
        }
    return None


def post_error(
    started_on: dt.date,
    ended_on: dt.date | None,
    *,
    grid_established_on: dt.date,
    grid_retired_on: dt.date | None,
) -> str | None:
    """Why a staff post's 任职日期 and 离任日期 do not fit each other or its grid's lifetime, or None."""
    if ended_on is not None and ended_on <= started_on:
        return _("离任日期 %(ended)s 须晚于任职日期 %(started)s。") % {
            "ended": date_text(ended_on),
            "started": date_text(started_on),
        }
    if started_on < grid_established_on:
        return _("网格于 %(day)s 设立，任职日期不能更早。") % {"day": date_text(grid_established_on)}
    if grid_retired_on is not None and started_on >= grid_retired_on:
        return _("网格已于 %(day)s 撤销，不能在此后任职。") % {"day": date_text(grid_retired_on)}
    return None
