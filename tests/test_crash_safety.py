"""Faults leave nothing half-written (issue 20): a roster import's confirm, a batch's generation and its
approval, each run in a process of its own (tests/fault_actions.py) and stopped in the middle of its
transaction — the process killed (SIGKILL, a machine that dies) or its database connection terminated from
another one (pg_terminate_backend, a database restarted or a network cut). Then the database holds none of
the change, and the action, run again, makes all of it once.

The middle is found without a hook in the code: the test holds a SHARE lock on the table each action writes
last, so the action's transaction, having written its first rows, waits on it; the test checks that it is
waiting there with those rows written (its RowExclusiveLock on the first table), then strikes.

PostgreSQL only (its locks and backends), on a database of the test's own, cloned for each case from a
template (tests/fresh_db.py), so these run in both CI passes.
"""

import os
import signal
import subprocess
import time
from dataclasses import dataclass

import psycopg
import pytest

from tests.cluster import ROOT
from tests.fault_actions import IMPORTED_CODES
from tests.fresh_db import PYTHON, FreshDatabase, admin_connection

pytestmark = pytest.mark.slow


@dataclass
class Case:
    action: str
    first: str  # a table the action writes early in its transaction
    last: str  # the table it writes last, held by the test
    state: str  # SQL: what of the action's change is in the database
    none: tuple
    done: tuple


BATCH_Q = """
    FROM disbursements_disbursementbatch b JOIN assessments_assessmentperiod p ON p.id = b.period_id
    WHERE p.quarter = {quarter}
"""
CASES = {
    "import": Case(
        "import",
        first="grids_grid",
        last="grids_gridstaff",
        state=f"""SELECT (SELECT count(*) FROM grids_grid WHERE code IN {IMPORTED_CODES}),
                         (SELECT count(*) FROM grids_gridstaff s JOIN grids_grid g ON g.id = s.grid_id
                          WHERE g.code IN {IMPORTED_CODES})""",
        none=(0, 0),
        done=(2, 2),
    ),
    "generate": Case(
        "generate",
        first="disbursements_batchline",
        last="disbursements_batchtransition",
        state=f"""SELECT count(*),
                         (SELECT count(*) FROM disbursements_batchline l WHERE l.batch_id IN
                             (SELECT b.id {BATCH_Q.format(quarter=1)})) > 0,
                         (SELECT count(*) FROM disbursements_batchtransition t WHERE t.batch_id IN
                             (SELECT b.id {BATCH_Q.format(quarter=1)}))
                  {BATCH_Q.format(quarter=1)}""",
        none=(0, False, 0),
        done=(1, True, 1),
    ),
    "approve": Case(
        "approve",
        first="disbursements_disbursementbatch",
        last="disbursements_batchtransition",
        state=f"""SELECT b.status, b.approved_by_id IS NOT NULL,
                         (SELECT count(*) FROM disbursements_batchtransition t
                          WHERE t.batch_id = b.id AND t.action = 'approve')
                  {BATCH_Q.format(quarter=2)}""",
        none=("submitted", False, 0),
        done=("approved", True, 1),
    ),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    database = FreshDatabase.create("crash_template", tmp_path_factory.mktemp("crash"), "postgresql")
    database.manage("migrate", "--noinput", "-v0")
    database.run("-m", "tests.fault_actions", "world")
    yield database
    database.drop()


@pytest.fixture
def world(template, tmp_path):
    database = FreshDatabase.create("crash", tmp_path, "postgresql", template=template.name)
    yield database
    database.drop()


def state(world, case: Case) -> tuple:
    with psycopg.connect(world.url) as connection:
        return connection.execute(case.state).fetchone()


def waiting_backend(world, case: Case, process, seconds: float = 90) -> int:
    """The action's backend once it waits for the held table, having written to the first one."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(world.url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            row = connection.execute(
                """SELECT a.pid, a.query FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
                   WHERE a.datname = current_database() AND NOT l.granted AND l.relation = %s::regclass""",
                (case.last,),
            ).fetchone()
            if row:
                pid, query = row
                # The rows go in by INSERT, or by COPY (core.bulk.insert_rows on PostgreSQL).
                written = tuple(f'{verb} "{case.last.upper()}"' for verb in ("INSERT INTO", "COPY"))
                assert query.lstrip().upper().startswith(written), query
                modes = connection.execute(
                    "SELECT mode FROM pg_locks WHERE pid = %s AND relation = %s::regclass AND granted",
                    (pid, case.first),
                ).fetchall()
                assert ("RowExclusiveLock",) in modes, f"{case.action} has not written {case.first}: {modes}"
                return pid
            if process.poll() is not None:
                raise AssertionError(f"{case.action} ended before the held table:\n{process.stdout.read()}")
            time.sleep(0.1)
    raise AssertionError(f"{case.action} never reached {case.last} within {seconds} s")


def wait_gone(world, pid: int, seconds: float = 60) -> None:
    """Until the backend has ended (a killed client's backend ends at its next read of the socket)."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(world.url, autocommit=True) as connection:
        while connection.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} still there after {seconds} s"
            time.sleep(0.1)


def strike(world, case: Case, how: str) -> tuple[int, str]:
    """Run the action, stop it mid-transaction by `how`, and return its exit code and output."""
    holder = psycopg.connect(world.url)
    holder.execute(f"LOCK TABLE {case.last} IN SHARE MODE")  # held until rollback, below
    process = subprocess.Popen(
        [PYTHON, "-m", "tests.fault_actions", case.action],
        cwd=ROOT,
        env=world.env(ALLOWED_HOSTS="testserver"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        pid = waiting_backend(world, case, process)
        assert state(world, case) == case.none  # the rows written so far are not visible: not committed
        if how == "kill":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            with admin_connection() as admin:
                assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        output, _ = process.communicate(timeout=60)
    finally:
        holder.rollback()  # the killed client's backend goes on, finds its client gone, and rolls back
        holder.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    wait_gone(world, pid)
    return process.returncode, output


@pytest.mark.parametrize("how", ["kill", "terminate"])
@pytest.mark.parametrize("action", CASES)
def test_an_action_stopped_midway_leaves_nothing_and_can_be_done_again(world, action, how):
    case = CASES[action]
    assert state(world, case) == case.none
    code, output = strike(world, case, how)
    assert "ACTION COMPLETE" not in output
    if how == "kill":
        assert code == -signal.SIGKILL
    elif action == "import":  # the job saw its connection fail, and says so on its page
        assert code != 0 and "job failed: 任务出错，未写入任何数据。请重新开始" in output, output[-3000:]
    else:
        assert code != 0 and "terminating connection due to administrator command" in output, output[-3000:]
    assert state(world, case) == case.none

    again = world.run("-m", "tests.fault_actions", action, ALLOWED_HOSTS="testserver")
    assert again.stdout.strip().endswith("ACTION COMPLETE")
    assert state(world, case) == case.done
