"""Plain value types passed from forms and importers to the services."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RatingInput:
    grid_id: int
    rating: str
    score: Decimal | None = None
    remark: str = ""


@dataclass(frozen=True)
class RatingNote:
    """A score and remark typed beside a grid that is left for the bulk rating of its community."""

    score: Decimal | None = None
    remark: str = ""
