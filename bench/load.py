"""Load test: 50 users for 2 minutes against gunicorn and PostgreSQL on loopback, then consistency checks.

    .venv/bin/python bench/load.py [--duration 120] [--workers 4] [--wait 1,3] [--reuse-db] [--results FILE]

1. Recreates the database wangcheng_bench with the 2022 demo data (or reuses it with --reuse-db).
2. Prepares a supply of small 2023 special batches, made and submitted by `center` (so that the
   finance officers may approve them), with two large ones early on: together they ask for about
   twice the 2023 budget, so approvals run into the budget and are refused.
3. Collects the static files and starts gunicorn with DEBUG off (plain HTTP on loopback).
4. Runs the locust users of bench/locustfile.py: logs everyone in, then measures for --duration seconds
   a mix of page views, rating saves on 2023 Q1 (rating-entry form POST) and batch approvals
   (transition POST).
5. Checks the database: every grid's rating is the one its last confirmed save wrote, approved + paid
   2023 batches stay within the 2023 budget, no batch was approved twice, no server error was logged.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchlib import (
    OUT,
    PYTHON,
    ROOT,
    CpuWindow,
    Row,
    demo_database,
    free_port,
    manage,
    markdown_table,
    pg_url,
    recreate_pg_database,
    write_rows,
)

DATABASE = "wangcheng_bench"
os.environ["DATABASE_URL"] = pg_url(DATABASE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")
YEAR = 2023
SMALL_BATCHES = 300  # 10,000 to 20,000 元 each
LARGE_BATCHES = {10: Decimal("1500000.00"), 25: Decimal("1500000.00")}  # position in the supply -> amount
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-load-test-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",  # plain HTTP on loopback only
    "DATABASE_URL": pg_url(DATABASE),
    "LOG_LEVEL": "WARNING",
}


def prepare(seed: int = 6) -> dict:
    """Create the supply of submitted 2023 batches and return the plan the locust users read."""
    from django.db import transaction
    from django.db.models import Count

    from assessments.models import AssessmentPeriod, PeriodStatus
    from core.demo import DEMO_PASSWORD
    from core.models import User
    from disbursements.models import Budget, DisbursementBatch
    from disbursements.services.batches import add_special_line, create_special_batch
    from disbursements.services.workflow import apply_transition
    from grids.models import Grid, GridLevel

    center = User.objects.get(username="center")
    budget = Budget.objects.get(year=YEAR)
    period = AssessmentPeriod.objects.get(year__year=YEAR, quarter=1)
    assert period.status == PeriodStatus.OPEN, "2023 Q1 must be open"
    rng = random.Random(seed)
    communities = list(Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code"))
    amounts = [Decimal(rng.randrange(100, 201) * 100) for _ in range(SMALL_BATCHES)]
    for position, amount in sorted(LARGE_BATCHES.items()):
        amounts.insert(position, amount)
    batches = []
    with transaction.atomic():
        for number, amount in enumerate(amounts, start=1):
            batch = create_special_batch(user=center, year=YEAR, title=f"压测专项拨付 {number:03d}")
            add_special_line(
                user=center, batch=batch, payee=rng.choice(communities), purpose="压测专项经费", amount=amount
            )
            apply_transition(batch=batch, action="submit", user=center)
            batches.append(batch.pk)
    streets = dict(Grid.objects.filter(level=GridLevel.STREET).values_list("name", "pk"))
    largest = {}
    for street in (None, streets["高塘岭街道"], streets["喻家坡街道"]):
        grids = Grid.objects.filter(level=GridLevel.LEVEL4)
        if street:
            grids = grids.filter(street_id=street)
        row = grids.values("community_id").annotate(n=Count("id")).order_by("-n").first()
        largest[str(street) if street else "all"] = row["community_id"]
    quarterly = DisbursementBatch.objects.filter(kind="quarterly", period__year__year=2022).order_by(
        "-period__quarter"
    )
    return {
        "password": DEMO_PASSWORD,
        "period": period.pk,
        "locked_period": AssessmentPeriod.objects.get(year__year=2022, quarter=4).pk,
        "quarterly_batch": quarterly.first().pk,
        "streets": {"street": streets["高塘岭街道"], "street2": streets["喻家坡街道"]},
        "communities": [[c.pk, c.street_id] for c in communities],
        "tree_community": largest,
        "batches": batches,
        "budget": str(budget.amount),
        "requested": str(sum(amounts)),
    }


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen:
    import gunicorn

    manage("collectstatic", "--noinput", "-v0", env=SERVER_ENV)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "wangcheng.wsgi", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}"]
    if gunicorn.version_info >= (27,):
        # Not the default control socket (~/.gunicorn/gunicorn.ctl), which another server may own.
        command.append("--no-control-socket")
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **SERVER_ENV},
        # gunicorn's own log and Django's (a 500 logs "Internal Server Error") go to one file.
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log}")


def check_database(plan: dict, result: dict) -> dict:
    """Compare what the users saw with the database."""
    from django.db.models import Count, Sum

    from assessments.models import GridRating
    from disbursements.models import COMMITTED, BatchStatus, BatchTransition, Budget, DisbursementBatch

    saved = {int(k): v for k, v in result["saved"].items()}
    unknown = set(result["unknown"])
    expected = {grid: values for grid, values in saved.items() if grid not in unknown}
    stored = {
        r["grid_id"]: r
        for r in GridRating.objects.filter(period_id=plan["period"], grid_id__in=expected).values(
            "grid_id", "rating", "score", "remark"
        )
    }
    lost = []
    for grid, (rating, score, remark) in expected.items():
        row = stored.get(grid)
        if row is None or (row["rating"], row["score"], row["remark"]) != (rating, Decimal(score), remark):
            lost.append(grid)

    budget = Budget.objects.get(year=YEAR)
    committed = DisbursementBatch.objects.filter(budget=budget, status__in=COMMITTED).aggregate(
        s=Sum("total")
    )["s"] or Decimal("0")
    twice = (
        BatchTransition.objects.filter(action="approve", batch__budget=budget)
        .values("batch")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    seen_approved = {int(b) for b, outcomes in result["approval_attempts"].items() if "approved" in outcomes}
    # The load test only approves: batches paid before it (the demo's) are not its approvals.
    approved = set(
        DisbursementBatch.objects.filter(budget=budget, status=BatchStatus.APPROVED).values_list(
            "pk", flat=True
        )
    )
    return {
        "grids_checked": len(expected),
        "grids_unknown": len(unknown),
        "lost": lost,
        "budget": budget.amount,
        "committed": committed,
        "approved_twice": twice,
        "approved_in_db": len(approved),
        "approved_seen": len(seen_approved),
        "approvals_seen_but_not_in_db": len(seen_approved - approved),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120, help="measured seconds (default 120)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--wait", default="1,3", help="seconds each user waits between two actions, min,max (default 1,3)"
    )
    parser.add_argument("--reuse-db", action="store_true", help="use wangcheng_bench as it is (fresh demo)")
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    if not args.reuse_db:
        print(f"==> fresh {DATABASE} with the 2022 demo data", flush=True)
        recreate_pg_database(DATABASE)
        demo_database(pg_url(DATABASE))

    import django

    django.setup()
    from django.db import connections

    print("==> preparing submitted 2023 batches", flush=True)
    plan = prepare()
    connections.close_all()
    plan_file, result_file, log = OUT / "load-plan.json", OUT / "load-result.json", OUT / "gunicorn.log"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False))

    port = free_port()
    print(f"==> gunicorn ({args.workers} workers) on 127.0.0.1:{port}, DEBUG off", flush=True)
    server = start_server(port, args.workers, log)
    cpu = CpuWindow().start()
    try:
        print(f"==> locust: 50 users, {args.duration:.0f} s measured, waits of {args.wait} s", flush=True)
        subprocess.run(
            [
                PYTHON,
                str(ROOT / "bench" / "locustfile.py"),
                "--host",
                f"http://127.0.0.1:{port}",
                "--duration",
                str(args.duration),
                "--out",
                str(result_file),
            ],
            cwd=ROOT,
            env={**os.environ, "BENCH_LOAD_PLAN": str(plan_file), "BENCH_WAIT": args.wait},
            check=True,
        )
    finally:
        cpu.stop()
        server_cpu = cpu.used_by(lambda pid, ppid, cmd: server.pid in (pid, ppid))
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    database_cpu = cpu.used_by(lambda pid, ppid, cmd: cmd.startswith("postgres:") and DATABASE in cmd)
    result = json.loads(result_file.read_text())
    locust_cpu = result["cpu_seconds"]
    others = max(cpu.busy - server_cpu - database_cpu - locust_cpu, 0)

    checks = check_database(plan, result)
    server_errors = sum(1 for line in log.read_text().splitlines() if "Internal Server Error" in line)
    print(json.dumps({k: v for k, v in checks.items() if k != "lost"}, default=str, indent=1))
    if result["failures"]:
        print("failures:", *result["failures"][:20], sep="\n  ")

    o = result["outcomes"]
    part = "load · PostgreSQL"
    mix = ", ".join(f"{n} {c}" for c, n in result["classes"].items())
    wait = args.wait.replace(",", "–")
    rows = [
        Row(
            part,
            f"{result['users']} users ({mix}), {wait} s between actions, {result['seconds']:.0f} s measured, "
            f"gunicorn {args.workers} workers",
            "—",
            f"{result['all']['requests']:,} requests, {result['rps']:.1f} req/s",
        ),
    ]
    for key, label in (
        ("all", "p95, all requests"),
        ("pages", "p95, page views"),
        ("saves", "p95, rating saves (rating-entry POST)"),
        ("approvals", "p95, batch approvals (transition POST)"),
    ):
        s = result[key]
        rows.append(
            Row(
                part,
                label,
                "< 500 ms",
                f"{s['p95_ms']:.0f} ms ({s['requests']:,} requests, "
                f"median {s['median_ms']:.0f} ms, max {s['max_ms']:,} ms)",
                s["p95_ms"] < 500,
            )
        )
    rows.append(
        Row(
            part,
            "errors (5xx, unexpected status, missing page message)",
            "0",
            f"{result['all']['failures']} failed requests, {result['failure_count']} problems seen by users, "
            f"{server_errors} server errors logged",
            result["all"]["failures"] == 0 and result["failure_count"] == 0 and server_errors == 0,
        )
    )
    rows.append(
        Row(
            part,
            "lost ratings (each grid holds its last confirmed save)",
            "0",
            f"{len(checks['lost'])} of {checks['grids_checked']:,} grids "
            f"({o.get('rating saves', 0):,} saves of {o.get('grid ratings written', 0):,} grid ratings, "
            f"{o.get('rating saves refused (page message)', 0)} refused)",
            not checks["lost"] and checks["grids_checked"] > 0,
        )
    )
    rows.append(
        Row(
            part,
            f"{YEAR} budget never exceeded (approved + paid ≤ budget)",
            f"≤ {checks['budget']:,.2f}",
            f"{checks['committed']:,.2f}: {o.get('approvals approved', 0)} approved, "
            f"{o.get('approvals refused: over budget', 0)} refused over budget, "
            f"{o.get('approvals refused: not submitted any more', 0)} refused as already handled; "
            f"{checks['approved_twice']} approved twice",
            checks["committed"] <= checks["budget"]
            and checks["approved_twice"] == 0
            and checks["approvals_seen_but_not_in_db"] == 0
            and checks["approved_seen"] == checks["approved_in_db"]
            and o.get("approvals refused: over budget", 0) > 0,
        )
    )
    rows.append(
        Row(
            part,
            "login (PBKDF2), once per user before the measured window",
            "—",
            f"p95 {result['logins']['p95_ms']:.0f} ms ({result['logins']['requests']} logins)",
        )
    )
    share = 100 / cpu.capacity
    rows.append(
        Row(
            part,
            f"CPU while the test ran ({os.cpu_count()} CPUs, {cpu.seconds:.0f} s with the logins)",
            "—",
            f"gunicorn {server_cpu * share:.0f}%, PostgreSQL {database_cpu * share:.0f}%, "
            f"locust {locust_cpu * share:.0f}%, other processes on the machine {others * share:.0f}%",
        )
    )
    write_rows(args.results, rows)
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
