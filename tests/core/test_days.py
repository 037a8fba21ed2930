"""Local days as ranges of moments (core.days): the same rows as the database's own date conversion."""

import datetime as dt

import pytest

from assessments.models import WhistleTicket
from core.days import day_start, moments_on, month_bounds
from reports.dashboard import monthly_tickets

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# Moments around the edges of local days: 23:59:59 and 00:00 Shanghai time, and a UTC evening that is
# already the next morning in Shanghai.
MOMENTS = [
    dt.datetime(2022, 3, 31, 23, 59, 59, tzinfo=SHANGHAI),
    dt.datetime(2022, 4, 1, 0, 0, tzinfo=SHANGHAI),
    dt.datetime(2022, 3, 31, 17, 30, tzinfo=dt.UTC),  # 2022-04-01 01:30 in Shanghai
    dt.datetime(2022, 3, 31, 15, 59, tzinfo=dt.UTC),  # 2022-03-31 23:59 in Shanghai
    dt.datetime(2022, 1, 1, 0, 0, tzinfo=SHANGHAI),
    dt.datetime(2021, 12, 31, 23, 59, tzinfo=SHANGHAI),
    dt.datetime(2022, 12, 31, 23, 59, tzinfo=SHANGHAI),
    dt.datetime(2022, 12, 31, 16, 0, tzinfo=dt.UTC),  # 2023-01-01 00:00 in Shanghai
]


@pytest.fixture
def tickets(roster):
    a = roster["a"]
    for n, moment in enumerate(MOMENTS):
        WhistleTicket.objects.create(
            number=f"T{n}", grid=a["level4"][0], street=a["street"], reporter="张三", collected_at=moment
        )


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2022, 4, 1), None),
        (None, dt.date(2022, 3, 31)),
        (dt.date(2022, 1, 1), dt.date(2022, 3, 31)),
        (dt.date(2022, 3, 31), dt.date(2022, 3, 31)),
        (dt.date(2022, 10, 1), dt.date(2022, 12, 31)),
    ],
)
@pytest.mark.usefixtures("tickets")
def test_a_range_of_local_days_holds_the_rows_the_date_conversion_gives(first, last):
    converted = WhistleTicket.objects.all()
    if first:
        converted = converted.filter(collected_at__date__gte=first)
    if last:
        converted = converted.filter(collected_at__date__lte=last)
    ranged = WhistleTicket.objects.filter(moments_on("collected_at", first, last))
    assert sorted(ranged.values_list("number", flat=True)) == sorted(
        converted.values_list("number", flat=True)
    )
    assert ranged.exists()


@pytest.mark.usefixtures("tickets")
def test_monthly_counts_read_each_moment_in_local_time():
    counts = {m: row["collected"] for m, row in monthly_tickets(2022).items()}
    # 3月: 23:59:59 and 23:59 local; 4月: 00:00 and 01:30 local; 1月: 00:00 on the 1st; 12月: 23:59 on the 31st
    assert counts == {1: 1, 3: 2, 4: 2, 12: 1}


def test_a_day_starts_at_local_midnight_and_months_end_on_their_last_day():
    assert day_start(dt.date(2022, 4, 1)) == dt.datetime(2022, 3, 31, 16, 0, tzinfo=dt.UTC)
    assert month_bounds(2022, 2) == (dt.date(2022, 2, 1), dt.date(2022, 2, 28))
    assert month_bounds(2024, 2)[1] == dt.date(2024, 2, 29)
    assert month_bounds(2022, 12) == (dt.date(2022, 12, 1), dt.date(2022, 12, 31))
