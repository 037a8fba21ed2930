"""Street data stays in its street, by content: every page, export and PDF a street admin can open, on the
demo district, names no other street, none of its villages/communities or codes, and none of its amounts,
except the district-wide pages the policy allows (core.access.STREET_VISIBLE_DISTRICT_PAGES).

The URLs come from the permission matrix's table: every GET a street admin is answered 200. A new page
that a street admin can open and that leaks fails here.
"""

import io
import re
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments.models import AssessmentPeriod, HotlineComplaint, WhistleTicket
from core.access import STREET_VISIBLE_DISTRICT_PAGES
from core.models import User
from disbursements.models import BatchLine, BatchStatus, DisbursementBatch
from disbursements.selectors_receipts import street_holdings, street_parts
from grids.models import Grid, GridLevel
from reports.models import SelfEvaluation
from tests.security.test_permission_matrix import MATRIX, ROLES, path_for, url_patterns

pytestmark = pytest.mark.slow
STREET_COLUMN = ROLES.index("street")


def street_admin_pages() -> list[str]:
    """The matrix's keys a street admin GETs with 200 (the admin site's login page aside)."""
    return [
        key
        for key, row in MATRIX.items()
        if row.split()[STREET_COLUMN] == "200" and not key.startswith("admin")
    ]


def demo_world(street: Grid) -> dict:
    """URL arguments for the street's own objects in the demo, shaped like the matrix's world."""
    level4 = Grid.objects.filter(street=street, level=GridLevel.LEVEL4).order_by("code").first()
    special = DisbursementBatch.objects.get(status=BatchStatus.PAID, kind="special", budget__year=2022)
    return {
        "grids": {"pk": level4.pk, "staff_pk": level4.staff.first().pk},
        "assessments": {"pk": AssessmentPeriod.objects.get(year__year=2022, quarter=2).pk},
        "assessments:complaint": {"pk": HotlineComplaint.objects.filter(street=street).first().pk},
        "assessments:ticket": {"pk": WhistleTicket.objects.filter(grid__street=street).first().pk},
        "disbursements": {"pk": special.pk, "line_pk": 0, "street_pk": street.pk, "action": "submit"},
        "disbursements:notice": {"pk": special.pk},
        "disbursements:notice_workbook": {"pk": special.pk},
        "disbursements:receipt": {"pk": special.pk},
        "reports": {
            "year": 2022,
            "pk": SelfEvaluation.objects.get(year=2022).indicators.first().pk,
            "month": 5,
        },
        "common": {
            "community_pk": level4.community_id,
            "grid_pk": level4.pk,
            "year": 2022,
            "level": 3,
            "token": uuid.uuid4(),
            "amount": Decimal("1.00"),
        },
    }


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def others(street: Grid) -> dict[str, set[str]]:
    """What belongs to the other streets only: names, codes and each paid batch's part amounts."""
    own_grids = Grid.objects.filter(street=street) | Grid.objects.filter(pk=street.pk)
    own_names = set(own_grids.values_list("name", flat=True))
    other = Grid.objects.exclude(street=street).exclude(pk=street.pk).filter(level__lte=GridLevel.COMMUNITY)
    names = {
        name
        for name in other.values_list("name", flat=True)
        if len(name) >= 3 and not any(name in own for own in own_names)
    }
    parts = (
        BatchLine.objects.filter(batch__status=BatchStatus.PAID)
        .values("batch_id", "street_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    own_amounts = {money(p["total"]) for p in parts if p["street_id"] == street.pk}
    own_amounts |= {
        money(a) for a in BatchLine.objects.filter(street=street).values_list("amount", flat=True)
    }
    # and what the street received, passed on and holds, part by part and year by year
    admin = User.objects.get(street=street, username="street")
    for year in (2022, 2023):
        own_parts = street_parts(admin, year=year)
        own_amounts |= {
            money(getattr(p, f)) for p in own_parts for f in ("amount", "passed", "held", "owed", "own")
        }
        own_amounts |= {
            money(getattr(h, f))
            for h in street_holdings(own_parts)
            for f in ("paid", "received", "passed", "held")
        }
    amounts = {money(p["total"]) for p in parts if p["street_id"] != street.pk} - own_amounts
    # Amounts of five digits and more: smaller ones (1,500.00 a community) are everyone's alike.
    amounts = {a for a in amounts if len(a) >= len("10,000.00")}
    return {"names": names, "codes": set(other.values_list("code", flat=True)), "amounts": amounts}


def text_of(response) -> str:
    kind = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("application/pdf"):
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace("\n", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    return re.sub(r"\s+", " ", body.decode())


def leaks(text: str, forbidden: dict[str, set[str]]) -> list[str]:
    return [f"{what} {token}" for what, tokens in forbidden.items() for token in tokens if token in text]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo district, seeded once for the module inside a transaction rolled back afterwards (a flush
    would also remove the role groups the migrations made, which the tests after this module need)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", year=2022, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_a_street_admin_sees_no_other_streets_data_anywhere(demo, db):
    admin = User.objects.get(username="street")
    street = admin.street
    world = demo_world(street)
    forbidden = others(street)
    assert len(forbidden["names"]) > 100 and forbidden["amounts"]
    other = Grid.objects.filter(level=GridLevel.STREET).exclude(pk=street.pk).order_by("code").first()
    other_community = Grid.objects.filter(street=other, level=GridLevel.COMMUNITY).first()
    client = Client()
    client.force_login(admin)
    routes = dict(url_patterns())
    found, opened = [], 0
    for key in street_admin_pages():
        if key in STREET_VISIBLE_DISTRICT_PAGES:
            continue
        base = path_for(key, routes[key], world)
        # as linked, and asked by query string for another street's rows
        for path in (base, f"{base}?street={other.pk}&community={other_community.pk}&year=2023"):
            response = client.get(path)
            if response.status_code != 200:
                continue  # e.g. a form page answering 404 for the world's placeholder line
            opened += 1
            found += [f"{key} ({path}): {leak}" for leak in leaks(text_of(response), forbidden)]
    assert opened > 60
    assert not found, "\n".join(found)
