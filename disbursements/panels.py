"""What a quarter's page (assessments) shows of its money, registered in
assessments.selectors.periods.PERIOD_PANELS (DisbursementsConfig.ready)."""

from assessments.models import AssessmentPeriod
from core import access
from disbursements import selectors
from disbursements.models import BatchKind, BatchStatus
from disbursements.services.corrections import correction_due
from disbursements.services.workflow import year_frozen


def period_payments(period: AssessmentPeriod, user) -> dict | None:
    """The quarter's batches as the user may see them, and the next step: its batch once it is locked,
    or, once a paid quarter is locked again with other results, its correction."""
    if not access.can(user, "disbursements.view_disbursementbatch"):
        return None
    batches = list(selectors.batches_for_table(user).live().filter(period=period).order_by("pk"))
    district = access.street_scope(user) is True
    can_prepare = district and access.can(user, "disbursements.prepare_batch")
    frozen = year_frozen(period.year.year)
    quarterly = next((b for b in batches if b.kind == BatchKind.QUARTERLY), None)
    paid = quarterly is not None and quarterly.status == BatchStatus.PAID
    pending = any(b.status != BatchStatus.PAID for b in batches)
    generate = can_prepare and period.is_locked and quarterly is None and not frozen
    if not batches and not generate:
        return None
    return {
        "template": "disbursements/includes/period_payments.html",
        "period": period,
        "batches": batches,
        "frozen": frozen,
        "paid": paid,
        "pending": pending,
        "due": correction_due(period) if district and paid and period.is_locked and not frozen else None,
        "can_prepare": can_prepare,
        "generate": generate,
    }
