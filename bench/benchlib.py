"""What the benchmark scripts share: results rows, the benchmark databases, subprocess helpers.

Nothing here imports Django, so that the load-test driver (gevent) and the table printer can use it.
"""

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# The only databases the benchmarks create, fill and drop.
BENCH_DATABASES = ("wangcheng_bench", "wangcheng_scale")


@dataclass
class Row:
    part: str
    figure: str
    target: str
    measured: str
    met: bool | None = None  # None: a figure without a target


def write_rows(path: str | Path | None, rows: list[Row]) -> None:
    if not path:
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))


def read_rows(path: str | Path) -> list[Row]:
    return [Row(**r) for r in json.loads(Path(path).read_text())]


def met_label(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def markdown_table(rows: list[Row], *, with_part: bool = True) -> str:
    head = (
        ["part", "figure", "target", "measured", "met?"]
        if with_part
        else ["figure", "target", "measured", "met?"]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in rows:
        cells = [r.figure, r.target, r.measured, met_label(r.met)]
        lines.append("| " + " | ".join([r.part, *cells] if with_part else cells) + " |")
    return "\n".join(lines)


def pg_url(database: str) -> str:
    assert database in BENCH_DATABASES, database
    return f"{PG_SERVER}/{database}"


def psql(database: str, sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True) as connection:
        connection.execute(sql)


def recreate_pg_database(database: str) -> None:
    """Drop and create one of the benchmark databases (never any other)."""
    assert database in BENCH_DATABASES, database
    psql("postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{database}"')


def manage(*args: str, env: dict | None = None, quiet: bool = True) -> None:
    """Run a manage.py command in a subprocess with the given environment additions."""
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def demo_database(url: str) -> None:
    """Migrate an empty database and load the 2022 demo district into it."""
    env = {"DATABASE_URL": url}
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", "--year", "2022", env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CpuWindow:
    """CPU time used on the machine between start() and stop(), and how much of it by given processes.

    The benchmarks share the machine: another job's CPU use slows the server down, so the load test
    reports it next to its figures. Linux only (/proc).
    """

    def start(self) -> "CpuWindow":
        self.started, (self.busy0, self.procs0) = time.monotonic(), _cpu_ticks()
        return self

    def stop(self) -> "CpuWindow":
        self.seconds, (self.busy1, self.procs1) = time.monotonic() - self.started, _cpu_ticks()
        return self

    def used_by(self, match) -> float:
        """CPU seconds of the processes, alive at the end, whose (pid, parent pid, command line) match."""
        ticks = 0
        for pid, (ppid, command, now) in self.procs1.items():
            if match(pid, ppid, command):
                before = self.procs0.get(pid)
                ticks += now - (before[2] if before and before[1] == command else 0)
        return ticks / os.sysconf("SC_CLK_TCK")

    @property
    def busy(self) -> float:
        return (self.busy1 - self.busy0) / os.sysconf("SC_CLK_TCK")

    @property
    def capacity(self) -> float:
        return self.seconds * (os.cpu_count() or 1)


def _cpu_ticks() -> tuple[int, dict[int, tuple[int, str, int]]]:
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    procs = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
            with open(f"/proc/{name}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        procs[int(name)] = (int(fields[1]), command, int(fields[11]) + int(fields[12]))
    return user + nice + system + irq + softirq + steal, procs


def fresh_demo(url: str) -> None:
    """Recreate a benchmark database (a SQLite file, or wangcheng_bench/_scale) with the 2022 demo data."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        recreate_pg_database(url.rsplit("/", 1)[1])
    demo_database(url)


def print_table(paths: list[str], seconds: float | None, failed: list[str]) -> None:
    rows = [row for path in paths if Path(path).exists() for row in read_rows(path)]
    rows += [
        Row(part, "the part stopped with an error (see its output above)", "—", "—", False) for part in failed
    ]
    print()
    print(markdown_table(rows))
    targets = [r for r in rows if r.met is not None]
    print()
    print(f"{sum(r.met for r in targets)} of {len(targets)} targets met.", end="")
    if seconds is not None:
        print(f" Total wall time {int(seconds // 60)} min {int(seconds % 60)} s.", end="")
    print()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Helpers for bench/run.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="recreate a benchmark database with the 2022 demo data")
    demo.add_argument("url")
    table = commands.add_parser("table", help="print the rows of the parts as one table")
    table.add_argument("paths", nargs="*")
    table.add_argument("--seconds", type=float)
    table.add_argument("--failed", action="append", default=[], help="a part that stopped with an error")
    args = parser.parse_args()
    if args.command == "demo":
        fresh_demo(args.url)
    else:
        print_table(args.paths, args.seconds, args.failed)


if __name__ == "__main__":
    main()


def time_page(client, url: str, runs: int, *, kept: bool = False) -> tuple[float, int]:
    """GET a page `runs` times after one warm-up: the median in ms and the queries of the last request.

    Every kept result (core.changes: the lists' tables, the report figures) is forgotten before each request,
    so the figure is the page as first seen after a write; kept=True times it seen again unchanged.
    For the page benchmarks, which have set Django up (this module itself does not import Django).
    """
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import changes

    assert client.get(url).status_code == 200, url  # warm caches and connections
    times = []
    for _ in range(runs):
        if not kept:
            changes.forget_all()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries)
