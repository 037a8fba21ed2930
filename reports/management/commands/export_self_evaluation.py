import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import exports
from reports.models import SelfEvaluation


class Command(BaseCommand):
    help = "导出某年度绩效自评（PDF 报告与自评表、xlsx 自评表、或包含全部数字的 JSON）。"
    # The system checks (models, URLs, templates, the 文号 pattern) guard the server and the migrations,
    # which run them; an export only reads, yet they took ~0.25 s of each run, a third of a JSON export
    # (issue 18: within 1.5× of `dumpdata --skip-checks`). `manage.py check` runs them on demand.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["pdf", "xlsx", "json"], required=True)
        parser.add_argument("-o", "--output", required=True, help="输出文件路径（- 表示标准输出，仅 json）")

    def handle(self, *args, year, format, output, **options):
        evaluation = SelfEvaluation.objects.filter(year=year).first()
        if evaluation is None:
            raise CommandError(self.missing(year))
        if format == "json":
            text = json.dumps(exports.self_evaluation_json(evaluation), ensure_ascii=False, indent=2)
            if output == "-":
                self.stdout.write(text)
                return
            Path(output).write_text(text + "\n", encoding="utf-8")
        elif output == "-":
            raise CommandError("PDF 和 xlsx 必须写入文件（-o 文件路径）。")
        else:
            data = (
                exports.self_evaluation_pdf(evaluation)
                if format == "pdf"
                else exports.self_evaluation_workbook(evaluation)
            )
            Path(output).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"已导出 {year} 年绩效自评（{format}）：{output}"))

    @staticmethod
    def missing(year: int) -> str:
        """Say that the year has no self-evaluation, and which years have one."""
        years = "、".join(
            str(y) for y in SelfEvaluation.objects.order_by("year").values_list("year", flat=True)
        )
        known = f"已建立绩效自评的年度：{years}。" if years else "系统中还没有任何年度的绩效自评。"
        return f"{year} 年尚未建立绩效自评，没有可导出的内容。{known}"
