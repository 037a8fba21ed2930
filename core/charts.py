"""Chart.js data shared by the dashboards (drawn by static/js/charts.js from json_script blocks)."""

from decimal import Decimal


def chart_value(value: Decimal | int | None) -> float | None:
    """A number for chart JSON; money stays Decimal everywhere else."""
    return None if value is None else float(value)  # chart data only: JSON has no decimal type
