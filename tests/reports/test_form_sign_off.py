"""The 自评表 as a document to sign: one page, the MOF form's labels, one unit for money, a sign-off block."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import services
from reports.demo import INDICATORS_2022
from reports.exports import render_self_evaluation_pdf, self_evaluation_workbook
from reports.models import SelfEvaluation
from reports.selectors import evaluation_figures, figures_as_json

FORM = {
    "project_name": "“热线+网格、吹哨+报到”专项资金",
    "department": "长沙市望城区社会治理服务中心",
    "implementer": "长沙市望城区社会治理服务中心",
    "goal_expected": "预期",
    "goal_actual": "完成",
    "issuer": "长沙市望城区社会治理服务中心",
}


def form_page(evaluation) -> str:
    """The text of the PDF's page holding the 自评表."""
    pages = PdfReader(io.BytesIO(render_self_evaluation_pdf(evaluation))).pages
    texts = [page.extract_text().replace("\n", "") for page in pages]
    return next(text for text in texts if "项目支出绩效自评表" in text and "总分" in text)


def test_the_sign_off_lines_are_edited_with_the_evaluation(client_for, evaluation):
    client = client_for("center")
    data = {
        **FORM,
        "report_date": "2023-02-24",
        "text_preparer": " 李梅 ",
        "text_preparer_phone": "0731-88123456",
    }
    assert client.post("/reports/self-evaluation/2022/edit/", data).status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.texts["preparer"], evaluation.texts["preparer_phone"]) == ("李梅", "0731-88123456")
    lines = {line["key"]: line["value"] for line in evaluation_figures(evaluation)["signature_lines"]}
    assert lines == {
        "issuer": "长沙市望城区社会治理服务中心",
        "preparer": "李梅",
        "preparer_phone": "0731-88123456",
        "report_date": "2023年2月24日",
    }
    page = client.get("/reports/self-evaluation/2022/").content.decode()
    assert 'id="sign-off"' in page and "李梅" in page and "0731-88123456" in page


def test_a_phone_that_is_not_a_phone_is_refused_and_nothing_is_saved(client_for, evaluation):
    data = {**FORM, "report_date": "2023-02-24", "text_preparer": "李梅", "text_preparer_phone": "见附件"}
    response = client_for("center").post("/reports/self-evaluation/2022/edit/", data)
    assert response.status_code == 200 and "联系电话只能含数字" in response.content.decode()
    assert "preparer" not in SelfEvaluation.objects.get(pk=evaluation.pk).texts


@pytest.mark.slow
def test_the_form_is_one_page_with_its_labels_sign_off_and_money_in_one_unit(users, evaluation):
    services.update_evaluation(
        user=users["center"],
        evaluation=evaluation,
        fields={"report_date": dt.date(2023, 2, 24)},
        texts={"preparer": "李梅", "preparer_phone": "0731-88123456"},
    )
    evaluation.refresh_from_db()
    text = form_page(evaluation)
    # The whole form on its page: the label column, each 一级指标 down to the last, the total and the block.
    for words in ("绩效指标", "产出指标", "效益指标", "满意度指标", "群众满意度", "总分"):
        assert words in text, words
    for words in (
        "填报单位（盖章）：长沙市望城区社会治理服务中心",
        "填表人：李梅",
        "联系电话：0731-88123456",
    ):
        assert words in text, words
    assert "填报日期：2023年2月24日" in text
    # The cost row in 万元 on both sides: 6,060.00 元 paid against ≤400万元.
    assert "≤400万元" in text and "0.606万元" in text and "6,060.00元" not in text


@pytest.mark.slow
def test_empty_sign_off_lines_are_left_blank_to_sign_by_hand(evaluation):
    text = form_page(evaluation)
    assert "填表人：" in text and "联系电话：" in text and "填报日期：" in text
    assert "李梅" not in text


def test_money_indicators_read_in_wan_in_the_json_too(evaluation):
    cost = next(
        i
        for i in figures_as_json(evaluation_figures(evaluation))["indicators"]
        if i["name"].startswith("全年支出")
    )
    assert (cost["target"], cost["actual"]) == ("≤400万元", "0.606万元")


def test_the_workbook_carries_the_sign_off_block_and_prints_on_a4(users, evaluation):
    services.update_evaluation(
        user=users["center"],
        evaluation=evaluation,
        fields={},
        texts={"preparer": "李梅", "preparer_phone": ""},
    )
    evaluation.refresh_from_db()
    sheet = load_workbook(io.BytesIO(self_evaluation_workbook(evaluation))).active
    cells = {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    labels = {value: coordinate for coordinate, value in cells.items() if str(value).endswith("：")}
    assert set(labels) == {"填报单位（盖章）：", "填表人：", "联系电话：", "填报日期："}
    row_of = {
        label: int("".join(ch for ch in coordinate if ch.isdigit())) for label, coordinate in labels.items()
    }
    assert cells[f"C{row_of['填报单位（盖章）：']}"] == "长沙市望城区社会治理服务中心"
    assert cells[f"G{row_of['填表人：']}"] == "李梅"
    assert f"C{row_of['联系电话：']}" not in cells  # blank, on its line: signed by hand
    assert sheet[f"C{row_of['联系电话：']}"].border.bottom.style == "thin"
    header = next(r for r in range(1, sheet.max_row + 1) if sheet[f"A{r}"].value == "绩效指标")
    span = f"A{header}:A{header + len(INDICATORS_2022)}"  # over the header and every indicator
    assert span in {str(r) for r in sheet.merged_cells.ranges}
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation, sheet.page_setup.fitToWidth) == (
        9,
        "portrait",
        1,
    )


def test_a_draft_is_not_announced_as_signed_off_and_a_finalised_one_names_who_and_when(
    client_for, users, evaluation
):
    client = client_for("center")
    page = client.get("/reports/self-evaluation/2022/").content.decode()
    assert 'id="signed-off"' not in page and "填表人" in page  # the form's block, not the sign-off notice
    services.finalise_evaluation(user=users["center"], evaluation=evaluation)
    notice = client.get("/reports/self-evaluation/2022/").content.decode().split('id="signed-off">')[1]
    assert notice.startswith(f"已由 {users['center']} 于 20") and " — " not in notice.split("</div>")[0]
