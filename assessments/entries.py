"""Plain value types passed from forms and importers to the services."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RatingInput:
    grid_id: int
    rating: str
    score: Decimal | None = None
    remark: str = ""
