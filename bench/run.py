"""Benchmarks on the full demo data: page times and query counts, roster export, preview and import.

Runs on the database of DATABASE_URL (SQLite by default), which must hold the 2022 demo data:
`DATABASE_URL=... python bench/run.py [--results FILE]`. `bench/run` runs it on a fresh SQLite file
and on a fresh PostgreSQL database, with the load test and the 10x scale pages. Prints one table of
figure, target and measurement (and writes it as JSON with --results). Not part of the test suite.
"""

import argparse
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")

import django

django.setup()

from benchlib import Row, time_page, write_rows  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from assessments.exports import ratings_workbook, tickets_workbook  # noqa: E402
from assessments.importers.hotline import build_complaint_plan  # noqa: E402
from assessments.models import AssessmentPeriod, GridRating, PeriodStatus, WhistleTicket  # noqa: E402
from assessments.services.hotline import import_complaints  # noqa: E402
from assessments.services.ratings import import_ratings  # noqa: E402
from assessments.services.whistle import import_tickets  # noqa: E402
from core.models import User  # noqa: E402
from disbursements.models import BatchLine, DisbursementBatch  # noqa: E402
from disbursements.services.batches import generate_quarterly_batch  # noqa: E402
from grids import exports, services  # noqa: E402
from grids.importers import build_roster_plan  # noqa: E402
from grids.models import Grid, GridLevel  # noqa: E402
from reports.exports import render_self_evaluation_pdf  # noqa: E402
from reports.models import SelfEvaluation  # noqa: E402
from tests.workbooks import (  # noqa: E402
    CITY_EXPORT_HEADERS,
    city_hotline_rows,
    messy_workbook,
    renamed_codes,
    renamed_roster,
)

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
rows: list[tuple[str, str, str, bool | None]] = []


def record(figure: str, target: str, measured: str, met: bool | None = None) -> None:
    rows.append((figure, target, measured, met))
    print(f"  {figure}: {measured}", flush=True)


def bench_page(
    client: Client, label: str, url: str, limit_ms: int | None = 150, max_queries: int | None = 15
) -> None:
    median, queries = time_page(client, url, RUNS)
    target = (
        "—"
        if limit_ms is None
        else f"< {limit_ms} ms" + (f", ≤ {max_queries} queries" if max_queries else "")
    )
    met = None if limit_ms is None else median < limit_ms and (not max_queries or queries <= max_queries)
    record(f"{label} `{url}`", target, f"{median:.0f} ms median, {queries} queries", met)


def bench_assessments(client: Client, user) -> None:
    period = AssessmentPeriod.objects.get(year__year=2022, quarter=4)
    largest = (
        Grid.objects.filter(level__gte=GridLevel.LEVEL3)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["community_id"]
    )
    bench_page(
        client, "rating entry, largest community", f"/assessments/periods/{period.pk}/ratings/{largest}/"
    )
    bench_page(
        client, "zero-complaint page (146 communities)", f"/assessments/periods/{period.pk}/zero-complaint/"
    )
    bench_page(client, "ticket list (12,857)", "/assessments/tickets/")
    bench_page(
        client,
        "ticket list, filtered + sorted, page 20",
        "/assessments/tickets/?status=closed&sort=grid&page=20",
    )

    ratings = ratings_workbook(user, period)
    with transaction.atomic():
        AssessmentPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.OPEN)
        BatchLine.objects.filter(rating__period=period).delete()  # paid lines protect their ratings
        GridRating.history.filter(period_id=period.pk).delete()
        GridRating.objects.filter(period=period).delete()
        period.refresh_from_db()
        start = time.perf_counter()
        plan = import_ratings(user=user, period=period, data=ratings)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    record(
        f"import a quarter of ratings ({len(plan.creates):,} rows)", "< 5 s", f"{elapsed:.2f} s", elapsed < 5
    )

    tickets = renamed_codes(
        tickets_workbook(WhistleTicket.objects.select_related("grid", "street")), {"雷锋哨哨单": (1,)}
    )
    with transaction.atomic():
        # The demo quarters are locked, and no new ticket may be dated in a locked quarter.
        AssessmentPeriod.objects.update(status=PeriodStatus.OPEN)
        start = time.perf_counter()
        plan = import_tickets(user=user, data=tickets)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    record(f"import whistle tickets ({len(plan.creates):,} rows)", "< 10 s", f"{elapsed:.2f} s", elapsed < 10)


def bench_city_hotline_export(user) -> None:
    """A quarter of the city's 12345 platform (20,000 rows, every district, type and time form)."""
    period = AssessmentPeriod.objects.get(year__year=2023, quarter=1)
    communities = list(
        Grid.objects.filter(level=GridLevel.COMMUNITY).values_list("street__name", "name").order_by("code")
    )
    rows, _own = city_hotline_rows(communities, start=period.starts_on, days=89, count=20_000)
    data = messy_workbook(
        CITY_EXPORT_HEADERS, rows, title="长沙市12345政务服务便民热线工单明细", serial=False
    )
    with transaction.atomic():
        start = time.perf_counter()
        plan = build_complaint_plan(data, period=period)
        preview = time.perf_counter() - start
        start = time.perf_counter()
        plan = import_complaints(user=user, data=data, period=period)
        imported = time.perf_counter() - start
        transaction.set_rollback(True)
    record(
        f"city-wide 12345 export ({len(rows):,} rows, {len(plan.creates):,} of this district) preview + import",
        "< 5 s",
        f"{preview + imported:.2f} s (preview {preview:.2f} s, import {imported:.2f} s)",
        preview + imported < 5,
    )


def bench_disbursements(client: Client, user) -> None:
    batch = DisbursementBatch.objects.filter(kind="quarterly").order_by("period__quarter").first()
    lines = batch.lines.count()
    bench_page(client, f"batch page ({lines:,} lines), first page", f"/funds/batches/{batch.pk}/", 200, None)
    bench_page(
        client,
        "batch page, one street, 200 lines per page",
        f"/funds/batches/{batch.pk}/?street={batch.lines.first().street_id}&per_page=200",
        200,
        None,
    )
    bench_page(client, "budget execution page", "/funds/?year=2022", None)

    period = AssessmentPeriod.objects.get(year__year=2022, quarter=4)
    rows = GridRating.objects.filter(period=period).count() + period.zero_complaint_results.count()
    times = []
    for _ in range(3):
        with transaction.atomic():
            # frees the quarter (rolled back below); a voided batch has no 文号
            DisbursementBatch.objects.filter(period=period).update(
                status="cancelled", notice_year=None, notice_seq=None, notice_no=""
            )
            start = time.perf_counter()
            generate_quarterly_batch(user=user, period=period)
            times.append(time.perf_counter() - start)
            transaction.set_rollback(True)
    record(
        f"generate a quarter's batch from {rows:,} assessment rows",
        "< 1 s",
        f"{statistics.median(times):.2f} s median of 3",
        statistics.median(times) < 1,
    )

    start = time.perf_counter()
    response = client.get(f"/funds/batches/{batch.pk}/notice/{batch.lines.first().street_id}.pdf")
    assert response.status_code == 200
    record("拨付通知 PDF for one street", "—", f"{(time.perf_counter() - start) * 1000:.0f} ms")


def bench_reports(client: Client) -> None:
    bench_page(client, "leaders' dashboard", "/reports/?year=2022", None)
    bench_page(client, "self-evaluation page (HTML)", "/reports/self-evaluation/2022/", None)
    evaluation = SelfEvaluation.objects.get(year=2022)
    naive = []
    for _ in range(5):
        start = time.perf_counter()
        render_self_evaluation_pdf(evaluation)
        naive.append(time.perf_counter() - start)
    cache.clear()
    cached = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get("/reports/self-evaluation/2022.pdf")
        cached.append(time.perf_counter() - start)
        assert response.status_code == 200
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    record(
        f"annual PDF ({pages} pages): render every time (naive)",
        "< 2 s median",
        f"{statistics.median(naive):.2f} s median of 5",
        statistics.median(naive) < 2,
    )
    record(
        "annual PDF: download, cached by content (first request renders)",
        "< 2 s median",
        f"{statistics.median(cached):.3f} s median of 5 (first {cached[0]:.2f} s)",
        statistics.median(cached) < 2,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    args = parser.parse_args()
    vendor = connection.vendor
    if Grid.objects.filter(level=GridLevel.LEVEL4).count() < 5000:
        sys.exit("Load the demo data first: python manage.py seed_demo --year 2022")
    print(f"Benchmarks on {vendor}, {RUNS} runs per page")
    user = User.objects.get(username="center")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    largest = (
        Grid.objects.filter(level=GridLevel.COMMUNITY)
        .annotate(n=Count("children"))
        .order_by("-n")
        .values_list("pk", flat=True)
        .first()
    )
    bench_page(client, "grid overview", "/grids/")
    bench_page(client, "grid tree", "/grids/tree/")
    bench_page(client, "grid tree, largest community open", f"/grids/tree/?community={largest}")
    bench_page(client, "grid list", "/grids/list/")
    bench_page(
        client,
        "grid list, filtered and sorted, page 40",
        "/grids/list/?level=4&staffed=true&sort=-name&page=40",
    )
    bench_page(client, "staff list", "/grids/staff/")

    start = time.perf_counter()
    data = exports.roster_workbook(user)
    record("roster export (6,349 grids + staff)", "—", f"{time.perf_counter() - start:.2f} s")

    fresh = renamed_roster(data)
    # Each timed step starts without the garbage of what came before: the openpyxl workbooks that made the
    # file hold some 200,000 objects in cycles, whose collection (0.3 s) otherwise lands in whichever step
    # runs next. Collected before the floor's parse too.
    gc.collect()
    start = time.perf_counter()
    plan = build_roster_plan(fresh)
    preview = time.perf_counter() - start
    assert plan.ok and len(plan.grid_creates) == Grid.objects.count(), plan.errors[:3]
    gc.collect()
    with transaction.atomic():
        start = time.perf_counter()
        services.import_roster(user=user, data=fresh)
        imported = time.perf_counter() - start
        created = Grid.objects.filter(code__startswith="9").count()
        transaction.set_rollback(True)
    record(
        f"roster preview + import ({created:,} new grids, {len(plan.staff_creates):,} staff)",
        "< 5 s",
        f"{preview + imported:.2f} s (preview {preview:.2f} s, import {imported:.2f} s)",
        preview + imported < 5,
    )
    # Its floor (issue 18): openpyxl's read-only parse of the same file, every cell of both sheets.
    gc.collect()
    start = time.perf_counter()
    workbook = load_workbook(io.BytesIO(fresh), read_only=True)
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    workbook.close()
    floor = time.perf_counter() - start
    ratio = (preview + imported) / floor
    record(
        "roster preview + import against openpyxl's read-only parse of the same file",
        "≤ 1.5×",
        f"{ratio:.2f}× ({preview + imported:.2f} s against {floor:.2f} s)",
        ratio <= 1.5,
    )

    bench_assessments(client, user)
    bench_city_hotline_export(user)
    bench_disbursements(client, user)
    bench_reports(client)

    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
    results = [
        Row(f"pages · {name}", figure, target, measured, met) for figure, target, measured, met in rows
    ]
    write_rows(args.results, results)
    print()
    print(f"| figure ({vendor}) | target | measured | met? |")
    print("| --- | --- | --- | --- |")
    for figure, target, measured, met in rows:
        print(f"| {figure} | {target} | {measured} | {'—' if met is None else 'yes' if met else 'no'} |")


if __name__ == "__main__":
    main()
