"""What the crash tests (tests/test_crash_safety.py) run in a process of their own, so that they can kill it
(SIGKILL) or cut its database connection in the middle: `python -m tests.fault_actions ACTION` against
DATABASE_URL. ACTION is

- world: the little district the others act on: two streets (tests/conftest.py's roster), center staff and
  a finance officer, 2022 with its budget, Q1 and Q2 rated and locked, Q2's batch generated and submitted;
- import: a roster workbook (two level-4 grids, each with its 网格员) uploaded and confirmed through the
  pages, as center staff do (the confirm runs as a background job: JOBS_RUNNER=eager runs it here);
- generate: Q1's batch generated from its locked results;
- approve: Q2's submitted batch approved by finance.

Each prints ACTION COMPLETE when it has finished.
"""

import io
import os
import sys

GRID_HEADERS = ["网格编码", "网格名称", "层级", "上级网格编码", "村（社区）类型"]
STAFF_HEADERS = ["网格编码", "姓名", "职务", "联系电话", "在岗"]
IMPORTED_CODES = ("9100001", "9100002")


def world() -> None:
    from decimal import Decimal

    from assessments.entries import RatingInput
    from assessments.services.periods import ensure_year, lock_period
    from assessments.services.ratings import save_ratings
    from core.roles import Role
    from disbursements.models import Budget
    from disbursements.services.batches import generate_quarterly_batch
    from disbursements.services.workflow import submit_batch
    from tests.factories import UserFactory, two_street_roster

    grids = [grid for part in two_street_roster().values() for grid in (part["level3"], *part["level4"])]
    center = UserFactory(username="center", role=Role.CENTER_STAFF)
    UserFactory(username="finance", role=Role.FINANCE)
    year = ensure_year(year=2022)
    Budget.objects.create(year=2022, amount=Decimal("4000000.00"))
    levels = ["excellent", "qualified", "basic"]
    for quarter in (1, 2):
        period = year.periods.get(quarter=quarter)
        entries = [RatingInput(grid.pk, levels[i % 3]) for i, grid in enumerate(grids)]
        save_ratings(user=center, period=period, entries=entries)
        lock_period(user=center, period=period)
    batch = generate_quarterly_batch(user=center, period=year.periods.get(quarter=2))
    submit_batch(batch=batch, user=center)


def roster_workbook(level3_code: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "网格"
    sheet.append(GRID_HEADERS)
    staff = workbook.create_sheet("网格人员")
    staff.append(STAFF_HEADERS)
    for n, code in enumerate(IMPORTED_CODES, start=1):
        sheet.append([code, f"断电测试{n}组", "四级网格", level3_code, None])
        staff.append([code, f"断电测试员{n}", "网格员", f"1380000000{n}", "是"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_roster() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from core.models import Job, User
    from grids.models import Grid

    client = Client()
    client.force_login(User.objects.get(username="center"))
    level3 = Grid.objects.filter(level=3).order_by("code").first()
    upload = SimpleUploadedFile("花名册.xlsx", roster_workbook(level3.code))
    response = client.post("/grids/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    confirm = client.post(response["Location"])
    assert confirm.status_code == 302, confirm.content.decode()[:2000]
    job = Job.objects.order_by("-created_at").first()
    if job.status != Job.Status.DONE:
        raise SystemExit(f"job {job.status}: {job.message}")


def generate() -> None:
    from assessments.models import AssessmentPeriod
    from core.models import User
    from disbursements.services.batches import generate_quarterly_batch

    period = AssessmentPeriod.objects.get(year__year=2022, quarter=1)
    generate_quarterly_batch(user=User.objects.get(username="center"), period=period)


def approve() -> None:
    from core.models import User
    from disbursements.models import DisbursementBatch
    from disbursements.services.workflow import approve_batch

    batch = DisbursementBatch.objects.get(period__year__year=2022, period__quarter=2)
    approve_batch(batch=batch, user=User.objects.get(username="finance"))


ACTIONS = {"world": world, "import": import_roster, "generate": generate, "approve": approve}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")
    import django

    django.setup()
    ACTIONS[sys.argv[1]]()
    print("ACTION COMPLETE", flush=True)
