"""The API against its own OpenAPI schema, property-based (schemathesis): for every route, generated
requests — valid and not — are answered as the schema says (documented status codes, content types and
bodies, problem details included) and never with a server error; a call without the token is refused."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from core import api_clients
from core.models import ApiScope
from tests.security.matrix_world import build_world

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.ignored_auth,
]


@pytest.fixture
def world(users, roster, year, locked_q1):
    """A quarter locked (results frozen), a paid batch passed on, the 2022 evaluation (the matrix's world)."""
    return build_world(users, roster, year, locked_q1)


@pytest.fixture
def api_schema(world):
    """The schema as the running app serves it.

    The calls go through the WSGI handler itself, which closes the database connection after each request
    (as Django's own test client does, that is switched off here: the test's transaction must live on)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(users, settings):
    settings.API_RATE = "100000/min"  # the generated calls are many; the limit has tests of its own
    _client, token = api_clients.register_client(
        user=users["admin"], name="契约测试", scopes=list(ApiScope.values)
    )
    return token


def call_all(strategy, headers: dict, statuses: set[int]) -> None:
    """Every case the strategy generates, called and checked against the schema; their statuses kept."""

    @given(case=strategy)
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def answers_as_documented(case):
        statuses.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    answers_as_documented()


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_route_answers_as_its_schema_says(api_schema, world, token, mode):
    # (schemathesis's own pytest loader does not run under this pytest; the operations are driven here)
    headers = {"Authorization": f"Bearer {token}"}
    # replacing the token last: after it, the token the others use is gone
    operations = sorted(
        (result.ok() for result in api_schema.get_all_operations()),
        key=lambda op: op.path.endswith("/rotate/"),
    )
    assert {op.label for op in operations} >= {
        "POST /api/v1/hotline/tickets/",
        "POST /api/v1/whistle/tickets/",
        "GET /api/v1/periods/",
        "GET /api/v1/periods/{id}/zero-complaint/",
    }
    # Objects that exist, for a route's path: generated ids alone would find nothing but 404s.
    existing = {"/periods/{id}/": world["api"]["pk"], "/batches/{id}/": world["disbursements:notice"]["pk"]}
    answered: dict[str, set[int]] = {}
    for operation in operations:
        strategies = [operation.as_strategy(generation_mode=mode)]
        for part, pk in existing.items():
            if part in operation.path:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters={"id": pk}))
        if "{year}" in operation.path:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters={"year": 2022}))
        for strategy in strategies:
            call_all(strategy, headers, answered.setdefault(operation.label, set()))
    # the generated calls got past the token and the scope: every route answered 200 to some of them
    if mode == GenerationMode.POSITIVE:
        assert {label for label, statuses in answered.items() if 200 in statuses} == set(answered), answered
