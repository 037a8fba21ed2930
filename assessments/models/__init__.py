from assessments.models.choices import Rating
from assessments.models.hotline import HotlineComplaint, ZeroComplaintResult
from assessments.models.periods import (
    AssessmentPeriod,
    AssessmentYear,
    PeriodStatus,
    RatingReward,
    StreetQuota,
)
from assessments.models.ratings import GridRating
from assessments.models.whistle import TicketStatus, WhistleTicket

__all__ = [
    "AssessmentPeriod",
    "AssessmentYear",
    "GridRating",
    "HotlineComplaint",
    "PeriodStatus",
    "Rating",
    "RatingReward",
    "StreetQuota",
    "TicketStatus",
    "WhistleTicket",
    "ZeroComplaintResult",
]
