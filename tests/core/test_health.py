"""/healthz answers a load balancer: the database always, the cache and the broker only where configured."""

import socket

import pytest
from django.test import Client
from django.urls import reverse

from wangcheng.settings import shared_stores


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def alone(settings):
    """One machine, as `make run`: no Redis, no broker."""
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = ""


def test_healthy_with_the_database_only_and_no_login(db, alone):
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_post_is_refused_without_a_csrf_token_being_asked(db, alone):
    response = Client(enforce_csrf_checks=True).post(reverse("healthz"))
    assert response.status_code == 405


def test_a_database_that_fails_answers_503(db, alone, monkeypatch):
    from core import health

    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_database", broken)
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "failed"}


def test_a_configured_cache_that_does_not_answer_answers_503(db, alone, settings):
    url = f"redis://127.0.0.1:{_unused_port()}/0"
    settings.REDIS_URL = url
    settings.CACHES, _ = shared_stores(url, "")
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failed"}


def test_a_configured_broker_is_checked_and_only_then(db, alone, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_unused_port()}/0"
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "failed"}


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379 to check against")
def test_a_reachable_redis_cache_and_broker_are_ok(db, alone, settings):
    url = "redis://127.0.0.1:6379/15"
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    settings.CACHES, _ = shared_stores(url, "")
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}
