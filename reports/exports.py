"""The self-evaluation as PDF (report + 自评表 + chart), xlsx (自评表) and JSON (every figure)."""

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from core.numbers import round2
from core.pdf import render_pdf
from core.xlsx_write import add_table_sheet, keep_as_text, new_workbook, storable_text, to_bytes
from reports.charts import bar_chart
from reports.dashboard import tickets_by_month
from reports.models import SelfEvaluation
from reports.selectors import evaluation_figures, figures_as_json, form_rows

PDF_TEMPLATE = "reports/pdf/self_evaluation.html"


def context(evaluation: SelfEvaluation) -> dict:
    figures = evaluation_figures(evaluation)
    labels = [
        "一季度",
        "二季度",
        "三季度",
        "四季度",
        "年终专项" if figures["special_at_year_end"] else "专项拨付",
    ]
    monthly = tickets_by_month(evaluation.year)
    return {
        **figures,
        "rows": form_rows(figures),
        "chart_svg": bar_chart(labels, [*figures["quarters"], figures["special"]]),
        "tickets_chart_svg": bar_chart(
            [f"{m}月" for m in range(1, 13)], monthly, color="#1565c0", height=200
        ),
    }


def _cache_key(evaluation: SelfEvaluation, ctx: dict) -> str:
    """The PDF depends only on the figures, the editable texts and the templates: key on all three."""
    data = {
        "figures": figures_as_json(ctx),
        "texts": evaluation.texts,
        "goals": [evaluation.goal_expected, evaluation.goal_actual],
        "version": settings.PDF_TEMPLATE_VERSION,
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"self-evaluation-pdf:{evaluation.year}:{digest}"


def render_self_evaluation_pdf(evaluation: SelfEvaluation) -> bytes:
    """Render the PDF from scratch (no cache): what the benchmark calls the naive approach."""
    return render_pdf(render_to_string(PDF_TEMPLATE, context(evaluation)))


def self_evaluation_pdf(evaluation: SelfEvaluation) -> bytes:
    """The PDF, rendered once per distinct content and then served from the cache."""
    ctx = context(evaluation)
    key = _cache_key(evaluation, ctx)
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(render_to_string(PDF_TEMPLATE, ctx))
        cache.set(key, pdf, timeout=None)
    return pdf


def self_evaluation_json(evaluation: SelfEvaluation) -> dict:
    return figures_as_json(evaluation_figures(evaluation))


BULLETIN_HEADERS = [
    "排名",
    "街镇",
    "有效投诉（件）",
    "村（社区）数",
    "零投诉村（社区）",
    "采集哨单",
    "办结哨单",
    "办结率（%）",
]


def bulletin_rows(data: dict) -> list[list]:
    rows = sorted(data["rows"], key=lambda r: r["rank"])
    return [
        [
            r["rank"],
            r["street"],
            r["complaints"],
            r["communities"],
            r["zero"],
            r["collected"],
            r["closed"],
            r["rate"],
        ]
        for r in rows
    ]


def bulletin_workbook(data: dict) -> bytes:
    totals = data["totals"]
    rows = [
        *bulletin_rows(data),
        [
            "",
            "合计",
            totals["complaints"],
            totals["communities"],
            totals["zero"],
            totals["collected"],
            totals["closed"],
            totals["rate"],
        ],
    ]
    workbook = new_workbook(write_only=True)
    add_table_sheet(
        workbook, f"{data['year']}年{data['month']}月通报", BULLETIN_HEADERS, rows, formats={8: "0.00"}
    )
    return to_bytes(workbook)


def bulletin_pdf(data: dict) -> bytes:
    return render_pdf(render_to_string("reports/pdf/bulletin.html", {**data, "table": bulletin_rows(data)}))


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def self_evaluation_workbook(evaluation: SelfEvaluation) -> bytes:
    """The 项目支出绩效自评表 as a worksheet laid out like the national form, numbers as numbers."""
    ctx = context(evaluation)
    book = Workbook()
    ws = book.active
    ws.title = "绩效自评表"
    for column, width in zip("ABCDEFGHI", (10, 10, 12, 30, 14, 16, 8, 8, 30), strict=True):
        ws.column_dimensions[column].width = width
    ws.merge_cells("A1:I1")
    ws["A1"] = "项目支出绩效自评表"
    ws["A1"].font = Font(bold=True, size=16)
    ws.merge_cells("A2:I2")
    ws["A2"] = f"（{evaluation.year}年度）"
    rows = [
        ["项目名称", "", evaluation.project_name],
        ["主管部门", "", evaluation.department, "", "", "实施单位", evaluation.implementer],
        ["项目资金（万元）", "", "", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率/得分"],
    ]

    def wan(value):
        return round2(Decimal(value) / 10000)  # 万元, as the form writes the funds block

    rows += [
        [
            "",
            "",
            row["label"],
            "",
            wan(row["initial"]),
            wan(row["full_year"]),
            wan(row["executed"]),
            None if row["points"] is None else int(row["points"]),
            None if row["points"] is None else f"{row['rate']}% / {row['score']}",
        ]
        for row in ctx["funds"]
    ]
    rows += [
        [
            "年度总体目标",
            "预期目标",
            evaluation.goal_expected,
            "",
            "",
            "实际完成情况",
            evaluation.goal_actual,
        ],
        [
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ],
    ]
    for row in ctx["rows"]:
        indicator = row["indicator"]
        rows.append(
            [
                "",
                row["level1_label"],
                indicator.level2,
                indicator.name,
                indicator.target_text,
                row["actual_text"],
                indicator.points,
                row["score"],
                indicator.deviation,
            ]
        )
    rows.append(["总分", "", "", "", "", "", ctx["points_total"], ctx["total"], ctx["grade"]])
    for offset, values in enumerate(rows, start=3):
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=offset, column=column, value=storable_text(value) if value != "" else None)
            keep_as_text(cell)  # prose and indicator texts are typed by users
            cell.border = BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
    return to_bytes(book)
