"""The year's JSON export as a whole process, beside `dumpdata` of the same model with checks skipped.

    DATABASE_URL=... .venv/bin/python bench/json_export.py [--year 2022] [--runs 7] [--results FILE]

On a database holding the demo data (the year's self-evaluation), runs `manage.py export_self_evaluation
--year Y --format json` and `manage.py dumpdata reports.SelfEvaluation --skip-checks`, each to a file, in
turns (so that a busy moment of the machine falls on both), after one warm-up each, and compares their
medians: whole processes, start-up included, as a user or a cron job runs them (issue 18: within 1.5×).
Also starts one process that sets Django up, loads the URLconf and every management command, and reports
whether that imported WeasyPrint (it must not: only rendering a PDF imports it, core/pdf.py). Prints the
figures and writes them as rows with --results. Not part of the test suite; imports no Django itself.
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchlib import PYTHON, ROOT, Row, markdown_table, write_rows

PART = "JSON export vs dumpdata · SQLite"
RATIO_LIMIT = 1.5

# What every page and command loads, without rendering a PDF: settings, apps, the URLconf's views and the
# command modules themselves (a command's module imports what its handle() uses).
START_UP = """
import sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
from django.urls import get_resolver
get_resolver().url_patterns
for name, app in get_commands().items():
    load_command_class(app, name)
print(sorted(m for m in sys.modules if m.split(".")[0] == "weasyprint")[:1])
"""


def run(args: list[str], env: dict) -> float:
    """Run one process to its end; its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (median)")
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    args = parser.parse_args()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wangcheng.settings"}
    manage = [PYTHON, str(ROOT / "manage.py")]

    with tempfile.TemporaryDirectory() as tmp:
        export_file, dump_file = Path(tmp, "export.json"), Path(tmp, "dumpdata.json")
        commands = {
            "export": [
                *manage,
                "export_self_evaluation",
                "--year",
                str(args.year),
                "--format",
                "json",
                "-o",
                str(export_file),
            ],
            "dumpdata": [
                *manage,
                "dumpdata",
                "reports.SelfEvaluation",
                "--skip-checks",
                "-o",
                str(dump_file),
            ],
            "setup": [PYTHON, "-c", "import django; django.setup()"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():
            run(command, env)  # warm the file cache and the .pyc files
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(run(command, env))
        figures = json.loads(export_file.read_text(encoding="utf-8"))
        dumped = [r for r in json.loads(dump_file.read_text()) if r["fields"].get("year") == args.year]
        assert figures and dumped, "the database holds no self-evaluation of the year: load the demo data"

    started = subprocess.run(
        [PYTHON, "-c", START_UP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    weasyprint_loaded = started.stdout.strip() != "[]"

    export, dumpdata, setup = (statistics.median(times[name]) for name in commands)
    ratio = export / dumpdata
    print(f"export_self_evaluation --format json: {export:.2f} s median of {args.runs}")
    print(f"dumpdata reports.SelfEvaluation --skip-checks: {dumpdata:.2f} s median of {args.runs}")
    print(f"ratio {ratio:.2f}×; django.setup() alone {setup:.2f} s")
    rows = [
        Row(
            PART,
            f"`export_self_evaluation --year {args.year} --format json`, whole process, against "
            "`dumpdata reports.SelfEvaluation --skip-checks`",
            f"≤ {RATIO_LIMIT}×",
            f"{ratio:.2f}× ({export:.2f} s against {dumpdata:.2f} s, medians of {args.runs}; "
            f"`django.setup()` alone {setup:.2f} s)",
            ratio <= RATIO_LIMIT,
        ),
        Row(
            PART,
            "WeasyPrint imported by start-up, the URLconf and every management command (no PDF rendered)",
            "not imported",
            "imported" if weasyprint_loaded else "not imported",
            not weasyprint_loaded,
        ),
    ]
    print()
    print(markdown_table(rows))
    write_rows(args.results, rows)


if __name__ == "__main__":
    main()
