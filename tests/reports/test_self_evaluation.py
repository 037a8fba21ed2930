import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import IntegrityError, transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports, selectors, services
from reports.demo import INDICATORS_2022
from reports.exports import render_self_evaluation_pdf, self_evaluation_pdf, self_evaluation_workbook
from reports.models import Indicator, SelfEvaluation
from reports.selectors import evaluation_figures


def rows_by_name(figures):
    return {row["indicator"].name: row for group in figures["groups"] for row in group["rows"]}


def test_figures_come_from_the_data(evaluation):
    figures = evaluation_figures(evaluation)
    assert (figures["executed"], figures["execution_rate"], figures["fund_score"]) == (
        Decimal("6060.00"),
        Decimal("0.15"),
        Decimal("0.02"),
    )
    rows = rows_by_name(figures)
    # The test roster has 2 streets: 2 of a target of 14 gives 2/14 of 2 points.
    assert (rows["划分一级网格（街镇）"]["actual_text"], rows["划分一级网格（街镇）"]["score"]) == (
        "2个",
        Decimal("0.29"),
    )
    # Level-3 grids have no staff in the fixture: 4 of 6 level-3/4 grids are covered.
    assert (rows["三、四级网格覆盖率"]["actual_text"], rows["三、四级网格覆盖率"]["score"]) == (
        "66.67%",
        Decimal("6.67"),
    )
    assert rows["网格季度考核、奖励按时完成"]["score"] == Decimal("2.50")  # 1 of 4 quarters locked
    assert rows["全年支出控制在预算以内"]["score"] == Decimal("10.00")
    assert rows["群众满意度"]["actual_text"] == "95.00%"
    assert figures["total"] == figures["fund_score"] + sum(g["score"] for g in figures["groups"])
    assert figures["points_total"] == Decimal(100)
    assert len(rows) == len(INDICATORS_2022)


def test_override_needs_a_reason_and_is_logged(users, evaluation):
    indicator = evaluation.indicators.get(name="划分三级网格")
    with pytest.raises(services.ReportError, match="调整得分必须填写理由"):
        services.update_indicator(
            user=users["center"], indicator=indicator, data={"override_score": Decimal("5")}
        )
    with pytest.raises(services.ReportError, match="应在 0 到分值"):
        services.update_indicator(
            user=users["center"],
            indicator=indicator,
            data={"override_score": Decimal("6"), "override_reason": "x"},
        )
    services.update_indicator(
        user=users["center"],
        indicator=indicator,
        data={"override_score": Decimal("5"), "override_reason": "网格调整尚在审批"},
    )
    row = rows_by_name(evaluation_figures(evaluation))["划分三级网格"]
    assert (row["score"], row["overridden"]) == (Decimal("5.00"), True)
    latest = Indicator.objects.get(pk=indicator.pk).history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        users["center"],
        "调整得分：网格调整尚在审批",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(override_reason="")


def test_qualitative_band_limits(users, evaluation):
    indicator = evaluation.indicators.get(name="解决基层群众急难愁盼问题")
    with pytest.raises(services.ReportError, match="80% 到 100%"):
        services.update_indicator(
            user=users["center"], indicator=indicator, data={"band_percent": Decimal("70")}
        )
    services.update_indicator(
        user=users["center"], indicator=indicator, data={"band": "partly", "band_percent": Decimal("70")}
    )
    assert rows_by_name(evaluation_figures(evaluation))["解决基层群众急难愁盼问题"]["score"] == Decimal(
        "7.00"
    )


@pytest.mark.parametrize("role", ["street", "finance", "leader"])
def test_only_center_staff_and_administrators_edit(users, evaluation, role, client_for):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_evaluation(user=users[role], evaluation=evaluation, fields={}, texts={})
    assert client_for(role).get("/reports/self-evaluation/2022/edit/").status_code == 403
    # the district's own report: read by finance and leaders, not opened to a street admin
    assert client_for(role).get("/reports/self-evaluation/2022/").status_code == (
        403 if role == "street" else 200
    )


def test_paragraphs_are_edited_in_the_browser(client_for, evaluation):
    client = client_for("center")
    form = {
        "project_name": evaluation.project_name,
        "department": "区委政法委",
        "implementer": evaluation.implementer,
        "goal_expected": "预期",
        "goal_actual": "完成",
        "report_date": "2023-02-24",
        "issuer": evaluation.issuer,
        "text_suggestions": "建议明年增加示范社区数量。",
    }
    assert client.post("/reports/self-evaluation/2022/edit/", form).status_code == 302
    page = client.get("/reports/self-evaluation/2022/").content.decode()
    assert "建议明年增加示范社区数量。" in page and "区委政法委" in page


@pytest.mark.slow
def test_pdf_is_real_text_in_an_embedded_cjk_font_and_cached_by_content(
    users, evaluation, settings, tmp_path, monkeypatch
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    renders, computed = [], []
    render, figures = exports.render_pdf, selectors.evaluation_figures
    monkeypatch.setattr(exports, "render_pdf", lambda html: renders.append(1) or render(html))
    monkeypatch.setattr(selectors, "evaluation_figures", lambda e: computed.append(1) or figures(e))
    pdf = self_evaluation_pdf(evaluation)
    assert (len(renders), len(computed)) == (1, 1)
    assert pdf.startswith(b"%PDF") and pdf == render_self_evaluation_pdf(evaluation)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "项目支出绩效自评表" in text and "绩效自评报告" in text and "一、预算支出基本情况" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].get_object().values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert (
                "/FontFile3" in descendant["/FontDescriptor"] or "/FontFile2" in descendant["/FontDescriptor"]
            )
            fonts.add(str(font["/BaseFont"]))
    assert any("Noto-Serif-CJK-SC" in f for f in fonts) and any("Noto-Sans-CJK-SC" in f for f in fonts), fonts
    renders.clear(), computed.clear()
    # Served from the cache, the figures not computed again: nothing they were computed from was written.
    assert self_evaluation_pdf(evaluation) == pdf and (len(renders), len(computed)) == (0, 0)
    services.update_evaluation(
        user=users["center"], evaluation=evaluation, fields={}, texts={"other": "新的说明。"}
    )
    evaluation.refresh_from_db()
    assert self_evaluation_pdf(evaluation) != pdf and (len(renders), len(computed)) == (1, 1)  # new content


def test_workbook_has_the_form_with_numbers(evaluation):
    sheet = load_workbook(io.BytesIO(self_evaluation_workbook(evaluation))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "项目支出绩效自评表"
    header = next(r for r in values if r[0] == "绩效指标")
    assert header[1:] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    total = next(r for r in values if r[0] == "总分")
    figures = evaluation_figures(evaluation)
    assert total[6:9] == [100.0, float(figures["total"]), figures["grade"]]
    indicator_rows = values[values.index(header) + 1 : values.index(total)]
    assert len(indicator_rows) == len(INDICATORS_2022)
    assert sum(r[6] for r in indicator_rows) == 90  # output 50 + benefit 30 + satisfaction 10


def test_export_command(evaluation, tmp_path):
    call_command(
        "export_self_evaluation",
        year=2022,
        format="pdf",
        output=str(tmp_path / "a.pdf"),
        stdout=io.StringIO(),
    )
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    call_command(
        "export_self_evaluation",
        year=2022,
        format="xlsx",
        output=str(tmp_path / "a.xlsx"),
        stdout=io.StringIO(),
    )
    assert load_workbook(tmp_path / "a.xlsx").active["A1"].value == "项目支出绩效自评表"
    call_command(
        "export_self_evaluation",
        year=2022,
        format="json",
        output=str(tmp_path / "a.json"),
        stdout=io.StringIO(),
    )
    data = json.loads((tmp_path / "a.json").read_text())
    assert data["funds"]["executed"] == "6060.00" and len(data["indicators"]) == len(INDICATORS_2022)


def test_export_command_names_the_years_that_have_an_evaluation_when_asked_for_one_without(
    evaluation, tmp_path
):
    with pytest.raises(CommandError) as excinfo:
        call_command("export_self_evaluation", year=2031, format="pdf", output=str(tmp_path / "a.pdf"))
    assert str(excinfo.value) == "2031 年尚未建立绩效自评，没有可导出的内容。已建立绩效自评的年度：2022。"
    assert not (tmp_path / "a.pdf").exists()


def test_export_command_exits_non_zero_when_no_year_has_an_evaluation(db, capsys):
    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(
            ["manage.py", "export_self_evaluation", "--year", "2023", "--format", "json", "-o", "-"]
        ).execute()
    assert excinfo.value.code != 0
    assert (
        "2023 年尚未建立绩效自评，没有可导出的内容。系统中还没有任何年度的绩效自评。"
        in capsys.readouterr().err
    )


def test_export_command_works_for_a_year_other_than_the_demo_one(db, tmp_path):
    SelfEvaluation.objects.create(year=2023)  # no budget, no settings, no indicators yet
    stdout = io.StringIO()
    for format in ("pdf", "xlsx", "json"):
        call_command(
            "export_self_evaluation",
            year=2023,
            format=format,
            output=str(tmp_path / f"a.{format}"),
            stdout=stdout,
        )
    assert "已导出 2023 年绩效自评（json）" in stdout.getvalue()
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert load_workbook(tmp_path / "a.xlsx").active["A2"].value == "（2023年度）"
    data = json.loads((tmp_path / "a.json").read_text())
    assert (data["year"], data["funds"]["executed"], data["indicators"]) == (2023, "0.00", [])


def test_pages_and_downloads_per_role(client_for, evaluation):
    for role in ("center", "finance", "leader", "admin"):
        client = client_for(role)
        assert client.get("/reports/self-evaluation/").status_code == 200
        assert client.get("/reports/self-evaluation/2022.xlsx").status_code == 200
    for url in (
        "/reports/self-evaluation/",
        "/reports/self-evaluation/2022.xlsx",
        "/reports/self-evaluation/2022.pdf",
    ):
        assert client_for("street").get(url).status_code == 403
    assert client_for(None).get("/reports/self-evaluation/2022/").status_code == 302
    assert client_for("nobody").get("/reports/self-evaluation/2022/").status_code == 403
    assert client_for("leader").get("/reports/self-evaluation/2031/").status_code == 404


def test_text_typed_like_a_formula_stays_text_in_the_workbook(evaluation):
    evaluation.goal_actual = '=HYPERLINK("http://evil.example","点击")'
    evaluation.save()
    indicator = evaluation.indicators.order_by("order").first()
    indicator.deviation = "=1+1\x07"
    indicator.save()
    sheet = load_workbook(io.BytesIO(self_evaluation_workbook(evaluation))).active
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells['=HYPERLINK("http://evil.example","点击")'] == "s"
    assert cells["=1+1"] == "s"  # the control character is dropped, the text kept
