from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

DEMO_YEARS = (2022,)


class Command(BaseCommand):
    help = "载入演示数据（2022 年望城区全量网格等）。可重复执行：已存在的数据不会改变。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2022, help="演示数据的年度（默认 2022）")

    def handle(self, *args, year, **options):
        if year not in DEMO_YEARS:
            raise CommandError(f"目前只提供 {'、'.join(map(str, DEMO_YEARS))} 年的演示数据（收到 {year}）。")
        # Each app seeds its own part, lower apps first, through an optional `seed_demo` hook.
        for config in apps.get_app_configs():
            hook = getattr(config, "seed_demo", None)
            if hook is None:
                continue
            summary = hook(year=year)
            parts = "，".join(f"{k} {v}" for k, v in summary.items())
            self.stdout.write(f"{config.verbose_name}：新建 {parts}")
        self.stdout.write(self.style.SUCCESS(f"{year} 年演示数据已就绪。"))
