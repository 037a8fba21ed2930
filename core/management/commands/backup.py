"""Back up the database and the stored files into one archive (core.backup); with --dir, one archive per run
in that directory, pruned by a retention rule: what a nightly cron line calls (README, Operations)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import backup


class Command(BaseCommand):
    help = "备份数据库与存储的文件（回执扫描件、任务文件）到一个归档，附清单（时间、版本、行数、校验和）。"

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("-o", "--output", help="备份文件路径（.tar.gz）")
        where.add_argument("--dir", help="备份目录：文件名按时间生成，并按保留规则清理旧备份")
        parser.add_argument(
            "--keep-daily", type=int, default=14, help="--dir 时保留最近多少天的每日备份（默认 14）"
        )
        parser.add_argument(
            "--keep-monthly", type=int, default=12, help="--dir 时保留最近多少个月的月备份（默认 12）"
        )

    def handle(self, *args, output, dir, keep_daily, keep_monthly, **options):
        if keep_daily < 1 or keep_monthly < 0:
            raise CommandError("--keep-daily 至少为 1，--keep-monthly 不能为负数。")
        path = Path(output) if output else Path(dir) / backup.archive_name(timezone.now())
        try:
            result = backup.backup(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {result.path}：{result.size / 1024 / 1024:.1f} MB，{result.tables} 张表 "
                f"{result.rows} 行，{result.files} 个文件，用时 {result.seconds:.1f} 秒。"
            )
        )
        if not result.recorded:
            self.stdout.write(
                self.style.WARNING(
                    "备份文件完整，但数据库尚未迁移，无法记录本次备份（管理页面不会显示它）；运行 migrate 后即可记录以后的备份。"
                )
            )
        if dir:
            for name in backup.prune(Path(dir), keep_daily=keep_daily, keep_monthly=keep_monthly):
                self.stdout.write(f"按保留规则删除旧备份：{name}")
