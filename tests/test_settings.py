"""Production settings are checked in a subprocess: settings are read once, at start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    ignored = {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "CACHE_DIR",
        "S3_BUCKET",
    }
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_in_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="grid.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_database_url_selects_postgresql():
    result = _manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor, connection.settings_dict['NAME'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/some_db",
    )
    assert result.stdout.split()[-2:] == ["postgresql", "some_db"], result.stderr


def test_production_sends_cookies_over_https_only_with_hsts():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_HTTPONLY, s.AXES_ENABLED)",
        DEBUG="false",
        SECRET_KEY="x" * 50,
    )
    assert result.stdout.split()[-6:] == ["True", "True", "True", "31536000", "True", "True"], result.stderr


def test_production_redirects_to_https_except_the_health_check_of_a_load_balancer():
    result = _manage(
        "shell",
        "-c",
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/jobs/').status_code)",
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.stdout.split()[-2:] == ["200", "301"], result.stderr
