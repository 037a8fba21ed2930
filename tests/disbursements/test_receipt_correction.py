"""Correcting a confirmed receipt (更正到账信息): date, voucher or scan, with a reason; never the amount."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from disbursements.exceptions import DisbursementError
from disbursements.models import BatchTransition, StreetReceipt
from disbursements.services.receipts import PassOnEntry, community_dues, correct_receipt, pass_on
from tests.disbursements.receipt_helpers import PDF, PNG, confirm, url


@pytest.fixture
def receipt(users, paid, roster):
    return confirm(users, paid, roster, scan=SimpleUploadedFile("r.pdf", PDF))


def fix(users, receipt, role="street", **kwargs):
    values = {
        "received_on": receipt.received_on,
        "voucher_no": receipt.voucher_no,
        "reason": "银行回单号抄错",
    } | kwargs
    return correct_receipt(user=users[role], receipt=receipt, **values)


def test_a_correction_changes_date_and_voucher_keeps_the_amount_and_says_what_changed(users, paid, receipt):
    amount = receipt.amount
    fixed = fix(users, receipt, received_on=dt.date(2022, 4, 24), voucher_no="回-9")
    fixed.refresh_from_db()
    assert (fixed.received_on, fixed.voucher_no, fixed.amount) == (dt.date(2022, 4, 24), "回-9", amount)
    step = BatchTransition.objects.get(batch=paid, action="recv_correct")
    assert step.label == "更正到账信息"
    assert "到账日期 2022年4月25日 → 2022年4月24日" in step.comment and "凭证号 回-1 → 回-9" in step.comment
    assert "原因：银行回单号抄错" in step.comment
    old, new = fixed.history.order_by("history_id")
    assert (old.voucher_no, new.voucher_no, new.history_change_reason) == ("回-1", "回-9", "银行回单号抄错")


def test_a_new_scan_replaces_the_old_one_and_the_history_keeps_its_name(users, receipt):
    before = receipt.scan.name
    fixed = fix(users, receipt, scan=SimpleUploadedFile("new.png", PNG))
    assert fixed.scan.name.endswith(".png") and fixed.scan.name != before
    assert fixed.history.order_by("history_id").first().scan == before
    with fixed.scan.open("rb") as handle:
        assert handle.read() == PNG


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"reason": "  "}, "必须填写原因"),
        ({}, "没有变化"),
        ({"received_on": dt.date(2022, 4, 21)}, "到账日期不能早于拨付日期"),
        ({"voucher_no": " "}, "请填写凭证号"),
        ({"scan": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}, "只能是 PDF、JPEG 或 PNG"),
    ],
)
def test_a_refused_correction_changes_nothing(users, receipt, changes, message):
    with pytest.raises(DisbursementError, match=message):
        fix(users, receipt, **changes)
    receipt.refresh_from_db()
    assert (receipt.received_on, receipt.voucher_no) == (dt.date(2022, 4, 25), "回-1")
    assert receipt.history.count() == 1
    assert not BatchTransition.objects.filter(action="recv_correct").exists()


def test_the_date_cannot_move_after_the_first_pass_on(users, receipt):
    community_id, due = min(community_dues(receipt).items())
    pass_on(
        user=users["street"],
        receipt=receipt,
        passed_on=dt.date(2022, 4, 27),
        voucher_no="下-1",
        entries=[PassOnEntry(community_id, due)],
    )
    with pytest.raises(DisbursementError, match="不能晚于第一笔下发的日期（2022年4月27日）"):
        fix(users, receipt, received_on=dt.date(2022, 4, 28))
    assert fix(users, receipt, received_on=dt.date(2022, 4, 27)).received_on == dt.date(2022, 4, 27)


@pytest.mark.parametrize("role", ["center", "finance", "street_b"])
def test_only_the_streets_own_admin_corrects(users, receipt, role):
    with pytest.raises(PermissionDenied):
        fix(users, receipt, role=role, voucher_no="回-2")
    assert StreetReceipt.objects.get().voucher_no == "回-1"


def test_the_page_offers_the_correction_and_shows_its_record(client_for, paid, roster, receipt):
    client = client_for("street")
    page = client.get(url(paid, roster)).content.decode()
    assert 'id="receipt-fix"' in page and 'id="receipt-history"' not in page
    response = client.post(
        url(paid, roster, "fix"),
        {"fix-received_on": "2022-04-25", "fix-voucher_no": "回-1", "fix-reason": "核对"},
    )
    assert response.status_code == 200 and "到账信息没有变化" in response.content.decode()
    response = client.post(
        url(paid, roster, "fix"),
        {"fix-received_on": "2022-04-26", "fix-voucher_no": "回-1", "fix-reason": "按银行回单日期"},
        follow=True,
    )
    page = response.content.decode()
    assert "已更正到账信息" in page and "2022-04-26" in page
    assert 'id="receipt-history"' in page and "按银行回单日期" in page
    batch_page = client_for("center").get(f"/funds/batches/{paid.pk}/").content.decode()
    assert "<strong>更正到账信息</strong>" in batch_page and "<strong>确认到账</strong>" in batch_page
    assert "确认到账 <strong>已拨付" not in batch_page


def test_readers_see_the_record_but_no_form(client_for, users, paid, roster, receipt):
    fix(users, receipt, voucher_no="回-2")
    page = client_for("center").get(url(paid, roster)).content.decode()
    assert 'id="receipt-history"' in page and 'id="receipt-fix"' not in page
