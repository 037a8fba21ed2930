"""Every route of the API, for every kind of client, GET and POST, against one table of expected statuses.

Columns: no token, a revoked client's token, and a client holding only one scope each (hotline:push,
whistle:push, results:read, disbursements:read), then one holding them all. A POST sends an empty JSON
object: a client let through gets 400 (no items) from a push route and 405 from a read route; a GET of a
push route is 405 to a client with its scope. Every answer but the schema and its page is problem details.
The site's own matrix (test_permission_matrix.py) shows that no session, of any role, is let in.
"""

import pytest
from django.test import Client

from core import api_clients
from core.models import ApiScope
from tests.security.matrix_world import build_world
from tests.security.test_permission_matrix import path_for, url_patterns

CLIENTS = ("none", "revoked", "hotline", "whistle", "results", "disbursements", "all")
SCOPES = {
    "hotline": [ApiScope.PUSH_HOTLINE],
    "whistle": [ApiScope.PUSH_WHISTLE],
    "results": [ApiScope.READ_RESULTS],
    "disbursements": [ApiScope.READ_DISBURSEMENTS],
    "all": list(ApiScope.values),
}

# fmt: off
API_MATRIX = {
    #                          GET: none revoked hotline whistle results disbursements all | POST
    'api:hotline_tickets':     "401 401 405 403 403 403 405 | 401 401 400 403 403 403 400",
    'api:whistle_tickets':     "401 401 403 405 403 403 405 | 401 401 403 400 403 403 400",
    'api:periods':             "401 401 403 403 200 403 200 | 401 401 403 403 405 403 405",
    'api:zero_complaint':      "401 401 403 403 200 403 200 | 401 401 403 403 405 403 405",
    'api:ratings':             "401 401 403 403 200 403 200 | 401 401 403 403 405 403 405",
    'api:evaluation':          "401 401 403 403 200 403 200 | 401 401 403 403 405 403 405",
    'api:grids':               "401 401 403 403 200 403 200 | 401 401 403 403 405 403 405",
    'api:batches':             "401 401 403 403 403 200 200 | 401 401 403 403 403 405 405",
    'api:batch_streets':       "401 401 403 403 403 200 200 | 401 401 403 403 403 405 405",
    'api:batch_communities':   "401 401 403 403 403 200 200 | 401 401 403 403 403 405 405",
    # last: a client that replaced its token calls with the old one no more
    'api:token_rotate':        "401 401 405 405 405 405 405 | 401 401 200 200 200 200 200",
}
# fmt: on
DESCRIBED = {"api:schema", "api:docs"}  # the interface's description, open to all (the site's matrix)


@pytest.fixture
def world(users, roster, year, locked_q1):
    return build_world(users, roster, year, locked_q1)


@pytest.fixture
def callers(users, settings):
    settings.API_RATE = "100000/min"
    tokens = {"none": None}
    for name, scopes in SCOPES.items():
        _client, tokens[name] = api_clients.register_client(
            user=users["admin"], name=f"客户端{name}", scopes=scopes
        )
    revoked, tokens["revoked"] = api_clients.register_client(
        user=users["admin"], name="已吊销", scopes=list(ApiScope.values)
    )
    api_clients.revoke_client(user=users["admin"], client=revoked)
    return {
        name: Client(**({"HTTP_AUTHORIZATION": f"Bearer {t}"} if t else {})) for name, t in tokens.items()
    }


def _api_routes() -> dict[str, str]:
    return {key: route for key, route in url_patterns() if key.startswith("api:")}


def test_every_api_route_has_a_row(db):
    assert set(_api_routes()) - DESCRIBED == set(API_MATRIX)


@pytest.mark.slow
def test_every_client_gets_the_expected_status_on_every_api_route(callers, world):
    routes, mismatches = _api_routes(), []
    # a batch's routes point at a paid batch (street receipts and 下发 exist), the evaluation at 2022
    kwargs = {**world, "api": {**world["api"], "pk": world["disbursements:notice"]["pk"]}}
    for key, row in API_MATRIX.items():
        values = kwargs if key.startswith("api:batch") else world
        path = path_for(key, routes[key], values)
        expected = row.split()
        want = {"GET": expected[: len(CLIENTS)], "POST": expected[len(CLIENTS) + 1 :]}
        for method in ("GET", "POST"):
            for name, status in zip(CLIENTS, want[method], strict=True):
                client = callers[name]
                response = (
                    client.get(path)
                    if method == "GET"
                    else client.post(path, {}, content_type="application/json")
                )
                if str(response.status_code) != status:
                    mismatches.append(
                        f"{method} {path} ({key}) as {name}: expected {status}, got {response.status_code}"
                    )
                elif response.status_code != 200 and response["Content-Type"] != "application/problem+json":
                    mismatches.append(
                        f"{method} {path} as {name}: {response['Content-Type']}, not problem details"
                    )
    assert not mismatches, "\n".join(mismatches)
