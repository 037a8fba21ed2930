"""The search box of every list finds rows by each of its fields, and only those rows."""

import pytest

from assessments.models import WhistleTicket
from disbursements.models import BatchLine
from grids.models import GridStaff
from tests.security.matrix_world import build_world


@pytest.fixture
def world(users, roster, year, locked_q1):
    return build_world(users, roster, year, locked_q1)


def test_each_list_searches_its_fields(client_for, world, roster):
    center = client_for("center")
    staff = GridStaff.objects.filter(grid=roster["a"]["level4"][0]).first()
    ticket = WhistleTicket.objects.get()
    line = BatchLine.objects.filter(reason="网格员培训").get()
    cases = [
        ("/grids/staff/", staff.phone, staff.name, "b1栋"),
        ("/grids/staff/", "a1栋", staff.name, "b1栋"),
        ("/assessments/tickets/", ticket.number, ticket.number, None),
        ("/assessments/tickets/", "垃圾未清", ticket.number, None),
        ("/assessments/complaints/", "C-A", "C-A-1", "C-1"),
        (f"/funds/batches/{line.batch_id}/", "培训", "网格员培训", None),
    ]
    for url, query, present, absent in cases:
        page = center.get(url, {"q": query}).content.decode()
        assert present in page, (url, query)
        if absent:
            assert absent not in page, (url, query)
    assert "C-A-1" not in center.get("/assessments/complaints/", {"q": "无此工单"}).content.decode()
