"""Backup and restore (core.backup, issue 20): the archive's manifest, a restore into a fresh database in
another process, and every refusal: a database with tables, a damaged archive, a backup of newer code or of
the other engine, rows that do not come back. Retention and the admin's warning too.

The backups are taken in this process from the test database (committed: pg_dump reads it from another
process); each restore runs `manage.py restore` against a database of its own (tests/fresh_db.py).
"""

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.utils import timezone

from core import backup
from core.models import BackupRecord
from tests.fresh_db import FreshDatabase

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SCAN = b"%PDF-1.4 a street's scanned receipt"


@pytest.fixture
def archive(roster, tmp_path):
    """A backup of the two-street roster and one stored scan."""
    default_storage.save("receipts/2022/scan.pdf", ContentFile(SCAN))
    path = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(path), stdout=io.StringIO())
    return path


@pytest.fixture
def fresh(tmp_path):
    database = FreshDatabase.create("restore_target", tmp_path / "restored", connection.vendor)
    yield database
    database.drop()


def rewrite(source: Path, target: Path, change) -> Path:
    """Copy an archive, passing each member's (name, bytes) through change()."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = change(member.name, old.extractfile(member).read())
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return target


def with_manifest(source: Path, target: Path, edit) -> Path:
    def change(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return rewrite(source, target, change)


@transactional
def test_the_manifest_describes_what_the_archive_holds(archive):
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = backup.read_manifest(tar)
        dump = tar.extractfile(manifest["database"]["name"]).read()
    assert names[0] == "manifest.json"
    assert names[1] == ("database.sqlite3" if connection.vendor == "sqlite" else "database.dump")
    assert "files/receipts/2022/scan.pdf" in names
    assert manifest["engine"] == connection.vendor and manifest["app_version"] == "0.1.0"
    assert manifest["migrations"]["core"] == "0008_backup_record"
    assert manifest["database"]["sha256"] == backup.sha256_of(io.BytesIO(dump))
    assert manifest["files"] == [
        {"name": "receipts/2022/scan.pdf", "size": len(SCAN), "sha256": backup.sha256_of(io.BytesIO(SCAN))}
    ]
    # Every table, counted in the data that was dumped.
    assert manifest["tables"] == backup.table_counts(connection.introspection.table_names()) | {
        "core_backuprecord": 0  # the backup's own record is written after the dump
    }
    assert manifest["tables"]["grids_grid"] == 10 and manifest["tables"]["grids_gridstaff"] == 4
    record = BackupRecord.objects.get()
    assert record.path == str(archive.resolve()) and record.size == archive.stat().st_size
    assert record.rows == sum(manifest["tables"].values()) and record.files == 1


@pytest.mark.slow  # runs manage.py in other processes
@transactional
def test_a_restore_into_a_fresh_database_brings_back_every_row_and_file(archive, fresh):
    output = fresh.manage("restore", str(archive)).stdout
    assert "校验通过：数据库与 1 个文件的校验和一致。" in output
    assert "行数核对一致" in output and "已恢复 1 个文件。" in output
    assert (fresh.directory / "media" / "receipts" / "2022" / "scan.pdf").read_bytes() == SCAN
    restored = fresh.fingerprint()
    assert restored["grids_grid"][0] == 10 and restored["grids_gridstaff"][0] == 4
    # The same archive again: the database now has tables, and nothing is written.
    again = fresh.manage("restore", str(archive), check=False)
    assert again.returncode == 1 and "目标数据库不是空的" in again.stderr
    # --force replaces it (after a scan was changed in the storage, which it puts back).
    (fresh.directory / "media" / "receipts" / "2022" / "scan.pdf").write_bytes(b"changed")
    refused = fresh.manage("restore", str(archive), check=False)
    assert "目标数据库不是空的" in refused.stderr
    epoch = 'from core import changes; print(changes.marks([])["*"])'
    kept_under = fresh.manage("shell", "-c", epoch).stdout
    fresh.manage("restore", "--force", str(archive))
    assert (fresh.directory / "media" / "receipts" / "2022" / "scan.pdf").read_bytes() == SCAN
    assert fresh.fingerprint() == restored
    # Nothing the cache kept from the replaced data is served again (core.changes).
    assert fresh.manage("shell", "-c", epoch).stdout != kept_under


@transactional
def test_a_restore_refuses_a_database_that_has_tables(archive):
    with pytest.raises(CommandError, match=r"目标数据库不是空的（已有 \d+ 张表）.*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())


@pytest.mark.slow  # runs manage.py in other processes
@transactional
def test_a_damaged_archive_is_refused_before_anything_is_written(archive, tmp_path, fresh):
    def flip(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name == "files/receipts/2022/scan.pdf" else data

    damaged = rewrite(archive, tmp_path / "damaged.tar.gz", flip)
    result = fresh.manage("restore", str(damaged), check=False)
    assert result.returncode == 1
    assert "备份文件已损坏：files/receipts/2022/scan.pdf 的校验和不符。" in result.stderr
    assert fresh.fingerprint() == {}  # nothing restored
    (tmp_path / "not-a-backup.tar.gz").write_bytes(b"hello")
    result = fresh.manage("restore", str(tmp_path / "not-a-backup.tar.gz"), check=False)
    assert "无法打开备份文件" in result.stderr


@transactional
def test_a_backup_of_newer_code_or_of_the_other_engine_is_refused(archive, tmp_path):
    def newer(manifest):
        manifest["migrations"]["core"] = "0099_from_the_future"

    future = with_manifest(archive, tmp_path / "future.tar.gz", newer)
    with pytest.raises(CommandError, match=r"备份的数据库结构比当前程序新（core\.0099_from_the_future）"):
        call_command("restore", str(future), stdout=io.StringIO())

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    elsewhere = with_manifest(archive, tmp_path / "other.tar.gz", lambda m: m.update(engine=other))
    with pytest.raises(CommandError, match=f"该备份来自 {other} 数据库"):
        call_command("restore", str(elsewhere), stdout=io.StringIO())


@pytest.mark.slow  # runs manage.py in other processes
@transactional
def test_a_dump_the_database_cannot_read_fails_the_restore_and_writes_nothing(archive, tmp_path, fresh):
    garbage = b"not a database dump " * 100

    def replace_dump(name, data):
        if name.startswith("database."):
            return garbage
        if name == backup.MANIFEST:
            manifest = json.loads(data)
            manifest["database"].update(size=len(garbage), sha256=backup.sha256_of(io.BytesIO(garbage)))
            return json.dumps(manifest).encode()
        return data

    broken = rewrite(archive, tmp_path / "broken.tar.gz", replace_dump)
    result = fresh.manage("restore", str(broken), check=False)
    assert result.returncode == 1 and "恢复数据库失败，数据库保持原样" in result.stderr
    assert fresh.fingerprint() == {}


@pytest.mark.slow  # runs manage.py in other processes
@transactional
def test_rows_that_do_not_come_back_fail_the_restore(archive, tmp_path, fresh):
    def one_more(manifest):
        manifest["tables"]["grids_grid"] += 1

    wrong = with_manifest(archive, tmp_path / "wrong.tar.gz", one_more)
    result = fresh.manage("restore", str(wrong), check=False)
    assert result.returncode == 1
    assert "恢复后的行数与备份清单不符：grids_grid 备份 11 行，恢复后 10 行。" in result.stderr


def test_retention_keeps_the_newest_of_each_recent_day_and_month():
    names = [
        f"wangcheng-{day:%Y%m%d}-{hour:02d}0000.tar.gz"
        for day in (dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(0, 120, 3))
        for hour in (1, 13)
    ] + ["notes.txt", "wangcheng-latest.tar.gz"]
    pruned = set(backup.to_prune(names, keep_daily=3, keep_monthly=2))
    kept = sorted(set(names) - pruned)
    assert kept == [
        "notes.txt",  # not an archive of `backup --dir`: never touched
        "wangcheng-20260329-130000.tar.gz",  # March's newest (the monthly rule)
        "wangcheng-20260422-130000.tar.gz",  # the three newest days, each its newest archive
        "wangcheng-20260425-130000.tar.gz",
        "wangcheng-20260428-130000.tar.gz",  # also April's newest
        "wangcheng-latest.tar.gz",
    ]


@transactional
def test_backup_into_a_directory_names_the_archive_and_prunes_old_ones(roster, tmp_path):
    old = [tmp_path / f"wangcheng-202001{d:02d}-030000.tar.gz" for d in (1, 2, 3)]
    for path in [*old, tmp_path / "README"]:
        path.write_bytes(b"x")
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), "--keep-daily", "2", "--keep-monthly", "1", stdout=out)
    [made] = [p for p in tmp_path.iterdir() if p.name.startswith(f"wangcheng-{timezone.localdate():%Y%m%d}-")]
    assert BackupRecord.objects.get().path == str(made.resolve())
    # Kept: today's archive, the newest other day (2 days), and no other month beyond the current one.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("wangcheng-2020")) == [
        "wangcheng-20200103-030000.tar.gz"
    ]
    assert (tmp_path / "README").exists()
    assert "按保留规则删除旧备份：wangcheng-20200102-030000.tar.gz" in out.getvalue()


def test_the_admin_index_shows_the_last_backup_and_warns_when_it_is_old(client_for):
    admin = client_for("admin")
    page = admin.get("/admin/").content.decode()
    assert 'data-backup-status="stale"' in page and "系统还没有备份" in page
    record = BackupRecord.objects.create(
        path="/srv/backup/a.tar.gz", size=2048, seconds=3.2, rows=117393, files=2
    )
    page = admin.get("/admin/").content.decode()
    assert (
        'data-backup-status="ok"' in page
        and "/srv/backup/a.tar.gz" in page
        and "117,393 行数据、2 个文件" in page
        and "最近一次备份已超过一天" not in page
    )
    BackupRecord.objects.filter(pk=record.pk).update(finished_at=timezone.now() - dt.timedelta(hours=25))
    page = admin.get("/admin/").content.decode()
    assert 'data-backup-status="stale"' in page and "最近一次备份已超过一天" in page


@transactional
def test_a_backup_before_migrate_is_whole_and_says_it_was_not_noted(roster, tmp_path, monkeypatch):
    """After an upgrade, before `migrate`, the table that notes backups may not exist yet."""

    def no_table(**fields):
        raise OperationalError("no such table: core_backuprecord")

    monkeypatch.setattr(BackupRecord.objects, "create", no_table)
    path, out = tmp_path / "before-migrate.tar.gz", io.StringIO()
    call_command("backup", "-o", str(path), stdout=out)
    with tarfile.open(path) as archive:
        manifest = json.loads(archive.extractfile(backup.MANIFEST).read())
    assert manifest["tables"] and "数据库尚未迁移，无法记录本次备份" in out.getvalue()
