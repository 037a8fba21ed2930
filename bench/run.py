"""Benchmarks on the full demo data: page times and query counts, roster export, preview and import.

Run with `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench`. Prints one table of
figure, target and measurement. Not part of the test suite: timings are only printed here.
"""

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

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from core.models import User  # noqa: E402
from core.xlsx_write import to_bytes  # noqa: E402
from grids import exports, services  # noqa: E402
from grids.importers import build_roster_plan  # noqa: E402
from grids.models import Grid, GridLevel  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
rows: list[tuple[str, str, str]] = []


def record(figure: str, target: str, measured: str) -> None:
    rows.append((figure, target, measured))
    print(f"  {figure}: {measured}", flush=True)


def bench_page(client: Client, label: str, url: str) -> None:
    client.get(url)  # warm caches and connections
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    record(
        f"{label} `{url}`",
        "< 150 ms, ≤ 15 queries",
        f"{statistics.median(times):.0f} ms median, {len(queries)} queries",
    )


def renamed_roster(data: bytes) -> bytes:
    """The exported roster with every code prefixed, so that importing it creates all grids anew."""
    workbook = load_workbook(io.BytesIO(data))
    for ws, code_columns in ((workbook["网格"], (4, 6)), (workbook["网格人员"], (1,))):
        for row in ws.iter_rows(min_row=2):
            for col in code_columns:
                cell = row[col - 1]
                if cell.value:
                    cell.value = f"B{cell.value}"
    return to_bytes(workbook)


def main() -> None:
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
    start = time.perf_counter()
    plan = build_roster_plan(fresh)
    preview = time.perf_counter() - start
    assert plan.ok and len(plan.grid_creates) == Grid.objects.count(), plan.errors[:3]
    with transaction.atomic():
        start = time.perf_counter()
        services.import_roster(user=user, data=fresh)
        imported = time.perf_counter() - start
        created = Grid.objects.filter(code__startswith="B").count()
        transaction.set_rollback(True)
    record(
        f"roster preview + import ({created:,} new grids, {len(plan.staff_creates):,} staff)",
        "< 5 s",
        f"{preview + imported:.2f} s (preview {preview:.2f} s, import {imported:.2f} s)",
    )

    print()
    print(f"| figure ({vendor}) | target | measured |")
    print("| --- | --- | --- |")
    for figure, target, measured in rows:
        print(f"| {figure} | {target} | {measured} |")


if __name__ == "__main__":
    main()
