"""With REDIS_URL the cache and the sessions live in Redis, where every app server finds them; without it,
one machine's file cache and the database (`make run` needs nothing else)."""

import json
import uuid

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from tests.test_settings import _manage
from wangcheng.settings import shared_stores

LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def _stores_read_from(**env) -> dict:
    result = _manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.CACHES['default'], settings.CACHES['kept'], settings.SESSION_ENGINE]))",
        **env,
    )
    cache_settings, kept, engine = json.loads(result.stdout.splitlines()[-1])
    return {"cache": cache_settings, "kept": kept, "sessions": engine}


def test_without_redis_the_cache_is_a_local_file_cache_and_sessions_are_in_the_database():
    stores = _stores_read_from(CACHE_DIR="/tmp/wangcheng-cache")
    assert stores["cache"]["BACKEND"] == "core.file_cache.FileCache"
    assert stores["cache"]["LOCATION"] == "/tmp/wangcheng-cache"
    assert stores["sessions"] == "django.contrib.sessions.backends.db"
    # Kept results (core.changes) in a folder of their own: their entries never cull a job's heartbeat.
    assert stores["kept"]["BACKEND"] == stores["cache"]["BACKEND"]
    assert stores["kept"]["LOCATION"] == "/tmp/wangcheng-cache/kept"


def test_redis_url_puts_the_cache_and_the_sessions_in_redis():
    stores = _stores_read_from(REDIS_URL="redis://cache-host:6379/2")
    assert stores["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert stores["cache"]["LOCATION"] == "redis://cache-host:6379/2"
    assert stores["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert (
        stores["kept"]["LOCATION"] == "redis://cache-host:6379/2" and stores["kept"]["KEY_PREFIX"] == "kept"
    )


@pytest.fixture
def local_redis(settings):
    """The project's cache and sessions on the local Redis, under a prefix of this test's own."""
    server = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis answers at 127.0.0.1:6379 (start one to run this test)")
    prefix = f"test-{uuid.uuid4().hex}"
    caches, settings.SESSION_ENGINE = shared_stores(LOCAL_REDIS, "")
    caches["default"]["KEY_PREFIX"] = prefix
    caches["kept"]["KEY_PREFIX"] = f"{prefix}-kept"
    settings.CACHES = caches
    yield server, prefix
    for key in server.scan_iter(f"{prefix}*"):
        server.delete(key)


def test_with_redis_the_cache_and_a_login_session_are_stored_in_redis(db, users, local_redis):
    server, prefix = local_redis
    cache.set("pdf:example", b"%PDF-1.7")
    assert server.exists(f"{prefix}:1:pdf:example")

    client = Client()
    client.force_login(users["center"])
    session_key = client.session.session_key
    assert server.exists(f"{prefix}:1:django.contrib.sessions.cached_db{session_key}")
    # Written through to the database too: a Redis restart logs nobody out.
    assert Session.objects.filter(session_key=session_key).exists()
    # A request carrying the cookie is served from Redis: the login holds with the database row gone.
    Session.objects.filter(session_key=session_key).delete()
    other = Client()
    other.cookies = client.cookies
    assert other.get("/jobs/").status_code == 200
    server.delete(f"{prefix}:1:django.contrib.sessions.cached_db{session_key}")
    assert other.get("/jobs/").status_code == 302  # and gone from both, it is gone


def test_s3_bucket_makes_the_stored_files_go_to_a_private_s3_compatible_bucket():
    result = _manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))",
        S3_BUCKET="wangcheng-files",
        S3_ENDPOINT_URL="https://minio.example.gov.cn",
    )
    storage = json.loads(result.stdout.splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "wangcheng-files"
    assert storage["OPTIONS"]["endpoint_url"] == "https://minio.example.gov.cn"
    assert storage["OPTIONS"]["default_acl"] == "private" and storage["OPTIONS"]["querystring_auth"]


def test_without_s3_bucket_the_stored_files_stay_under_media_root():
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    )
    assert result.stdout.splitlines()[-1] == "django.core.files.storage.FileSystemStorage", result.stderr
