"""Our lists beside the Django admin changelist of the same model (issue 18): page times and query counts.

    DATABASE_URL=... .venv/bin/python bench/lists.py [--superuser] [--results FILE] [--profile URL]

On the 2022 demo data (load it first), with DEBUG off. Each list is requested at 50 and 100 rows a page and
with a search, ours as 中心工作人员 (`center`, the whole district) and the admin's as 系统管理员 (`admin`,
who uses the admin site here), both users whose permissions come from their group; batch lines, which
系统管理员 may not see, as a superuser (made for the run and rolled back). With --superuser every admin
page is requested as the superuser, whose permission checks cost nothing: the stricter comparison. The
two requests take turns, so that both see the same machine; the median of BENCH_RUNS (15) each. The
grid and staff lists are compared with their registered ModelAdmins as they are. Tickets, complaints and a
batch's lines have none (they are written only through the app's pages), so a read-only ModelAdmin showing
the list's columns, ordering and search is registered here for the run only, on the default admin site.
Target: ours ≤ 1.0× the admin's median, and the query count the same at 50 and 100 rows.
Not part of the test suite.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")

import django

django.setup()

from benchlib import Row, write_rows  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessments.models import HotlineComplaint, WhistleTicket  # noqa: E402
from assessments.tables import ComplaintTable, TicketTable  # noqa: E402
from core.admin import ReadOnlyAdmin  # noqa: E402
from core.models import User  # noqa: E402
from disbursements.models import BatchLine, DisbursementBatch  # noqa: E402
from disbursements.tables import LineTable  # noqa: E402
from grids.models import Grid, GridLevel, GridStaff  # noqa: E402

PART = "lists vs admin · SQLite"
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
settings.DEBUG = False  # as served: no query log kept, no debug context


class TicketAdmin(ReadOnlyAdmin):
    list_display = TicketTable.Meta.fields
    list_select_related = ["street", "grid"]
    search_fields = ["^number", "^grid__code", "grid__name", "description"]
    ordering = ["-collected_at"]


class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ComplaintTable.Meta.fields
    list_select_related = ["street", "community"]
    search_fields = ["^ticket_no", "content"]
    ordering = ["-received_at"]


class LineAdmin(ReadOnlyAdmin):
    list_display = [name for name in LineTable.Meta.fields if name != "adjustment"]  # a quarter's batch
    list_select_related = ["street", "community", "grid"]
    list_filter = ["batch"]
    search_fields = ["community__name", "grid__name", "^grid__code", "reason"]
    ordering = ["street__code"]


def register_bench_admins() -> None:
    # admin.site.urls is read when the URLconf is first imported: register before the first request.
    assert "wangcheng.urls" not in sys.modules, "register before the URLconf is loaded"
    for model, model_admin in ((WhistleTicket, TicketAdmin), (HotlineComplaint, ComplaintAdmin)):
        if not admin.site.is_registered(model):
            admin.site.register(model, model_admin)
    if not admin.site.is_registered(BatchLine):
        admin.site.register(BatchLine, LineAdmin)


@dataclass
class Pair:
    list_name: str
    case: str  # "50 rows", "100 rows", "search"
    ours: str
    theirs: str
    model: type
    per_page: int


def pairs() -> list[Pair]:
    street = Grid.objects.filter(level=GridLevel.STREET).order_by("code").values_list("code", flat=True)[4]
    batch = (
        DisbursementBatch.objects.filter(kind="quarterly")
        .annotate(n=Count("lines"))
        .order_by("period__quarter")
        .first()
    )
    lists = [
        ("grid list", "/grids/list/", "/admin/grids/grid/", Grid),
        ("staff list", "/grids/staff/", "/admin/grids/gridstaff/", GridStaff),
        ("ticket list", "/assessments/tickets/", "/admin/assessments/whistleticket/", WhistleTicket),
        (
            "complaint list",
            "/assessments/complaints/",
            "/admin/assessments/hotlinecomplaint/",
            HotlineComplaint,
        ),
        (
            f"batch lines ({batch.n:,})",
            f"/funds/batches/{batch.pk}/",
            f"/admin/disbursements/batchline/?batch__id__exact={batch.pk}",
            BatchLine,
        ),
    ]
    # A search that fills a page in both: a street's code prefix (grids, staff, tickets and lines match by
    # their grid's code), a month's 12345 numbers for the complaints.
    search = {HotlineComplaint: "202212"}
    result = []
    for name, ours, theirs, model in lists:
        join = "&" if "?" in theirs else "?"
        q = search.get(model, street)
        result += [
            Pair(name, "50 rows", f"{ours}?per_page=50", theirs, model, 50),
            Pair(name, "100 rows", f"{ours}?per_page=100", theirs, model, 100),
            Pair(name, f"search “{q}”", f"{ours}?q={q}", f"{theirs}{join}q={q}", model, 50),
        ]
    return result


def time_pair(ours: Client, theirs: Client, pair: Pair) -> tuple[float, int, float, int]:
    """Both pages RUNS times, taking turns after a warm-up: (our median ms, queries, admin's, queries)."""
    admin.site.get_model_admin(pair.model).list_per_page = pair.per_page
    timings: dict[str, list[float]] = {"ours": [], "theirs": []}
    counts = {}
    for client, url in ((ours, pair.ours), (theirs, pair.theirs)):
        assert client.get(url).status_code == 200, url
    for _ in range(RUNS):
        for key, client, url in (("ours", ours, pair.ours), ("theirs", theirs, pair.theirs)):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings[key].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            counts[key] = len(queries)
    return (
        statistics.median(timings["ours"]),
        counts["ours"],
        statistics.median(timings["theirs"]),
        counts["theirs"],
    )


def profile(client: Client, url: str) -> None:
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(RUNS):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    if os.environ.get("BENCH_CALLEES"):
        stats.print_callees(os.environ["BENCH_CALLEES"])
    if os.environ.get("BENCH_CALLERS"):
        stats.print_callers(os.environ["BENCH_CALLERS"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    parser.add_argument(
        "--profile",
        metavar="URL",
        help="profile RUNS requests of a page instead (BENCH_CALLEES=regex: callees, BENCH_CALLERS=regex: callers)",
    )
    parser.add_argument("--only", help="only the lists whose name contains this")
    parser.add_argument("--superuser", action="store_true", help="every admin page as a superuser")
    args = parser.parse_args()
    if Grid.objects.filter(level=GridLevel.LEVEL4).count() < 5000:
        sys.exit("Load the demo data first: python manage.py seed_demo --year 2022")
    register_bench_admins()
    with transaction.atomic():
        ours = Client(HTTP_HOST="127.0.0.1")
        ours.force_login(User.objects.get(username="center"))
        role, superuser = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
        role_user = User.objects.get(username="admin")
        role.force_login(role_user)
        superuser.force_login(User.objects.create_superuser("bench-lists", password=None))

        def admin_client(model) -> tuple[Client, str]:
            allowed = role_user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
            return (role, "系统管理员") if allowed and not args.superuser else (superuser, "superuser")

        if args.profile:
            profile(superuser if args.profile.startswith("/admin/") else ours, args.profile)
        else:
            compare(ours, admin_client, args)
        transaction.set_rollback(True)


def compare(ours: Client, admin_client, args) -> None:
    print(f"Lists vs the admin on {connection.vendor}, {RUNS} runs each, taking turns")
    rows, queries = [], {}
    for pair in pairs():
        if args.only and args.only not in pair.list_name:
            continue
        client, who = admin_client(pair.model)
        mine, mine_q, admin_ms, admin_q = time_pair(ours, client, pair)
        ratio = mine / admin_ms
        queries.setdefault(pair.list_name, {})[pair.case] = (mine_q, admin_q)
        figure = f"{pair.list_name}, {pair.case} `{pair.ours}`"
        measured = (
            f"{mine:.0f} ms vs {admin_ms:.0f} ms admin as {who} ({ratio:.2f}×); {mine_q} vs {admin_q} queries"
        )
        rows.append(Row(PART, figure, "≤ 1.0× admin", measured, ratio <= 1.0))
        print(f"  {figure}: {measured}", flush=True)
    for name, cases in queries.items():
        flat = cases.get("50 rows") is None or cases["50 rows"][0] == cases.get("100 rows", (None,))[0]
        measured = ", ".join(f"{case}: {q[0]} (admin {q[1]})" for case, q in cases.items())
        rows.append(Row(PART, f"{name}: queries at 50 and 100 rows", "the same", measured, flat))
    write_rows(args.results, rows)
    print()
    print("| list, case | target | measured | met? |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.figure} | {row.target} | {row.measured} | {'yes' if row.met else 'no'} |")


if __name__ == "__main__":
    main()
