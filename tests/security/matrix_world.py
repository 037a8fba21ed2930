"""The objects every URL of the permission matrix points at: all of them in street a."""

import datetime as dt
import uuid
from decimal import Decimal

from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.entries import RatingInput
from assessments.models import HotlineComplaint
from assessments.services.ratings import save_ratings
from assessments.services.whistle import create_ticket
from core.api_clients import register_client
from core.jobs import start_job
from core.models import ApiCall, PendingImport
from disbursements.services.batches import add_special_line, create_special_batch, generate_quarterly_batch
from disbursements.services.receipts import PassOnEntry, community_dues, confirm_receipt, pass_on
from disbursements.services.workflow import apply_transition
from grids.exports import roster_workbook
from reports.demo import seed_evaluation
from reports.models import SelfEvaluation
from tests.factories import date_approval


def build_world(users, roster, year, locked_q1) -> dict:
    """Return the URL keyword arguments, by parameter name, for the objects of street a."""
    a = roster["a"]
    q2 = year.periods.get(quarter=2)
    complaint = HotlineComplaint.objects.create(
        ticket_no="C-A-1",
        received_at=dt.datetime(2022, 5, 3, 2, tzinfo=dt.UTC),
        received_on=dt.date(2022, 5, 3),
        street=a["street"],
        community=a["community"],
    )
    ticket = create_ticket(
        user=users["center"],
        number="S-A-1",
        grid=a["level4"][0],
        reporter="张三",
        collected_at=dt.datetime(2022, 5, 4, 2, tzinfo=dt.UTC),
        category="环境卫生",
        description="垃圾未清运",
    )
    save_ratings(user=users["center"], period=q2, entries=[RatingInput(a["level4"][0].pk, "qualified")])
    paid = generate_quarterly_batch(user=users["center"], period=locked_q1)
    apply_transition(batch=paid, action="submit", user=users["center"])
    apply_transition(batch=paid, action="approve", user=users["finance"])
    date_approval(paid, dt.date(2022, 4, 22))
    apply_transition(
        batch=paid, action="pay", user=users["finance"], paid_on=dt.date(2022, 4, 22), voucher_no="V-1"
    )
    receipt = confirm_receipt(
        user=users["street"],
        batch=paid,
        street=a["street"],
        received_on=dt.date(2022, 4, 25),
        voucher_no="回-1",
        scan=SimpleUploadedFile("回执.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    # one community's share passed on, so the 下发 rows have something to show
    community_id, due = min(community_dues(receipt).items())
    pass_on(
        user=users["street"],
        receipt=receipt,
        passed_on=dt.date(2022, 4, 28),
        voucher_no="下-1",
        entries=[PassOnEntry(community_id, due)],
    )
    draft = create_special_batch(user=users["center"], year=2022, title="专项经费")
    line = add_special_line(
        user=users["center"],
        batch=draft,
        payee=a["community"],
        purpose="网格员培训",
        amount=Decimal("800.00"),
    )
    seed_evaluation(2022)
    # center's own roster upload waiting for confirmation: the roster as exported, so nothing would change
    pending = PendingImport.objects.create(
        user=users["center"],
        kind="grids.roster",
        filename="花名册.xlsx",
        content=roster_workbook(users["center"]),
    )
    AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    # center's finished roster export, with its workbook
    job, _started = start_job(
        user=users["center"], kind="grids.roster_export", key="matrix", title="导出网格花名册", params={}
    )
    evaluation = SelfEvaluation.objects.get(year=2022)
    # an external system of the API, with a call in its log (the admin's pages of both have an object)
    api_client, _token = register_client(user=users["admin"], name="12345热线平台", scopes=["results:read"])
    ApiCall.objects.create(client=api_client, method="GET", path="/api/v1/periods/", status=200)
    return {
        "api": {"pk": q2.pk},
        "grids": {"pk": a["level4"][0].pk, "staff_pk": a["level4"][0].staff.first().pk},
        "assessments": {"pk": q2.pk},
        "assessments:complaint": {"pk": complaint.pk},
        "assessments:ticket": {"pk": ticket.pk},
        "disbursements": {
            "pk": draft.pk,
            "line_pk": line.pk,
            "street_pk": a["street"].pk,
            "action": "submit",
        },
        "disbursements:notice": {"pk": paid.pk},
        "disbursements:notice_workbook": {"pk": paid.pk},
        "disbursements:receipt": {"pk": receipt.batch_id},
        "grids:import_preview": {"token": pending.pk},
        "job": {"pk": job.pk},
        "reports": {"year": 2022, "pk": evaluation.indicators.order_by("order").first().pk, "month": 5},
        "common": {
            "community_pk": a["community"].pk,
            "grid_pk": a["level4"][0].pk,
            "year": 2022,
            "level": 3,
            "token": uuid.uuid4(),
            "amount": Decimal("1.00"),
        },
        "admin": {
            "object_id": str(a["level4"][0].pk),
            "content_type_id": str(ContentType.objects.get_for_model(Group).pk),
            "id": str(users["center"].pk),
        },
    }
