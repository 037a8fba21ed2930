"""Every page and export answers in a number of queries that does not grow with the data.

The GET routes are the permission matrix's (every one a role is answered 200 on): each is counted on the
matrix's world grown once, then again after it grows a second time, each time by two streets with
villages, grids, staff, ratings, tickets, complaints and a paid special batch received and passed on. (The
first growth gives every kind of row a first instance: a page may well ask once more for the first special
batch it meets, but never once per batch or per street.) A page that queries per row fails here.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from assessments.entries import RatingInput
from assessments.models import HotlineComplaint
from assessments.services.ratings import save_ratings
from assessments.services.whistle import create_ticket
from disbursements.services.receipts import PassOnEntry, community_dues, confirm_receipt, pass_on
from tests.disbursements.receipt_helpers import pay_special
from tests.factories import (
    CommunityFactory,
    Level3Factory,
    Level4Factory,
    StaffFactory,
    StreetFactory,
    UserFactory,
)
from tests.queries import page_queries
from tests.security.matrix_world import build_world
from tests.security.test_permission_matrix import MATRIX, ROLES, path_for, url_patterns

pytestmark = pytest.mark.slow


def pages_for(role: str) -> list[str]:
    column = ROLES.index(role)
    return [
        key for key, row in MATRIX.items() if row.split()[column] == "200" and not key.startswith("admin")
    ]


def grow(users, q2, prefix: str) -> None:
    """Two more streets, each with two villages of a level-3 grid and two staffed level-4 grids, rated,
    with tickets and complaints, and a paid batch each street received and passed on."""
    from core.roles import Role

    payments = []
    for n in range(2):
        street = StreetFactory(name=f"{prefix}{n}街道")
        clerk = UserFactory(role=Role.STREET_ADMIN, street=street)
        entries = []
        for m in range(2):
            community = CommunityFactory(parent=street, name=f"{prefix}{n}{m}社区")
            level3 = Level3Factory(parent=community, name=f"{prefix}{n}{m}小区")
            level4 = [Level4Factory(parent=level3, name=f"{prefix}{n}{m}{i}栋") for i in (1, 2)]
            for grid in level4:
                StaffFactory(grid=grid)
            entries += [RatingInput(g.pk, "qualified") for g in (level3, *level4)]
            create_ticket(
                user=users["center"],
                number=f"S-{prefix}{n}{m}",
                grid=level4[0],
                reporter="王五",
                collected_at=dt.datetime(2022, 5, 6, 2, tzinfo=dt.UTC),
                category="环境卫生",
                description="占道经营",
            )
            HotlineComplaint.objects.create(
                ticket_no=f"C-{prefix}{n}{m}",
                received_at=dt.datetime(2022, 5, 7, 2, tzinfo=dt.UTC),
                received_on=dt.date(2022, 5, 7),
                street=street,
                community=community,
            )
            payments.append((community, "1000.00"))
        save_ratings(user=users["center"], period=q2, entries=entries)
        payments.append((street, "500.00"))
        users[f"clerk{n}"] = (clerk, street)
    batch = pay_special(users, f"{prefix}街道专项", payments)
    for n in range(2):
        clerk, street = users.pop(f"clerk{n}")
        receipt = confirm_receipt(
            user=clerk,
            batch=batch,
            street=street,
            received_on=dt.date(2022, 4, 25),
            voucher_no=f"N-{prefix}{n}",
        )
        pass_on(
            user=clerk,
            receipt=receipt,
            passed_on=dt.date(2022, 4, 28),
            voucher_no=f"NX-{prefix}{n}",
            entries=[PassOnEntry(c, due) for c, due in community_dues(receipt).items()],
        )
    assert batch.total == Decimal("5000.00")


@pytest.mark.parametrize("role", ["center", "street"])
def test_no_page_queries_per_row(users, roster, year, locked_q1, role):
    world = build_world(users, roster, year, locked_q1)
    routes = dict(url_patterns())
    paths = {key: path_for(key, routes[key], world) for key in pages_for(role)}
    client = Client()
    client.force_login(users[role])
    client.get("/")  # the session and the user's roles are read once per client, not per page
    q2 = year.periods.get(quarter=2)
    grow(users, q2, "甲")
    before = {key: page_queries(client, path) for key, path in paths.items()}
    grow(users, q2, "乙")
    after = {key: page_queries(client, path) for key, path in paths.items()}
    grew = [
        f"{key} ({paths[key]}): {before[key]} → {after[key]}" for key in paths if after[key] > before[key]
    ]
    assert len(paths) > 20
    assert not grew, "queries grew with the data:\n" + "\n".join(grew)
