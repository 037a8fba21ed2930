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

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.ignored_auth,
]


@pytest.fixture
def api_schema(db, locked_q1):
    """The schema as the running app serves it, with a quarter locked (results frozen) and three open.

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


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_route_answers_as_its_schema_says(api_schema, token, mode):
    # (schemathesis's own pytest loader does not run under this pytest; the operations are driven here)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "POST /api/v1/hotline/tickets/",
        "POST /api/v1/whistle/tickets/",
        "GET /api/v1/periods/",
        "GET /api/v1/periods/{id}/zero-complaint/",
    }
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def answers_as_documented(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        answers_as_documented()
