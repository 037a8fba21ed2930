"""Leaders read a year's budget page without its forms; wide money tables scroll inside themselves."""

import re

from disbursements.services.batches import generate_quarterly_batch


def test_a_leader_reads_the_budget_page_without_forms(client_for, budget):
    response = client_for("leader").get("/funds/budget/2022/")
    page = response.content.decode()
    assert response.status_code == 200 and "4,000,000.00" in page
    assert "/funds/budget/2022/adjustments" not in page and "/funds/budget/2022/sources" not in page
    assert client_for("leader").post("/funds/budget/2022/adjustments", {}).status_code == 403
    assert 'href="/funds/budget/2022/"' in client_for("leader").get("/funds/?year=2022").content.decode()


def wrapped(page: str, table_id: str) -> bool:
    return re.search(rf'<div class="table-responsive"><table[^>]*id="{table_id}"', page) is not None


def test_money_tables_are_wrapped_to_scroll_on_a_phone(client_for, users, budget, locked_q1):
    batch = generate_quarterly_batch(user=users["center"], period=locked_q1)
    client = client_for("center")
    page = client.get("/funds/?year=2022").content.decode()
    assert wrapped(page, "budget-quarters")
    page = client.get("/funds/budget/2022/").content.decode()
    assert wrapped(page, "budget-sources") and wrapped(page, "budget-adjustments")
    page = client.get(f"/funds/batches/{batch.pk}/").content.decode()
    assert wrapped(page, "street-totals")
    assert '<div class="table-container table-responsive">' in page  # the line table (django-tables2)
    page = client.get("/funds/batches/").content.decode()
    assert '<div class="table-container table-responsive">' in page
