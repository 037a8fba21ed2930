"""The whole district's roster in a street's one-sheet, names-only layout: preview and confirm.

    .venv/bin/python bench/roster_import.py [--db /tmp/bench_roster.sqlite3] [--results FILE]

Builds the 2022 demo roster (14 / 146 / 725 / 5,464 grids with their staff, grids.demo) on its own SQLite
file, writes it as a street would keep it (one row per level-4 grid: 街镇, 村（社区）, 三级网格, 四级网格,
网格员, 网格长 and 三级网格指导员 with their phones, no codes; title rows, a merged two-row header, a
合计/填表人 footer), then:
- removes the level-3 and level-4 grids and their staff, and times the preview (build_roster_plan) and the
  confirm (services.import_roster, which reads the file again) that create them anew from names alone;
  the codes given must be the demo's own (the scheme of grids.rules.ChildCodes);
- times the preview of the same file again, which must find nothing to change.
Target (issue 10): preview + confirm < 5 s. Not part of the test suite.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PART = "roster by names · SQLite"
LIMIT_S = 5


def setup(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    apps.get_app_config("grids").seed_demo(year=2022)


def street_workbook() -> tuple[bytes, int]:
    """The demo roster as one sheet of names, one row per level-4 grid; returns (xlsx, rows)."""
    from grids.models import Grid, GridLevel, GridStaff, StaffRole
    from tests.workbooks import messy_workbook

    grids = {g.pk: g for g in Grid.objects.only("pk", "name", "level", "parent_id", "kind")}
    staff = {(s.grid_id, s.role): s for s in GridStaff.objects.all()}

    def person(grid_id: int, role: str) -> list:
        found = staff.get((grid_id, role))
        return [found.name, found.phone] if found else [None, None]

    rows = []
    for building in sorted((g for g in grids.values() if g.level == GridLevel.LEVEL4), key=lambda g: g.pk):
        level3 = grids[building.parent_id]
        community = grids[level3.parent_id]
        street = grids[community.parent_id]
        rows.append(
            [
                street.name,
                community.name,
                community.get_kind_display(),
                level3.name,
                building.name,
                *person(building.pk, StaffRole.WORKER),
                *person(level3.pk, StaffRole.HEAD),
                *person(level3.pk, StaffRole.INSTRUCTOR),
            ]
        )
    headers = [
        "街道",
        "社区",
        "类型",
        "三级网格",
        "四级网格",
        "姓名",
        "联系电话",
        "姓名",
        "电话",
        "姓名",
        "电话",
    ]
    groups = [("网格名称", 3, 4), ("网格员", 5, 6), ("网格长", 7, 8), ("三级网格指导员", 9, 10)]
    data = messy_workbook(headers, rows, title="望城区网格员花名册（2022年）", groups=groups)
    return data, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/bench_roster.sqlite3", help="the SQLite file to (re)create")
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    args = parser.parse_args()
    print(f"Demo roster on {args.db} …", flush=True)
    setup(Path(args.db))

    from benchlib import Row, markdown_table, write_rows
    from django.db import transaction

    from core.models import User
    from grids import services
    from grids.importers import build_roster_plan
    from grids.models import Grid, GridLevel, GridStaff

    user = User.objects.get(username="center")
    data, row_count = street_workbook()
    demo_codes = dict(Grid.objects.filter(level__gte=GridLevel.LEVEL3).values_list("code", "name"))
    print(f"Workbook: {row_count:,} rows, {len(data) / 1024:.0f} KB", flush=True)

    with transaction.atomic():
        GridStaff.objects.all().delete()
        Grid.objects.filter(level=GridLevel.LEVEL4).delete()
        Grid.objects.filter(level=GridLevel.LEVEL3).delete()
    start = time.perf_counter()
    plan = build_roster_plan(data)
    preview = time.perf_counter() - start
    assert plan.ok, [str(e) for e in plan.errors[:5]]
    start = time.perf_counter()
    services.import_roster(user=user, data=data)
    confirm = time.perf_counter() - start
    created = dict(Grid.objects.filter(level__gte=GridLevel.LEVEL3).values_list("code", "name"))
    same_codes = created == demo_codes
    staff = GridStaff.objects.count()

    start = time.perf_counter()
    again = build_roster_plan(data)
    repeat = time.perf_counter() - start
    no_op = again.ok and not again.has_changes

    total = preview + confirm
    rows = [
        Row(
            PART,
            f"one-sheet roster by names: preview + confirm ({len(plan.grid_creates):,} new grids, "
            f"{len(plan.staff_creates):,} staff from {row_count:,} rows)",
            f"< {LIMIT_S} s",
            f"{total:.2f} s (preview {preview:.2f} s, confirm {confirm:.2f} s)",
            total < LIMIT_S and same_codes and staff == len(plan.staff_creates),
        ),
        Row(
            PART,
            "the same roster again: preview finds nothing to change",
            f"< {LIMIT_S} s, no change",
            f"{repeat:.2f} s, {'no change' if no_op else 'CHANGES'} "
            f"({again.grid_unchanged:,} grids, {again.staff_unchanged:,} staff unchanged)",
            repeat < LIMIT_S and no_op,
        ),
    ]
    print(f"New codes equal the demo's own: {'yes' if same_codes else 'NO'}")
    print()
    print(markdown_table(rows))
    write_rows(args.results, rows)


if __name__ == "__main__":
    main()
