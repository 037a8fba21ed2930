"""The whistle-ticket template and export are read back whole: their 网格名称 checks the grid's code."""

import io

from openpyxl import load_workbook

from assessments.importers.whistle import build_ticket_plan
from assessments.models import WhistleTicket
from assessments.services import whistle as services
from tests.assessments.helpers import preview_page, workbook
from tests.assessments.test_whistle import HEADERS, row

WITH_NAME = [*HEADERS[:2], "网格名称", *HEADERS[2:]]


def _named_row(number, grid, name):
    cells = row(number, grid)
    return [*cells[:2], name, *cells[2:]]


def _headers(data: bytes) -> list[str]:
    return [c.value for c in load_workbook(io.BytesIO(data)).active[1]]


def test_the_template_has_no_column_the_import_leaves_unused(client_for, roster):
    client = client_for("center")
    template = client.get("/assessments/tickets/export.xlsx?blank=1").content
    headers = _headers(template)
    assert "网格名称" in headers
    grid = roster["a"]["level4"][0]
    values = dict(zip(WITH_NAME, _named_row("W1", grid, grid.name), strict=True))
    values["街镇"] = roster["a"]["street"].name
    data = workbook(headers, [[values.get(h) for h in headers]])
    _url, page = preview_page(client, "/assessments/tickets/import/", data)
    assert "未使用的列" not in page and "新增" in page


def test_an_exported_ledger_is_read_back_unchanged(client_for, users, roster):
    grid = roster["a"]["level4"][0]
    services.import_tickets(user=users["center"], data=workbook(HEADERS, [row("W1", grid), row("W2", grid)]))
    export = client_for("center").get("/assessments/tickets/export.xlsx").content
    plan = build_ticket_plan(export)
    assert not plan.errors and not any("未使用的列" in n for n in plan.notes), plan.notes
    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (0, 0, 2)


def test_a_grid_name_beside_its_code_is_checked(roster):
    grid, other = roster["a"]["level4"]
    plan = build_ticket_plan(
        workbook(
            WITH_NAME,
            [
                _named_row("W1", grid, f" {grid.name} "),  # written loosely, still its name
                _named_row("W2", grid, other.name),
                _named_row("W3", grid, None),  # blank: the code alone decides
            ],
        )
    )
    assert [str(e) for e in plan.errors] == [
        f"Sheet 第3行「网格名称」：网格名称“{other.name}”与所填网格“a街道/a社区/a小区/{grid.name}”不符，请核对。"
    ]
    assert not WhistleTicket.objects.exists()


def test_blank_ticket_template_has_only_the_headers(client_for, users, roster):
    services.import_tickets(
        user=users["center"], data=workbook(HEADERS, [row("B1", roster["a"]["level4"][0])])
    )
    ws = load_workbook(
        io.BytesIO(client_for("center").get("/assessments/tickets/export.xlsx?blank=1").content)
    ).active
    assert ws.max_row == 1 and ws["A1"].value == "哨单编号"
