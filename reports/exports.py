"""The self-evaluation as PDF (report + 自评表 + chart), xlsx (自评表) and JSON (every figure)."""

import hashlib
import logging
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from core.formats import date_text
from core.numbers import round2
from core.pdf import render_pdf
from core.xlsx_write import (
    COUNT_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    add_table_sheet,
    fit_row_heights,
    heading_lines,
    keep_as_text,
    new_workbook,
    print_on_a4,
    storable_text,
    to_bytes,
)
from reports.models import SelfEvaluation
from reports.selectors import (
    current_sign_off,
    draft_context,
    evaluation_context,
    evaluation_figures,
    figures_as_json,
)

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "reports/pdf/self_evaluation.html"


def _pdf_cache_key(year: int, html: str) -> str:
    """A draft's PDF is a function of its HTML, which holds everything it shows (figures, rules, quotas,
    the fund's name and basis, prose, charts), and of the PDF machinery (PDF_TEMPLATE_VERSION): key on both.

    Keying on the HTML rather than on a list of inputs means nothing shown can be left out of the key,
    so the page and the PDF never disagree. Rendering the HTML takes milliseconds; the PDF, half a second.
    """
    digest = hashlib.sha256(f"{settings.PDF_TEMPLATE_VERSION}\n{html}".encode()).hexdigest()
    return f"self-evaluation-pdf:{year}:{digest}"


def render_self_evaluation_pdf(evaluation: SelfEvaluation) -> bytes:
    """Render the PDF from scratch (no cache): what the benchmark calls the naive approach."""
    return render_pdf(render_to_string(PDF_TEMPLATE, evaluation_context(evaluation)))


def _draft_pdf(evaluation: SelfEvaluation, ctx: dict) -> bytes:
    html = render_to_string(PDF_TEMPLATE, ctx)
    key = _pdf_cache_key(evaluation.year, html)
    pdf = cache.get(key)
    if pdf is None:
        # Logged so that an operator (and the deployment test) can see each PDF is rendered once, whichever
        # server or worker is asked for it first.
        logger.info("rendering the %s self-evaluation PDF (%s)", evaluation.year, key)
        pdf = render_pdf(html)
        cache.set(key, pdf, timeout=None)
    return pdf


def self_evaluation_pdf(evaluation: SelfEvaluation) -> bytes:
    """The PDF: the one signed off for a finalised year; a draft's rendered once per distinct content."""
    if evaluation.is_final:
        return bytes(current_sign_off(evaluation).pdf)
    return _draft_pdf(evaluation, draft_context(evaluation))


def self_evaluation_pdf_name(year: int) -> str:
    return f"{year}年度绩效自评报告.pdf"


def self_evaluation_json(evaluation: SelfEvaluation) -> dict:
    if evaluation.is_final:
        return current_sign_off(evaluation).figures
    return figures_as_json(evaluation_figures(evaluation))


def page_panes(ctx: dict) -> str:
    """The page's 自评表 and 自评报告 tabs, rendered from the figures (the part a sign-off keeps)."""
    return render_to_string("reports/includes/evaluation_panes.html", ctx)


def signed_outputs(evaluation: SelfEvaluation) -> dict:
    """Everything a sign-off stores, rendered from one computation of the figures.

    Taken inside the finalising transaction, so the PDF, the workbook, the page and the JSON are the
    same moment's data.
    """
    ctx = evaluation_context(evaluation)
    return {
        "pdf": _draft_pdf(evaluation, ctx),
        "xlsx": _workbook(evaluation, ctx),
        "html": page_panes(ctx),
        "figures": figures_as_json(ctx),
    }


BULLETIN_HEADERS = [
    "排名",
    "街镇",
    "有效投诉（件）",
    "村（社区）数",
    "零投诉村（社区）",
    "采集哨单",
    "办结哨单",
    "办结率",
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


PASS_ON_HEADERS = [
    "街镇",
    "本年拨付（元）",
    "已到账（元）",
    "已下发（元）",
    "街镇留存（元）",
    "未办结（笔）",
    "逾期（笔）",
    "最久未办结天数",
]


def pass_on_rows(data: dict) -> list[list]:
    """Each street's 下发 status of the bulletin, then the total (numbers as numbers; no open part: None)."""
    status = data["pass_on"]
    return [
        [
            row.street_name,
            row.paid,
            row.received,
            row.passed,
            row.held,
            row.open_parts,
            row.overdue_parts,
            row.oldest_open_days,
        ]
        for row in [*status["rows"], status["total"]]
    ]


def bulletin_workbook(data: dict) -> bytes:
    """The month's bulletin as the PDF has it: the streets' ranking, then their 下发 of the year's money."""
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
    for row in rows:  # a percentage (95.12) as the fraction a spreadsheet formats as 95.12%
        row[7] = None if row[7] is None else row[7] / 100
    year, month = data["year"], data["month"]
    period = _("%(start)s至%(end)s") % {"start": date_text(data["start"]), "end": date_text(data["end"])}
    workbook = new_workbook(write_only=True)
    add_table_sheet(
        workbook,
        f"{year}年{month}月通报",
        BULLETIN_HEADERS,
        rows,
        formats={**dict.fromkeys(range(3, 8), COUNT_FORMAT), 8: PERCENT_FORMAT},
        heading=heading_lines(
            _("“热线+网格、吹哨+报到”工作通报（%(year)s年第%(month)s期）") % {"year": year, "month": month},
            period,
            settings.DISTRICT_NAME,
        ),
        orientation="portrait",
    )
    add_table_sheet(
        workbook,
        "资金下发情况",
        PASS_ON_HEADERS,
        pass_on_rows(data),
        formats={**dict.fromkeys((2, 3, 4, 5), MONEY_FORMAT), 6: COUNT_FORMAT, 7: COUNT_FORMAT},
        heading=heading_lines(
            _("各街镇资金下发情况（%(year)s年1月1日至%(day)s）")
            % {"year": year, "day": date_text(data["pass_on"]["day"])},
            _("单位：元"),
        ),
        orientation="landscape",
    )
    return to_bytes(workbook)


def bulletin_pdf(data: dict) -> bytes:
    return render_pdf(
        render_to_string(
            "reports/pdf/bulletin.html",
            {**data, "table": bulletin_rows(data), "pass_on_table": pass_on_rows(data)},
        )
    )


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def self_evaluation_workbook(evaluation: SelfEvaluation) -> bytes:
    """The 自评表 workbook: the one signed off for a finalised year, else built from the data."""
    if evaluation.is_final:
        return bytes(current_sign_off(evaluation).xlsx)
    return _workbook(evaluation, draft_context(evaluation))


def _workbook(evaluation: SelfEvaluation, ctx: dict) -> bytes:
    """The 项目支出绩效自评表 as a worksheet laid out like the national form, numbers as numbers."""
    book = Workbook()
    ws = book.active
    ws.title = "绩效自评表"
    for column, width in zip("ABCDEFGHI", (8, 10, 12, 24, 12, 14, 9, 8, 22), strict=True):
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
    # Merged as on the form: the header's labels and values, 项目资金 over the funds block, 绩效指标 over the
    # whole indicator block, each 一级 and 二级 cell over its rows, 总分 over the label columns.
    funds_end = 5 + len(ctx["funds"])
    goals, header = funds_end + 1, funds_end + 2
    last = header + len(ctx["rows"])
    for cells in ("A3:B3", "C3:I3", "A4:B4", "C4:E4", "G4:I4", f"A5:B{funds_end}", f"C{goals}:E{goals}"):
        ws.merge_cells(cells)
    ws.merge_cells(f"G{goals}:I{goals}")
    for row in range(5, funds_end + 1):
        ws.merge_cells(f"C{row}:D{row}")
    ws.merge_cells(f"A{header}:A{last}")
    for index, row in enumerate(ctx["rows"], start=header + 1):
        for column, span in (("B", row["level1_span"]), ("C", row["level2_span"])):
            if span > 1:
                ws.merge_cells(f"{column}{index}:{column}{index + span - 1}")
    ws.merge_cells(f"A{last + 1}:F{last + 1}")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ("A1", "A2", f"A{goals}", f"B{goals}", f"F{goals}", f"A{last + 1}", "A3", "A4", "F4", "A5"):
        ws[cell].alignment = centred
    for row in (5, header):
        for cell in ws[row]:
            cell.alignment = centred
    # 分值 and 执行率/得分 of the funds block, and the grade beside the total, centred as on the form (a
    # right-aligned 10 ran into the 92.94% / 9.29 beside it).
    for cell in (*(f"{c}{r}" for r in range(6, funds_end + 1) for c in "HI"), f"I{last + 1}"):
        ws[cell].alignment = centred
    _sign_off_rows(ws, ctx["signature_lines"], first_row=last + 3)
    fit_row_heights(ws, range(3, last + 2))
    print_on_a4(ws, orientation="portrait")
    return to_bytes(book)


def _sign_off_rows(ws, lines: list[dict], *, first_row: int) -> None:
    """填报单位（盖章）、填表人 / 联系电话、填报日期 under the form, each value on a line to sign on."""
    places = ((1, 3, 5), (6, 7, 9))  # label column, value columns from … to
    for index, line in enumerate(lines):
        row = first_row + index // 2
        label_column, start, end = places[index % 2]
        if label_column < start - 1:
            ws.merge_cells(start_row=row, end_row=row, start_column=label_column, end_column=start - 1)
        ws.cell(row=row, column=label_column, value=f"{line['label']}：")
        ws.merge_cells(start_row=row, end_row=row, start_column=start, end_column=end)
        value = ws.cell(row=row, column=start, value=storable_text(line["value"]) or None)
        keep_as_text(value)
        for column in range(start, end + 1):
            ws.cell(row=row, column=column).border = Border(bottom=THIN)
        ws.row_dimensions[row].height = 24
