"""/healthz: whether this app server can serve, for a load balancer (no login, GET only, nothing written).

It checks the database (SELECT 1) and, only where they are configured, the shared cache (REDIS_URL) and the
job broker (CELERY_BROKER_URL): 200 with {"database": "ok", …}, or 503 naming what failed.
"""

import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, 1, timeout=10)
    try:
        if cache.get(key) != 1:
            raise RuntimeError("the cache did not keep what was written to it")
    finally:
        cache.delete(key)


def _broker() -> None:
    from kombu import Connection  # Celery's own transport library: any broker Celery is configured with

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)


def checks() -> dict:
    """The checks that apply to this configuration, by name."""
    applicable = {"database": _database}
    if settings.REDIS_URL:
        applicable["cache"] = _cache
    if settings.CELERY_BROKER_URL:
        applicable["broker"] = _broker
    return applicable


@login_not_required
@csrf_exempt  # GET only: a POST is answered 405, not turned away as a forgery
@require_GET
@never_cache
def healthz(request):
    answers, healthy = {}, True
    for name, check in checks().items():
        try:
            check()
        except Exception as exc:  # whatever the failure, the load balancer is told, and the log says why
            logger.warning("health check %s failed: %r", name, exc)
            answers[name], healthy = "failed", False
        else:
            answers[name] = "ok"
    return JsonResponse(answers, status=200 if healthy else 503)
