"""The 拨付通知 as a signed document: its 文号, and its 落款 on the page of the table's last rows."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from disbursements.services.batches import add_special_line, create_special_batch
from disbursements.services.workflow import apply_transition
from tests.disbursements.receipt_helpers import pay_special
from tests.factories import CommunityFactory, StreetFactory


def pages_of_notice(client, batch, street) -> list[str]:
    response = client.get(f"/funds/batches/{batch.pk}/notice/{street.pk}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


@pytest.mark.slow
@pytest.mark.parametrize("communities", [14, 16, 17, 30])
def test_the_closing_stays_on_the_page_of_the_tables_last_rows(client_for, users, budget, communities):
    street = StreetFactory(name="长街道")
    rows = [CommunityFactory(parent=street, name=f"第{i:02d}社区") for i in range(1, communities + 1)]
    batch = pay_special(users, "年终专项", [(c, "3000.00") for c in rows])
    pages = pages_of_notice(client_for("center"), batch, street)
    issuer_page = next(i for i, text in enumerate(pages) if "2022年4月22日" in text)
    assert "合计" in pages[issuer_page]
    assert f"第{communities:02d}社区" in pages[issuer_page]  # with the last row, never alone
    assert issuer_page == len(pages) - 1
    if communities >= 17:
        assert len(pages) == 2  # a real page break: the closing took rows over with it
    else:
        assert len(pages) == 1  # 14 to 16 communities: one page


def test_the_notice_carries_its_number_once_paid(client_for, users, roster, budget):
    batch = pay_special(users, "年终专项", [(roster["a"]["community"], "3000.00")])
    text = "".join(pages_of_notice(client_for("street"), batch, roster["a"]["street"]))
    assert batch.notice_no and batch.notice_no in text


def test_an_approved_batchs_notice_is_a_draft_without_a_number(client_for, users, roster, budget):
    batch = create_special_batch(user=users["center"], year=2022, title="年终专项")
    add_special_line(user=users["center"], batch=batch, payee=roster["a"]["community"], purpose="x", amount=1)
    apply_transition(batch=batch, action="submit", user=users["center"])
    apply_transition(batch=batch, action="approve", user=users["finance"])
    text = "".join(pages_of_notice(client_for("center"), batch, roster["a"]["street"]))
    assert "文号于登记拨付时编定" in text and "望网格" not in text


@pytest.mark.slow
def test_notices_only_for_approved_batches_and_streets_it_pays(client_for, users, roster, budget):
    special = create_special_batch(user=users["center"], year=2022, title="年终专项")
    add_special_line(
        user=users["center"],
        batch=special,
        payee=roster["a"]["community"],
        purpose="阵地建设",
        amount=Decimal("100"),
    )
    a, b = roster["a"]["street"].pk, roster["b"]["street"].pk
    client = client_for("leader")
    assert client.get(f"/funds/batches/{special.pk}/notice/{a}.pdf").status_code == 404  # draft
    apply_transition(batch=special, action="submit", user=users["center"])
    apply_transition(batch=special, action="approve", user=users["finance"])
    assert client.get(f"/funds/batches/{special.pk}/notice/{a}.pdf").status_code == 200
    assert client.get(f"/funds/batches/{special.pk}/notice/{b}.pdf").status_code == 404  # pays nothing there
