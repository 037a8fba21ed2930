"""A database of its own for tests that run `manage.py` in other processes (issue 20: backup and restore, and
the crash tests): a SQLite file, or a PostgreSQL database created afresh on the server tests/cluster.py
uses, so that a test's other processes never touch the suite's own test database.

`fingerprint()` is what such a test compares: every table's rows, and a digest of their contents, read through
Django in the process of the database it describes (`manage.py shell -c`), so that two databases of the same
engine are compared value for value.
"""

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.cluster import PG_SERVER, ROOT

PYTHON = sys.executable


def admin_connection():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


@dataclass
class FreshDatabase:
    url: str
    directory: Path  # MEDIA_ROOT, CACHE_DIR
    name: str = ""  # the PostgreSQL database's name; empty for SQLite

    @classmethod
    def create(cls, label: str, directory: Path, engine: str, *, template: str = "") -> "FreshDatabase":
        directory.mkdir(parents=True, exist_ok=True)
        if engine == "sqlite":
            return cls(url=f"sqlite:///{directory / (label + '.sqlite3')}", directory=directory)
        name = f"wangcheng_{label}_{os.getpid()}"
        with admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return cls(url=f"{PG_SERVER}/{name}", directory=directory, name=name)

    def drop(self) -> None:
        if self.name:
            with admin_connection() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def env(self, **extra) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wangcheng.settings",
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.directory / "media"),
            "CACHE_DIR": str(self.directory / "cache"),
            "JOBS_RUNNER": "eager",
            **extra,
        }

    def run(self, *args: str, check: bool = True, timeout: float = 900, **env) -> subprocess.CompletedProcess:
        """Run `python *args` against this database; its output as text."""
        result = subprocess.run(
            [PYTHON, *args], cwd=ROOT, env=self.env(**env), capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{args} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def manage(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, **kwargs)

    def fingerprint(self) -> dict:
        output = self.manage(
            "shell", "--no-imports", "-c", "from tests.fresh_db import print_fingerprint; print_fingerprint()"
        )
        return json.loads(output.stdout)


def _plain(value):
    return bytes(value).hex() if isinstance(value, memoryview | bytes) else repr(value)


def fingerprint() -> dict:
    """{table: [rows, digest of the rows' values]} of the current database (rows sorted, so order-free)."""
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted("\x1f".join(_plain(v) for v in row) for row in cursor.fetchall())
            result[table] = [len(rows), hashlib.sha256("\x1e".join(rows).encode()).hexdigest()]
    return result


def print_fingerprint() -> None:
    print(json.dumps(fingerprint()))
