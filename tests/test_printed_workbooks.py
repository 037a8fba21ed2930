"""Every exported workbook as a printer gives it: LibreOffice Calc converts each to PDF (what printing does)
and the pages are read back. The 自评表 is one page with its total score; each summary is one page; no
column is cut off (every page of a table carries its whole header, which LibreOffice repeats only for the
columns it prints there).

The exports are of the demo district, at the sizes people print: one street's roster, ratings, 哨单 and
下发台账, the district's zero-complaint table and bulletin, a batch of every street and a street's part of a
quarter. Converting them all takes one LibreOffice start (about 20 s on 2 cores).
"""

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments import exports as assessment_exports
from assessments.models import AssessmentPeriod, WhistleTicket
from core.access import scope_name
from core.models import User
from disbursements import exports as disbursement_exports
from disbursements.models import BatchKind, DisbursementBatch
from grids import exports as grid_exports
from reports import exports as report_exports
from reports.dashboard import monthly_bulletin
from reports.models import SelfEvaluation
from reports.selectors import evaluation_context
from tests.workbooks import header_row

# django_db: without a test asking for the database, pytest-django creates none for the module's fixture.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# A sheet's page of a workbook of several sheets names the sheet in its footer (core.xlsx_write).
SHEET_FOOTER = re.compile(r"(\S+)\u3000第 (\d+) 页")


def printed(directory: Path, names: list[str]) -> dict[str, list[str]]:
    """Convert the workbooks to PDF with LibreOffice at once; each one's pages as text."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: run `bin/setup --dev` (it installs libreoffice-calc-nogui).")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{directory / 'profile'}",  # private: runs in parallel do not clash
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(directory),
            *(str(directory / f"{name}.xlsx") for name in names),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {
        name: [page.extract_text() for page in PdfReader(directory / f"{name}.pdf").pages] for name in names
    }


def flat(text: str) -> str:
    """A page's text without whitespace: a cell's text wrapped over lines reads as one."""
    return re.sub(r"\s+", "", text)


def sheet_pages(workbook: bytes, pages: list[str]) -> dict[str, list[str]]:
    """The printed pages of each sheet (as flat text): by the footer's sheet name when there are several."""
    titles = load_workbook(io.BytesIO(workbook), read_only=True).sheetnames
    if len(titles) == 1:
        return {titles[0]: [flat(page) for page in pages]}
    found: dict[str, list[str]] = {title: [] for title in titles}
    for page in pages:
        footer = SHEET_FOOTER.search(page)
        assert footer and footer[1] in found, page[:80]
        found[footer[1]].append(flat(page))
    return found


@pytest.fixture(scope="module")
def exports(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo district's exports and their printed pages, made once for the module inside a transaction
    rolled back afterwards (as tests/security/test_street_content_scope.py seeds it)."""
    directory = tmp_path_factory.mktemp("printed")
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", year=2022, stdout=io.StringIO())
        center, street_admin = User.objects.get(username="center"), User.objects.get(username="street")
        street = street_admin.street
        q1 = AssessmentPeriod.objects.get(year__year=2022, quarter=1)
        quarter = DisbursementBatch.objects.get(period=q1, kind=BatchKind.QUARTERLY)
        special = (
            DisbursementBatch.objects.filter(kind=BatchKind.SPECIAL, status="paid").order_by("pk").first()
        )
        evaluation = SelfEvaluation.objects.get(year=2022)
        tickets = WhistleTicket.objects.filter(street=street, collected_at__month__lte=3).select_related(
            "grid", "street"
        )
        workbooks = {
            "roster": grid_exports.roster_workbook(street_admin),
            "zero_complaint": assessment_exports.zero_complaint_workbook(center, q1),
            "ratings": assessment_exports.ratings_workbook(street_admin, q1),
            "tickets": assessment_exports.tickets_workbook(tickets, unit=scope_name(street_admin)),
            "batch": disbursement_exports.batch_workbook(center, special),
            "street_part": disbursement_exports.street_workbook(quarter, street),
            "ledger": disbursement_exports.pass_on_ledger(street_admin, street=street, year=2022),
            "bulletin": report_exports.bulletin_workbook(monthly_bulletin(2022, 5, user=center)),
            "self_evaluation": report_exports.self_evaluation_workbook(evaluation),
        }
        total_score = evaluation_context(evaluation)["total"]
        transaction.set_rollback(True)
    for name, data in workbooks.items():
        (directory / f"{name}.xlsx").write_bytes(data)
    pages = printed(directory, list(workbooks))

    return {
        "workbooks": workbooks,
        "pages": {name: [flat(page) for page in texts] for name, texts in pages.items()},
        "sheets": {name: sheet_pages(data, pages[name]) for name, data in workbooks.items()},
        "total_score": total_score,
    }


def test_the_self_evaluation_form_prints_on_one_page_with_its_total_score(exports):
    [page] = exports["pages"]["self_evaluation"]
    total = exports["total_score"]
    assert isinstance(total, Decimal) and total > 0
    assert "项目支出绩效自评表" in page and "总分" in page and f"{total:.2f}" in page
    assert "填报单位" in page and "填报日期" in page  # the sign-off block under the form


@pytest.mark.parametrize(
    "workbook, sheet",
    [
        ("batch", "拨付到各街镇"),
        ("street_part", "拨付汇总"),
        ("ledger", "到账与下发"),
        ("bulletin", "2022年5月通报"),
        ("bulletin", "资金下发情况"),
    ],
)
def test_each_summary_prints_on_one_page_with_its_title_and_total(exports, workbook, sheet):
    [page] = exports["sheets"][workbook][sheet]
    title = load_workbook(io.BytesIO(exports["workbooks"][workbook]))[sheet]["A1"].value
    assert flat(title) in page and "合计" in page and "生成日期" in page


def test_a_summary_of_money_states_its_total_in_capital_numerals(exports):
    [district] = exports["sheets"]["batch"]["拨付到各街镇"]
    [street] = exports["sheets"]["street_part"]["拨付汇总"]
    for page in (district, street):
        assert re.search(r"合计金额（大写）：[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+", page)


def test_no_column_is_cut_off_every_page_carries_the_whole_header(exports):
    """Fitted to the page's width, a table prints all its columns on each page under its repeated header;
    a column pushed off the page would print on pages of its own, without the others' headers."""
    checked = 0
    for name, data in exports["workbooks"].items():
        if name == "self_evaluation":
            continue  # a form, not a table: its own test above
        book = load_workbook(io.BytesIO(data))
        for sheet, pages in exports["sheets"][name].items():
            ws = book[sheet]
            headers = [flat(str(c.value)) for c in ws[header_row(ws)] if c.value]
            assert pages, f"{name}/{sheet} printed nothing"
            for number, page in enumerate(pages, start=1):
                missing = [header for header in headers if header not in page]
                assert not missing, f"{name}/{sheet} page {number} lacks {missing}"
            checked += len(pages)
    assert checked > 20  # the long tables (roster, ratings, lines) run over several pages
