"""Restore an archive `manage.py backup` wrote (core.backup) into an empty database and the storage, after
checking its checksums and migrations, and check each table's rows afterwards."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "从备份文件恢复数据库与存储的文件：只恢复到空数据库（--force 覆盖现有数据），恢复前后核对校验和与行数。"
    # The database is empty (or about to be replaced): nothing for the system checks to look at.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（manage.py backup 生成的 .tar.gz）")
        parser.add_argument("--force", action="store_true", help="目标数据库非空时仍然恢复：现有数据将被替换")

    def handle(self, *args, file, force, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到备份文件：{path}")
        started = time.monotonic()
        try:
            manifest = backup.restore(path, force=force, log=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {path} 恢复 {manifest['created_at']} 的备份（版本 {manifest['app_version']}），"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
        if backup.migrations_pending():
            self.stdout.write(self.style.WARNING("备份的数据库结构比当前程序旧：请运行 manage.py migrate。"))
