"""Whistle tickets pay nothing: a quarter's rewards lock does not freeze them, a finalised year does."""

import datetime as dt

import pytest

from assessments.exceptions import AssessmentError, ImportRejected
from assessments.models import TicketStatus, WhistleTicket
from assessments.services import whistle as services
from reports.services import finalise_evaluation, reopen_evaluation
from tests.assessments.helpers import preview_page, workbook
from tests.assessments.test_whistle import HEADERS, T0, new_ticket, row
from tests.reports.conftest import evaluation  # noqa: F401  (the 2022 self-evaluation over a paid Q1)

FROZEN = "2022 年绩效自评已定稿，该年哨单数据已冻结"


@pytest.fixture
def finalised(users, evaluation):  # noqa: F811
    """The 2022 self-evaluation signed off by the leader (Q1 of 2022 is locked and paid)."""
    finalise_evaluation(user=users["leader"], evaluation=evaluation)
    evaluation.refresh_from_db()
    return evaluation


def test_tickets_are_recorded_imported_and_advanced_in_a_locked_quarter(users, roster, locked_q1):
    assert locked_q1.is_locked and locked_q1.contains(T0.date())
    ticket = new_ticket(users, roster)
    ticket = services.advance_ticket(
        user=users["street"], ticket=ticket, at=T0 + dt.timedelta(hours=1), department="区城管局"
    )
    assert ticket.status == TicketStatus.WHISTLED
    grid = roster["a"]["level4"][1]
    services.import_tickets(user=users["center"], data=workbook(HEADERS, [row("W1", grid, "已采集")]))
    plan = services.import_tickets(user=users["center"], data=workbook(HEADERS, [row("W1", grid)]))
    assert len(plan.updates) == 1
    assert WhistleTicket.objects.get(number="W1").status == TicketStatus.CLOSED


def test_a_finalised_year_refuses_every_ticket_write_dated_in_it(users, roster, evaluation):  # noqa: F811
    grid = roster["a"]["level4"][1]
    ticket = new_ticket(users, roster)
    services.import_tickets(user=users["center"], data=workbook(HEADERS, [row("W1", grid, "已采集")]))
    finalise_evaluation(user=users["leader"], evaluation=evaluation)

    with pytest.raises(AssessmentError, match=FROZEN):
        new_ticket(users, roster, number="S2")
    with pytest.raises(AssessmentError, match=FROZEN):
        services.advance_ticket(user=users["street"], ticket=ticket, department="区城管局")
    with pytest.raises(ImportRejected) as refused:
        services.import_tickets(
            user=users["center"], data=workbook(HEADERS, [row("W1", grid), row("W2", grid)])
        )
    errors = [str(e) for e in refused.value.plan.errors]
    assert len(errors) == 2 and all(FROZEN in e for e in errors)
    assert WhistleTicket.objects.get(number="W1").status == TicketStatus.COLLECTED
    assert not WhistleTicket.objects.filter(number__in=["S2", "W2"]).exists()
    # The same ledger again, unchanged, is not an error: nothing would change.
    plan = services.import_tickets(user=users["center"], data=workbook(HEADERS, [row("W1", grid, "已采集")]))
    assert plan.unchanged == 1

    # Another year's tickets are not frozen by 2022's sign-off.
    services.create_ticket(
        user=users["street"],
        number="S3",
        grid=roster["a"]["level4"][0],
        reporter="张三",
        collected_at=dt.datetime(2023, 1, 5, 9, tzinfo=dt.UTC),
        description="路灯不亮",
    )


def test_reopening_the_year_lets_its_tickets_change_again(users, roster, finalised):
    with pytest.raises(AssessmentError, match=FROZEN):
        new_ticket(users, roster)
    reopen_evaluation(user=users["admin"], evaluation=finalised, reason="补录遗漏的哨单")
    assert new_ticket(users, roster).number == "S1"


def test_the_import_preview_names_the_finalised_evaluation(client_for, roster, finalised):
    upload = workbook(HEADERS, [row("W9", roster["a"]["level4"][0])])
    _url, page = preview_page(client_for("center"), "/assessments/tickets/import/", upload)
    assert FROZEN in page
