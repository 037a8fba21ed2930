from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

DEMO_YEARS = (2022,)


class Command(BaseCommand):
    help = "载入演示数据（2022 年望城区全量网格等）。可重复执行：已存在的数据不会改变。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2022, help="演示数据的年度（默认 2022）")
        parser.add_argument(
            "--without-next-year",
            action="store_true",
            help="不开启下一年度（浏览器测试从“开启新年度”页面开始）",
        )

    def handle(self, *args, year, without_next_year, **options):
        if year not in DEMO_YEARS:
            raise CommandError(f"目前只提供 {'、'.join(map(str, DEMO_YEARS))} 年的演示数据（收到 {year}）。")
        # Each app seeds its own part, lower apps first, through an optional `seed_demo` hook; then the
        # next year is opened as center staff would (`seed_demo_next_year`), unless left to the pages.
        hooks = ["seed_demo"] if without_next_year else ["seed_demo", "seed_demo_next_year"]
        for name in hooks:
            for config in apps.get_app_configs():
                hook = getattr(config, name, None)
                if hook is None:
                    continue
                summary = hook(year=year)
                parts = "，".join(f"{k} {v}" for k, v in summary.items())
                self.stdout.write(f"{config.verbose_name}：新建 {parts}")
        self.stdout.write(self.style.SUCCESS(f"{year} 年演示数据已就绪。"))
