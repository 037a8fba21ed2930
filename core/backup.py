"""Backups that restore (issue 20): one archive holds the database and the stored files, with a manifest that
lets a restore prove it brought back exactly what was saved.

The archive is a gzip'd tar:

- manifest.json — when, the app's version, the latest migration of each app, the row count of every table
  and the SHA-256 of every other member;
- database.sqlite3 (SQLite, copied through its online backup API, so the site keeps running) or
  database.dump (PostgreSQL, `pg_dump --format=custom` of a snapshot);
- files/… — everything in the default storage (MEDIA_ROOT or the S3 bucket): scanned 回执, jobs' files.

The row counts are taken from the very data that is dumped (the SQLite copy; on PostgreSQL the exported
snapshot pg_dump reads), so a restore can check them whatever the site wrote meanwhile.
"""

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from core import changes

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files/"
CHUNK = 1024 * 1024
# The admin's index warns when the latest successful backup is older than this.
STALE_AFTER = dt.timedelta(days=1)
# Archives `backup --dir` writes, and the only files its pruning ever deletes.
ARCHIVE_NAME = re.compile(r"^wangcheng-(\d{8}-\d{6})\.tar\.gz$")


class BackupError(Exception):
    """A backup or restore that cannot be done, said in words for the operator."""


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float
    rows: int
    tables: int
    files: int
    recorded: bool = True  # False: the archive is whole, but the database could not note it (not migrated)


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("不支持的数据库类型：%(vendor)s。") % {"vendor": vendor})
    return vendor


def app_version() -> str:
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _latest_migrations(applied: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in applied:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


# ---------------------------------------------------------------------------------------------- the database


def _pg_env(settings_dict: dict) -> dict:
    """The environment pg_dump, pg_restore and psql read the connection from (the password stays off the
    command line)."""
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    if settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = settings_dict["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str], env: dict, **kwargs) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, **kwargs)
    except FileNotFoundError as exc:
        raise BackupError(
            _("找不到 %(tool)s：请安装与数据库服务器同版本的 PostgreSQL 客户端。") % {"tool": command[0]}
        ) from exc
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败：%(error)s")
            % {"tool": command[0], "error": result.stderr.decode(errors="replace").strip()[-2000:]}
        )


def _dump_sqlite(directory: Path) -> tuple[Path, dict[str, int], dict[str, str]]:
    """Copy the live database page by page (readers and writers go on), then count the copy's rows."""
    target = directory / "database.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        names = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {name: copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
        applied = copy.execute("SELECT app, name FROM django_migrations").fetchall() if names else []
    finally:
        copy.close()
    return target, counts, _latest_migrations(applied)


def _dump_postgresql(directory: Path) -> tuple[Path, dict[str, int], dict[str, str]]:
    """pg_dump of a snapshot exported by a read-only transaction, which counts the rows of that snapshot."""
    target = directory / "database.dump"
    settings_dict = connection.settings_dict
    snapshot = connection.get_new_connection(connection.get_connection_params())
    try:
        with snapshot.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
            names = [name for (name,) in cursor.fetchall()]
            counts = {}
            for name in names:
                cursor.execute(f'SELECT count(*) FROM "{name}"')
                counts[name] = cursor.fetchone()[0]
            applied = []
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations")
                applied = cursor.fetchall()
            command = [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
            ]
            _run([*command, "--file", str(target)], _pg_env(settings_dict))
        snapshot.rollback()
    finally:
        snapshot.close()
    return target, counts, _latest_migrations(applied)


def table_counts(tables) -> dict[str, int]:
    """Rows of the given tables in the current database (None where a table is missing)."""
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for name in tables:
            if name not in existing:
                counts[name] = None
                continue
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


# ------------------------------------------------------------------------------------------------ the files


def stored_files(storage=None, path: str = ""):
    """Every file name in the default storage, walked through the storage API (a disk or a bucket)."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # MEDIA_ROOT not created yet: nothing stored
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for name in sorted(directories):
        yield from stored_files(storage, f"{path}/{name}" if path else name)


# ---------------------------------------------------------------------------------------------- the backup


def backup(output: Path) -> BackupResult:
    """Write the archive to `output` (through a .part file, so that a backup cut short leaves no archive
    that looks whole) and record it for the admin's index."""
    from core.models import BackupRecord

    started = time.monotonic()
    output = Path(output)
    vendor = engine()
    with tempfile.TemporaryDirectory(prefix="wangcheng-backup-") as temp:
        dump, counts, migrations = (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(Path(temp))
        with dump.open("rb") as f:
            dump_sum = sha256_of(f)
        files = []
        for name in stored_files():
            with default_storage.open(name, "rb") as f:
                files.append({"name": name, "size": default_storage.size(name), "sha256": sha256_of(f)})
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "app_version": app_version(),
            "engine": vendor,
            "migrations": migrations,
            "database": {"name": dump.name, "size": dump.stat().st_size, "sha256": dump_sum},
            "tables": counts,
            "files": files,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        part = output.with_name(output.name + ".part")
        try:
            with tarfile.open(part, "w:gz", compresslevel=6) as archive:
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(time.time())
                archive.addfile(info, io.BytesIO(data))
                archive.add(dump, arcname=dump.name)
                for entry in files:
                    info = tarfile.TarInfo(FILES + entry["name"])
                    info.size, info.mtime = entry["size"], int(time.time())
                    with default_storage.open(entry["name"], "rb") as f:
                        archive.addfile(info, f)
            os.replace(part, output)
        finally:
            part.unlink(missing_ok=True)
    result = BackupResult(
        path=output,
        size=output.stat().st_size,
        seconds=time.monotonic() - started,
        rows=sum(counts.values()),
        tables=len(counts),
        files=len(files),
    )
    try:
        BackupRecord.objects.create(
            path=str(output.resolve()),
            size=result.size,
            seconds=result.seconds,
            rows=result.rows,
            files=result.files,
        )
    except DatabaseError:
        # A backup taken before `migrate` after an upgrade (the moment one is wanted most) has no table to
        # note itself in yet: the archive stands, and the command says it was not noted.
        result.recorded = False
    return result


def archive_name(moment: dt.datetime) -> str:
    return f"wangcheng-{timezone.localtime(moment):%Y%m%d-%H%M%S}.tar.gz"


def to_prune(names: list[str], *, keep_daily: int, keep_monthly: int) -> list[str]:
    """The archives a retention rule lets go: kept are the newest archive of each of the `keep_daily` latest
    days that have one, and the newest of each of the `keep_monthly` latest months. Names not written by
    `backup --dir` are never touched."""
    dated = sorted(
        (
            (dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S"), name)
            for name in names
            if (m := ARCHIVE_NAME.match(name))
        ),
        reverse=True,
    )
    keep: set[str] = set()
    for limit, period in ((keep_daily, lambda t: t.date()), (keep_monthly, lambda t: (t.year, t.month))):
        seen = set()
        for moment, name in dated:
            if period(moment) not in seen and len(seen) < limit:
                seen.add(period(moment))
                keep.add(name)
    return [name for _moment, name in dated if name not in keep]


def prune(directory: Path, *, keep_daily: int, keep_monthly: int) -> list[str]:
    names = to_prune(
        [p.name for p in Path(directory).iterdir()], keep_daily=keep_daily, keep_monthly=keep_monthly
    )
    for name in names:
        (Path(directory) / name).unlink()
    return names


def last_backup() -> dict:
    """The latest recorded backup and whether it is too old, for the admin's index."""
    from core.models import BackupRecord

    record = BackupRecord.objects.order_by("-finished_at").first()
    stale = record is None or timezone.now() - record.finished_at > STALE_AFTER
    return {"record": record, "stale": stale}


# --------------------------------------------------------------------------------------------- the restore


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(_("这不是本系统的备份文件：缺少或无法读取 manifest.json。")) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("备份文件格式（%(format)s）不受支持。") % {"format": manifest.get("format")})
    return manifest


def _check_migrations(manifest: dict) -> None:
    """Refuse a backup made by a newer version of the code: its tables would not be what this code knows."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    newer = [f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known]
    if newer:
        raise BackupError(
            _("备份的数据库结构比当前程序新（%(newer)s）：请先升级程序，再恢复。")
            % {"newer": "、".join(newer)}
        )


def _check_member(archive: tarfile.TarFile, name: str, expected: str) -> None:
    try:
        member = archive.extractfile(name)
    except KeyError as exc:
        raise BackupError(_("备份文件不完整：缺少 %(name)s。") % {"name": name}) from exc
    if sha256_of(member) != expected:
        raise BackupError(_("备份文件已损坏：%(name)s 的校验和不符。") % {"name": name})


def _restore_sqlite(dump: Path) -> None:
    """Copy the saved database over the configured one, in one step (SQLite's backup API)."""
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("恢复数据库失败，数据库保持原样：%(error)s") % {"error": exc}) from exc
    finally:
        source.close()


def _restore_postgresql(dump: Path, *, force: bool) -> None:
    """pg_restore's SQL fed to psql in one transaction: a failure leaves the database as it was; with
    `force` the old schema is dropped in that same transaction."""
    env = {**_pg_env(connection.settings_dict), "PGOPTIONS": "-c client_min_messages=warning"}
    connection.close()
    prelude = b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n" if force else b""
    # Their messages go to files: a pipe left unread while the dump streams could fill and stall them.
    with tempfile.TemporaryFile() as restore_log, tempfile.TemporaryFile() as psql_log:
        try:
            restore = subprocess.Popen(
                ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(dump)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=restore_log,
            )
            psql = subprocess.Popen(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_log,
            )
        except FileNotFoundError as exc:
            raise BackupError(
                _("找不到 pg_restore 或 psql：请安装与数据库服务器同版本的 PostgreSQL 客户端。")
            ) from exc
        try:
            psql.stdin.write(prelude)
            shutil.copyfileobj(restore.stdout, psql.stdin, CHUNK)
        except BrokenPipeError:  # psql stopped at an error: its message says which
            pass
        finally:
            psql.stdin.close()
        restore.stdout.close()
        restore.wait()
        psql.wait()
        if restore.returncode or psql.returncode:
            errors = []
            for log in (psql_log, restore_log):
                log.seek(0)
                errors.append(log.read().decode(errors="replace").strip())
            raise BackupError(
                _("恢复数据库失败，数据库保持原样：%(error)s") % {"error": (errors[0] or errors[1])[-2000:]}
            )


def restore(path: Path, *, force: bool = False, log=lambda message: None) -> dict:
    """Restore an archive into the configured database and storage, checking it first (format, migrations,
    checksums) and after (each table's rows). Refuses a database that has tables, and stored files that
    differ from the archive's, unless `force`. Returns the manifest."""
    vendor = engine()
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(_("无法打开备份文件 %(path)s：%(error)s") % {"path": path, "error": exc}) from exc
    with archive:
        manifest = read_manifest(archive)
        if manifest["engine"] != vendor:
            raise BackupError(
                _("该备份来自 %(saved)s 数据库，当前配置的是 %(current)s，不能直接恢复。")
                % {"saved": manifest["engine"], "current": vendor}
            )
        _check_migrations(manifest)
        database = manifest["database"]
        _check_member(archive, database["name"], database["sha256"])
        for entry in manifest["files"]:
            _check_member(archive, FILES + entry["name"], entry["sha256"])
        log(_("校验通过：数据库与 %(n)d 个文件的校验和一致。") % {"n": len(manifest["files"])})

        tables = connection.introspection.table_names()
        if tables and not force:
            raise BackupError(
                _(
                    "目标数据库不是空的（已有 %(n)d 张表）：请恢复到新建的空数据库，或加 --force 覆盖现有数据。"
                )
                % {"n": len(tables)}
            )
        differing = []
        for entry in manifest["files"]:
            if default_storage.exists(entry["name"]):
                with default_storage.open(entry["name"], "rb") as f:
                    if sha256_of(f) != entry["sha256"]:
                        differing.append(entry["name"])
        if differing and not force:
            raise BackupError(
                _("存储中已有 %(n)d 个同名但内容不同的文件（如 %(name)s）：加 --force 才会覆盖。")
                % {"n": len(differing), "name": differing[0]}
            )

        with tempfile.TemporaryDirectory(prefix="wangcheng-restore-") as temp:
            dump = Path(temp) / database["name"]
            with archive.extractfile(database["name"]) as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            if vendor == "sqlite":
                _restore_sqlite(dump)
            else:
                _restore_postgresql(dump, force=force)
        log(_("数据库已恢复。"))
        # Written behind the app's back: no figure kept in the cache (core.changes) may be served again.
        changes.forget_all()

        restored = table_counts(manifest["tables"])
        wrong = [(t, n, restored[t]) for t, n in manifest["tables"].items() if restored[t] != n]
        if wrong:
            raise BackupError(
                _("恢复后的行数与备份清单不符：%(tables)s。")
                % {"tables": "；".join(f"{t} 备份 {n} 行，恢复后 {m} 行" for t, n, m in wrong[:10])}
            )
        log(
            _("行数核对一致：%(tables)d 张表，共 %(rows)d 行。")
            % {"tables": len(restored), "rows": sum(restored.values())}
        )

        for entry in manifest["files"]:
            name = entry["name"]
            if default_storage.exists(name):
                if name not in differing:
                    continue
                default_storage.delete(name)
            with archive.extractfile(FILES + name) as member:
                saved = default_storage.save(name, File(member, name=name))
            if saved != name:
                raise BackupError(_("文件 %(name)s 被存为 %(saved)s。") % {"name": name, "saved": saved})
        log(_("已恢复 %(n)d 个文件。") % {"n": len(manifest["files"])})
    return manifest


def migrations_pending() -> bool:
    """Whether the restored database is behind the code (an older backup): `migrate` brings it up."""
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
