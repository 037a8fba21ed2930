"""The restore proven on the whole demo district (issue 20): seeded into a database of its own (SQLite, or a
fresh PostgreSQL database when the suite runs on PostgreSQL), backed up, restored by `manage.py restore` into
another fresh database, and compared: every table's rows and their contents (the django-simple-history
tables among them), the stored files, and the 2022 self-evaluation's JSON byte for byte.
"""

import time

import pytest
from django.db import connection

from tests.fresh_db import FreshDatabase

pytestmark = pytest.mark.slow
RECEIPT = b"%PDF-1.4 a scanned receipt of the demo"


@pytest.fixture
def databases(tmp_path):
    made = []

    def make(label):
        made.append(FreshDatabase.create(label, tmp_path / label, connection.vendor))
        return made[-1]

    yield make
    for database in made:
        database.drop()


def self_evaluation_json(database: FreshDatabase) -> bytes:
    output = database.directory / "2022.json"
    database.manage("export_self_evaluation", "--year", "2022", "--format", "json", "-o", str(output))
    return output.read_bytes()


def test_the_demo_district_comes_back_whole_from_its_backup(databases, tmp_path):
    source = databases("demo_source")
    source.manage("migrate", "--noinput", "-v0")
    source.manage("seed_demo", "--year", "2022")
    scan = source.directory / "media" / "receipts" / "2022" / "430112001.pdf"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(RECEIPT)
    before = source.fingerprint()
    evaluation = self_evaluation_json(source)

    archive = tmp_path / "demo.tar.gz"
    started = time.monotonic()
    source.manage("backup", "-o", str(archive))
    backed_up = time.monotonic() - started

    target = databases("demo_target")
    started = time.monotonic()
    output = target.manage("restore", str(archive)).stdout
    restored = time.monotonic() - started
    assert "行数核对一致" in output and "已恢复 1 个文件。" in output

    after = target.fingerprint()
    assert after.keys() == before.keys()
    assert {t: after[t] for t in after if after[t] != before[t]} == {}
    history = {t: n for t, (n, _digest) in after.items() if "_historical" in t}
    assert len(history) >= 10 and history["assessments_historicalgridrating"] > 0
    assert after["grids_grid"][0] == 14 + 146 + 725 + 5464
    assert self_evaluation_json(target) == evaluation
    assert (target.directory / "media" / "receipts" / "2022" / "430112001.pdf").read_bytes() == RECEIPT
    # The figures the README quotes (`pytest -s` shows them).
    print(
        f"\n{connection.vendor}: archive {archive.stat().st_size / 1024 / 1024:.1f} MB, "
        f"backup {backed_up:.1f} s, restore {restored:.1f} s (each with the command's start-up)"
    )
