"""API clients for the tests of the data-exchange API's routes (core.api): a test client carrying a
registered client's token."""

from django.test import Client

from core import api_clients


def api_client(users, *scopes, name="市级系统") -> Client:
    """A test client calling with the token of a client registered with these scopes."""
    client, token = api_clients.register_client(user=users["admin"], name=name, scopes=list(scopes))
    http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    http.api_client = client
    return http


def problem_fields(response) -> list[str]:
    """The parameters a 400 problem names."""
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def refusal(response) -> str:
    """What a 403 problem says (which scope the client lacks)."""
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    return response.json()["detail"]
