"""A street's receipt of its part of a paid batch (到账) and the 下发 to each village/community."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from disbursements.exceptions import DisbursementError
from disbursements.models import (
    BatchKind,
    BatchLine,
    BatchStatus,
    BatchTransition,
    Budget,
    DisbursementBatch,
    LineAdjustment,
    LineCategory,
    PassOn,
    StreetReceipt,
)
from disbursements.selectors_receipts import street_part, street_parts
from disbursements.services.batches import create_special_batch
from disbursements.services.receipts import PassOnEntry, confirm_receipt, correct_pass_on, pass_on
from tests.disbursements.receipt_helpers import PAID_ON, PDF, PNG, confirm, url


@pytest.fixture
def receipt(users, paid, roster):
    return confirm(users, paid, roster)


def give(users, receipt, *entries, on=dt.date(2022, 4, 28)):
    return pass_on(
        user=users["street"], receipt=receipt, passed_on=on, voucher_no="下-1", entries=list(entries)
    )


# --- receipt ---


def test_confirm_receipt_records_the_street_part_in_the_timeline_and_history(users, paid, roster, receipt):
    assert receipt.amount == Decimal("5500.00")
    step = BatchTransition.objects.filter(batch=paid, action="receive").get()
    assert step.user == users["street"] and "a街道 到账 5,500.00 元" in step.comment
    assert receipt.history.get().history_user == users["street"]
    paid.refresh_from_db()
    assert paid.status == BatchStatus.PAID


def test_confirm_receipt_refuses_dates_before_payment_or_in_the_future(users, paid, roster):
    with pytest.raises(DisbursementError, match="到账日期不能早于拨付日期（2022年4月22日）"):
        confirm(users, paid, roster, received_on=dt.date(2022, 4, 21))
    with pytest.raises(DisbursementError, match="到账日期不能晚于今天"):
        confirm(users, paid, roster, received_on=timezone.localdate() + dt.timedelta(days=1))
    assert confirm(users, paid, roster, received_on=PAID_ON).received_on == PAID_ON


def test_confirm_receipt_only_once_and_only_for_a_paid_batch(users, paid, roster, receipt):
    with pytest.raises(DisbursementError, match="已确认本批次到账"):
        confirm(users, paid, roster)
    draft = create_special_batch(user=users["center"], year=2022, title="草稿")
    with pytest.raises(DisbursementError, match="登记拨付后"):
        confirm(users, draft, roster)


@pytest.mark.parametrize("role", ["street_b", "center", "finance", "leader"])
def test_only_the_streets_own_admin_confirms(users, paid, roster, role):
    with pytest.raises(PermissionDenied):
        confirm_receipt(
            user=users[role], batch=paid, street=roster["a"]["street"], received_on=PAID_ON, voucher_no="x"
        )
    assert not StreetReceipt.objects.exists()


def test_a_net_recovery_needs_no_receipt(users, roster, paid, locked_q1):
    """A correction that takes money back from a street: the street returns it, it receives nothing."""
    recovery = DisbursementBatch.objects.create(
        budget=paid.budget,
        kind=BatchKind.CORRECTION,
        period=locked_q1,
        title="更正",
        status=BatchStatus.PAID,
        total=Decimal("-300.00"),
        paid_on=PAID_ON,
        voucher_no="V-2",
        created_by=users["center"],
    )
    BatchLine.objects.create(
        batch=recovery,
        category=LineCategory.SPECIAL,
        street=roster["a"]["street"],
        community=roster["a"]["community"],
        reason="追回",
        amount=Decimal("-300.00"),
        adjustment=LineAdjustment.RECOVERY,
    )
    assert street_part(users["street"], recovery, roster["a"]["street"].pk) is None
    with pytest.raises(DisbursementError, match=re.escape("净额为 -300.00 元，无需确认到账")):
        confirm(users, recovery, roster)


def test_scan_is_stored_under_media_root_named_by_its_content(users, paid, roster, settings):
    receipt = confirm(
        users, paid, roster, scan=SimpleUploadedFile("回执.pdf", PNG, content_type="application/pdf")
    )
    assert receipt.scan.name.endswith(".png") and "回执" not in receipt.scan.name
    assert receipt.scan.path.startswith(str(settings.MEDIA_ROOT))
    assert receipt.scan.read() == PNG


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("回执.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
            "只能是 PDF",
        ),
        (
            SimpleUploadedFile("回执.pdf", PDF + b"0" * (5 * 1024 * 1024), content_type="application/pdf"),
            "5 MB",
        ),
    ],
)
def test_scan_of_another_type_or_too_large_is_refused(users, paid, roster, upload, message):
    with pytest.raises(DisbursementError, match=message):
        confirm(users, paid, roster, scan=upload)
    assert not StreetReceipt.objects.exists()


# --- 下发 ---


def test_pass_on_every_community_its_full_share(users, roster, receipt, second_community):
    a = roster["a"]["community"]
    give(
        users,
        receipt,
        PassOnEntry(a.pk, Decimal("3000.00")),
        PassOnEntry(second_community.pk, Decimal("2000.00")),
    )
    part = street_part(users["street"], receipt.batch, receipt.street_id)
    assert (part.status, part.passed, part.held, part.own) == (
        "done",
        Decimal("5000.00"),
        Decimal("500.00"),
        500,
    )
    step = BatchTransition.objects.get(action="pass_on")
    assert "下发 2 个村（社区）5,000.00 元" in step.comment


def test_pass_on_a_different_amount_needs_a_reason(users, roster, receipt):
    a = roster["a"]["community"]
    with pytest.raises(
        DisbursementError, match=re.escape("应下发 3,000.00 元，本次 2,500.00 元：金额不同须说明原因")
    ):
        give(users, receipt, PassOnEntry(a.pk, Decimal("2500.00")))
    give(users, receipt, PassOnEntry(a.pk, Decimal("2500.00"), "扣除代垫费用 500 元"))
    assert PassOn.objects.get().reason == "扣除代垫费用 500 元"


def test_pass_on_never_more_than_received(users, roster, receipt, second_community):
    a = roster["a"]["community"]
    with pytest.raises(
        DisbursementError,
        match=re.escape("下发合计不能超过到账金额：到账 5,500.00 元，已下发 0.00 元，本次 5,600.00 元"),
    ):
        give(
            users,
            receipt,
            PassOnEntry(a.pk, Decimal("3600.00"), "含本级"),
            PassOnEntry(second_community.pk, Decimal("2000.00")),
        )
    assert not PassOn.objects.exists()  # nothing of a refused 下发 is kept
    give(users, receipt, PassOnEntry(a.pk, Decimal("3500.00"), "含街镇本级 500 元"))
    with pytest.raises(DisbursementError, match=re.escape("已下发 3,500.00 元，本次 2,001.00 元")):
        give(users, receipt, PassOnEntry(second_community.pk, Decimal("2001.00"), "多"))


def test_pass_on_refuses_a_date_before_receipt_and_another_streets_community(users, roster, receipt):
    a = roster["a"]["community"]
    with pytest.raises(DisbursementError, match="下发日期不能早于到账日期（2022年4月25日）"):
        give(users, receipt, PassOnEntry(a.pk, Decimal("3000.00")), on=dt.date(2022, 4, 24))
    with pytest.raises(DisbursementError, match="没有拨付给该村（社区）的款项"):
        give(users, receipt, PassOnEntry(roster["b"]["community"].pk, Decimal("800.00")))


def test_pass_on_is_recorded_once_then_corrected_by_new_entries(users, roster, receipt):
    a = roster["a"]["community"]
    first = give(users, receipt, PassOnEntry(a.pk, Decimal("2500.00"), "先发一部分"))[0]
    with pytest.raises(DisbursementError, match="a社区已下发；如金额有误，请登记更正"):
        give(users, receipt, PassOnEntry(a.pk, Decimal("500.00"), "补"))

    def fix(amount, reason="补发差额"):
        return correct_pass_on(
            user=users["street"],
            receipt=receipt,
            community=a,
            amount=Decimal(amount),
            passed_on=dt.date(2022, 5, 3),
            voucher_no="下-2",
            reason=reason,
        )

    with pytest.raises(DisbursementError, match="必须填写原因"):
        fix("500.00", reason=" ")
    fix("500.00")
    fix("-1000.00", "多发收回")
    with pytest.raises(DisbursementError, match=re.escape("已下发 2,000.00 元，收回不能超过这个数")):
        fix("-2000.01", "收回")
    with pytest.raises(DisbursementError, match="下发合计不能超过到账金额"):
        fix("3500.01")
    first.refresh_from_db()
    assert first.amount == Decimal("2500.00")  # never edited
    assert [p.amount for p in PassOn.objects.order_by("pk")] == [
        Decimal("2500.00"),
        Decimal("500.00"),
        Decimal("-1000.00"),
    ]
    assert BatchTransition.objects.filter(action="pass_correct").count() == 2


def test_correction_before_any_pass_on_is_refused(users, roster, receipt):
    with pytest.raises(DisbursementError, match="尚未下发，请先登记下发"):
        correct_pass_on(
            user=users["street"],
            receipt=receipt,
            community=roster["a"]["community"],
            amount=Decimal("1.00"),
            passed_on=dt.date(2022, 5, 3),
            voucher_no="x",
            reason="补",
        )


@pytest.mark.parametrize("role", ["street_b", "center", "leader"])
def test_only_the_streets_own_admin_passes_on(users, roster, receipt, role):
    with pytest.raises(PermissionDenied):
        pass_on(
            user=users[role],
            receipt=receipt,
            passed_on=dt.date(2022, 4, 28),
            voucher_no="x",
            entries=[PassOnEntry(roster["a"]["community"].pk, Decimal("3000.00"))],
        )


def test_street_parts_are_scoped(users, paid, roster):
    assert [p.street_name for p in street_parts(users["street"], batch=paid)] == ["a街道"]
    assert [p.street_name for p in street_parts(users["street_b"], batch=paid)] == ["b街道"]
    assert len(street_parts(users["leader"], batch=paid)) == 2
    assert street_part(users["street_b"], paid, roster["a"]["street"].pk) is None


def test_street_parts_of_one_batch_take_three_queries_and_name_each_community(
    users, paid, roster, second_community, receipt, django_assert_num_queries
):
    with django_assert_num_queries(3):  # lines, receipts, 下发: the batch page has the batch already
        parts = street_parts(users["center"], batch=paid)
    a = parts[0]
    assert a.batch is paid and a.receipt == receipt and a.own == Decimal("500.00")
    assert [(c.community_id, c.name, c.code, c.due) for c in a.communities] == sorted(
        [
            (roster["a"]["community"].pk, roster["a"]["community"].name, roster["a"]["community"].code, 3000),
            (second_community.pk, second_community.name, second_community.code, 2000),
        ],
        key=lambda c: c[2],
    )


# --- pages ---


def test_street_admin_confirms_and_passes_on_from_the_pages(client_for, paid, roster, second_community):
    client = client_for("street")
    page = client.get("/funds/receipts/").content.decode()
    assert "待确认到账" in page and "专项经费" in page and "b街道" not in page
    assert 'enctype="multipart/form-data"' in client.get(url(paid, roster)).content.decode()
    response = client.post(
        url(paid, roster, "confirm"),
        {"received_on": "2022-04-25", "voucher_no": "回-1", "scan": SimpleUploadedFile("r.pdf", PDF)},
    )
    assert response["Location"] == url(paid, roster, "pass-on")
    form = client.get(url(paid, roster, "pass-on")).content.decode()
    assert 'value="3,000.00"' in form and 'value="2,000.00"' in form  # written as on the page
    a = roster["a"]["community"]
    response = client.post(
        url(paid, roster, "pass-on"),
        {
            "passed_on": "2022-04-28",
            "voucher_no": "下-1",
            f"include_{a.pk}": "on",
            f"amount_{a.pk}": "3000.00",
            f"include_{second_community.pk}": "",
            f"amount_{second_community.pk}": "2000.00",
        },
    )
    assert response["Location"] == url(paid, roster)
    assert list(PassOn.objects.values_list("community_id", "amount")) == [(a.pk, Decimal("3000.00"))]
    page = client.get(url(paid, roster)).content.decode()
    assert "待下发" in page and "单独下发" in page and "更正下发" in page
    one = client.get(url(paid, roster, f"pass-on?community={second_community.pk}")).content.decode()
    assert "a二社区" in one and "a社区" not in one.split('id="pass-on-rows"')[1]
    scan = client.get(url(paid, roster, "scan"))
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    assert b"".join(scan.streaming_content) == PDF


def test_a_refused_pass_on_keeps_the_form_with_the_reason(client_for, users, paid, roster, receipt):
    a = roster["a"]["community"]
    response = client_for("street").post(
        url(paid, roster, "pass-on"),
        {
            "passed_on": "2022-04-28",
            "voucher_no": "下-1",
            f"include_{a.pk}": "on",
            f"amount_{a.pk}": "2999.00",
        },
    )
    assert response.status_code == 200
    assert "金额不同须说明原因" in response.content.decode() and not PassOn.objects.exists()
    # Also on the row it concerns, whose reason box is marked, among the street's many communities.
    assert response.context["form"].errors[f"reason_{a.pk}"]
    box = re.search(rf'<input[^>]*name="reason_{a.pk}"[^>]*>', response.content.decode()).group(0)
    assert "is-invalid" in box


def test_a_wrong_scan_is_refused_on_the_page(client_for, paid, roster):
    response = client_for("street").post(
        url(paid, roster, "confirm"),
        {
            "received_on": "2022-04-25",
            "voucher_no": "回-1",
            "scan": SimpleUploadedFile("r.pdf", b"MZ\x90\x00"),
        },
    )
    assert response.status_code == 200 and "只能是 PDF、JPEG 或 PNG" in response.content.decode()
    assert not StreetReceipt.objects.exists()


@pytest.mark.parametrize("role", ["center", "finance", "leader"])
def test_district_roles_read_without_forms(client_for, paid, roster, receipt, role):
    client = client_for(role)
    page = client.get(url(paid, roster)).content.decode()
    assert "回-1" in page and "确认到账</button>" not in page and "登记下发" not in page
    assert client.get("/funds/receipts/").status_code == 200
    assert client.get(url(paid, roster, "pass-on")).status_code == 403
    assert client.post(url(paid, roster, "confirm"), {}).status_code == 403
    batch_page = client.get(f"/funds/batches/{paid.pk}/").content.decode()
    assert 'id="street-receipts"' in batch_page and "待确认到账" in batch_page


def test_another_streets_admin_gets_404(client_for, paid, roster, receipt):
    client = client_for("street_b")
    for suffix in ("", "pass-on", "scan"):
        assert client.get(url(paid, roster, suffix)).status_code == 404
    assert (
        client.post(
            url(paid, roster, "confirm"), {"received_on": "2022-04-25", "voucher_no": "x"}
        ).status_code
        == 404
    )
    assert "a街道" not in client.get("/funds/receipts/").content.decode()


def test_anonymous_and_roleless(client_for, paid, roster):
    for path in ("/funds/receipts/", url(paid, roster)):
        assert client_for(None).get(path).status_code == 302
        assert client_for("nobody").get(path).status_code == 403


def test_the_list_opens_on_the_latest_year_with_paid_money(client_for, paid, roster):
    Budget.objects.create(year=2023, amount=Decimal("4000000.00"))  # opened, nothing paid yet
    page = client_for("street").get("/funds/receipts/").content.decode()
    assert '<option value="2022" selected>' in page and "专项经费" in page
    assert "专项经费" not in client_for("street").get("/funds/receipts/?year=2023").content.decode()


def test_a_short_pass_on_shows_what_is_still_owed(client_for, users, roster, paid, receipt):
    give(users, receipt, PassOnEntry(roster["a"]["community"].pk, Decimal("1000.00"), "先发一部分"))
    page = client_for("leader").get(url(paid, roster)).content.decode()
    assert "部分下发，差 2,000.00" in page and "下发记录（1 条）" in page


def test_a_scan_goes_through_the_storage_api_so_a_shared_store_serves_every_server(
    users, paid, roster, client_for, settings
):
    # A storage with no path on this server's disk, as an S3 bucket: storing and sending must not need one.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    receipt = confirm(users, paid, roster, scan=SimpleUploadedFile("回执.png", PNG, content_type="image/png"))
    assert receipt.scan.storage.exists(receipt.scan.name)
    assert not (settings.MEDIA_ROOT / receipt.scan.name).exists()
    download = client_for("street").get(url(paid, roster, "scan"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
