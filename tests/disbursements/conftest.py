"""Fixtures shared by the tests of the money's last mile (到账与下发)."""

import pytest

from tests.disbursements.receipt_helpers import pay_special
from tests.factories import CommunityFactory


@pytest.fixture
def second_community(roster):
    return CommunityFactory(parent=roster["a"]["street"], name="a二社区")


@pytest.fixture
def paid(users, roster, budget, second_community):
    """Street a gets 3,000 + 2,000 for two communities and 500 for itself; street b 800."""
    a = roster["a"]
    return pay_special(
        users,
        "专项经费",
        [
            (a["community"], "3000.00"),
            (second_community, "2000.00"),
            (a["street"], "500.00"),
            (roster["b"]["community"], "800.00"),
        ],
    )
