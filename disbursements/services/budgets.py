"""Writes to a year's budget: its other sources (上年结转, 其他资金) and its adjustments (预算调整)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.audit import attribute
from core.formats import yuan_text
from core.numbers import round2
from disbursements.exceptions import DisbursementError
from disbursements.models import MAX_LINE_AMOUNT, Budget, BudgetAdjustment
from disbursements.selectors import appropriation, committed_total, full_year_budget
from disbursements.services.workflow import require_district, require_year_open


def _locked_budget(user, budget: Budget) -> Budget:
    """The budget row, locked: approvals check against it under the same lock (services.workflow)."""
    access.require(user, "disbursements.adjust_budget")
    require_district(user)
    require_year_open(budget.year)
    return Budget.objects.select_for_update().get(pk=budget.pk)


def _require_covers_commitments(budget: Budget, full_year: Decimal) -> None:
    committed = committed_total(budget)
    if full_year < committed:
        raise DisbursementError(
            _(
                "调整后 %(year)s 年全年预算数为 %(full)s 元，少于已审核及已拨付的 %(committed)s 元：预算不能低于已承诺的金额。"
            )
            % {"year": budget.year, "full": yuan_text(full_year), "committed": yuan_text(committed)}
        )


@transaction.atomic
def update_budget_sources(*, user, budget: Budget, carryover: Decimal, other_funds: Decimal) -> Budget:
    """Record the year's 上年结转资金 and 其他资金 (each ≥ 0), never below what is committed."""
    budget = _locked_budget(user, budget)
    carryover, other_funds = round2(carryover), round2(other_funds)
    if carryover < 0 or other_funds < 0:
        raise DisbursementError(_("上年结转资金和其他资金不能为负数。"))
    change = (carryover - budget.carryover) + (other_funds - budget.other_funds)
    _require_covers_commitments(budget, full_year_budget(budget) + change)
    budget.carryover, budget.other_funds = carryover, other_funds
    attribute(budget, user, _("修改上年结转资金、其他资金"))
    budget.save()
    return budget


@transaction.atomic
def add_budget_adjustment(
    *, user, budget: Budget, amount: Decimal, adjusted_on: dt.date, document_no: str, reason: str
) -> BudgetAdjustment:
    """Record a mid-year 追加 (+) or 调减 (−) of the appropriation, with its 文号 and reason."""
    budget = _locked_budget(user, budget)
    amount = round2(amount)
    document_no, reason = (document_no or "").strip(), (reason or "").strip()
    if not amount or abs(amount) > MAX_LINE_AMOUNT:
        raise DisbursementError(
            _("调整金额不能为 0，绝对值不超过 %(max)s 元。") % {"max": f"{MAX_LINE_AMOUNT:,.0f}"}
        )
    if not document_no or not reason:
        raise DisbursementError(_("预算调整须填写文号和调整理由。"))
    if adjusted_on.year != budget.year or adjusted_on > timezone.localdate():
        raise DisbursementError(_("调整日期应在 %(year)s 年内，且不晚于今天。") % {"year": budget.year})
    _require_covers_commitments(budget, full_year_budget(budget) + amount)
    if appropriation(budget) + amount <= 0:
        raise DisbursementError(_("调减后当年财政拨款将不大于 0，请核对调整金额。"))
    return BudgetAdjustment.objects.create(
        budget=budget,
        amount=amount,
        adjusted_on=adjusted_on,
        document_no=document_no[:50],
        reason=reason[:200],
        created_by=user,
    )
