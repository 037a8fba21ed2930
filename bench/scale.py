"""The main pages on a city ten times the demo district (about 63,000 grids), on PostgreSQL.

    .venv/bin/python bench/scale.py [--reuse-db] [--results FILE]

Recreates the database wangcheng_scale and fills it with bench/scale_data.py (unless --reuse-db), then
times each page through the whole Django stack with the test client, as bench/run.py does (median of
BENCH_RUNS requests, logged in as 中心工作人员, who sees the whole city). Target: median < 300 ms.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchlib import Row, manage, markdown_table, pg_url, recreate_pg_database, time_page, write_rows

DATABASE = "wangcheng_scale"
os.environ["DATABASE_URL"] = pg_url(DATABASE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
LIMIT_MS = 300
PART = "10× city · PostgreSQL"


def measure_pages() -> list[Row]:
    from django.db.models import Count
    from django.test import Client

    from assessments.models import AssessmentPeriod, HotlineComplaint, WhistleTicket
    from core.models import User
    from disbursements.models import DisbursementBatch
    from grids.models import Grid, GridLevel, GridStaff

    grids = Grid.objects.count()
    staff = GridStaff.objects.count()
    tickets = WhistleTicket.objects.count()
    complaints = HotlineComplaint.objects.count()
    q4 = AssessmentPeriod.objects.get(year__year=2022, quarter=4)
    communities = Grid.objects.filter(level=GridLevel.COMMUNITY).count()
    streets = Grid.objects.filter(level=GridLevel.STREET).count()
    largest = (
        Grid.objects.filter(level__gte=GridLevel.LEVEL3)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["community_id"]
    )
    batch = DisbursementBatch.objects.filter(period=q4).get()
    lines = batch.lines.count()
    street = batch.lines.values_list("street_id", flat=True).first()
    pages = [
        (f"grid overview ({grids:,} grids)", "/grids/"),
        (f"grid tree ({streets} streets, {communities:,} communities)", "/grids/tree/"),
        ("grid tree, largest community open", f"/grids/tree/?community={largest}"),
        ("grid list", "/grids/list/"),
        ("grid list, filtered and sorted, page 40", "/grids/list/?level=4&staffed=true&sort=-name&page=40"),
        (f"staff list ({staff:,})", "/grids/staff/"),
        (
            f"zero-complaint page ({communities:,} communities)",
            f"/assessments/periods/{q4.pk}/zero-complaint/",
        ),
        (f"rating overview ({streets} streets)", f"/assessments/periods/{q4.pk}/ratings/"),
        ("rating overview, one street", f"/assessments/periods/{q4.pk}/ratings/?street={street}"),
        ("rating entry, largest community", f"/assessments/periods/{q4.pk}/ratings/{largest}/"),
        (f"complaint list ({complaints:,})", "/assessments/complaints/"),
        (f"ticket list ({tickets:,})", "/assessments/tickets/"),
        (
            "ticket list, filtered and sorted, page 20",
            "/assessments/tickets/?status=closed&sort=grid&page=20",
        ),
        ("ticket statistics", "/assessments/tickets/statistics/"),
        ("budget page", "/funds/?year=2022"),
        ("batch list", "/funds/batches/"),
        (f"batch page ({lines:,} lines), first page", f"/funds/batches/{batch.pk}/"),
        (
            "batch page, one street, 200 lines per page",
            f"/funds/batches/{batch.pk}/?street={street}&per_page=200",
        ),
        ("leaders' dashboard", "/reports/?year=2022"),
        ("self-evaluation page", "/reports/self-evaluation/2022/"),
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="center"))
    rows = []
    for label, url in pages:
        median, queries = time_page(client, url, RUNS)
        row = Row(
            PART,
            f"{label} `{url}`",
            f"< {LIMIT_MS} ms",
            f"{median:.0f} ms median, {queries} queries",
            median < LIMIT_MS,
        )
        print(f"  {row.figure}: {row.measured}", flush=True)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse-db", action="store_true", help=f"measure {DATABASE} as it is")
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    args = parser.parse_args()
    rows = []
    if not args.reuse_db:
        print(f"==> fresh {DATABASE}: migrate, then the 10x city", flush=True)
        recreate_pg_database(DATABASE)
        manage("migrate", "--noinput", env={"DATABASE_URL": pg_url(DATABASE)})
    import django

    django.setup()
    if not args.reuse_db:
        from scale_data import seed_city

        summary = seed_city()
        rows.append(
            Row(
                PART,
                f"generate the city: {summary['grids']:,} grids, {summary['staff']:,} staff, "
                f"{summary['grid ratings']:,} ratings (4 quarters), {summary['complaints']:,} complaints, "
                f"{summary['tickets']:,} tickets, 4 paid batches",
                "< 60 s",
                f"{summary['seconds']:.1f} s",
                summary["seconds"] < 60,
            )
        )
    print(f"==> pages, median of {RUNS}", flush=True)
    rows += measure_pages()
    write_rows(args.results, rows)
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
