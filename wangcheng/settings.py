"""Settings for the 望城区 grid-management incentive fund, read from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "core.apps.WangchengAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API documentation page's Swagger UI, served from this machine
    "core.apps.LoginSecurityConfig",  # django-axes
    "core",
    "grids",
    "assessments",
    "disbursements",
    "reports",
]

MIDDLEWARE = [
    "core.changes.marks_once_a_request",  # kept results: the change marks read once a request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wangcheng.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Django's form renderer with <select> written in Python (the same markup, a sixth of the time).
FORM_RENDERER = "core.widgets.FormRenderer"

WSGI_APPLICATION = "wangcheng.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or import writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: PostgreSQL's JIT would compile a large count (the city-scale grid overview) for
    # longer than it runs. An `options` given in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "email")},
    },
    {"NAME": "core.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes, core.throttle): after LOGIN_FAILURES_PER_USER wrong passwords for one
# username from one address that pair is refused, and after LOGIN_FAILURES_PER_ADDRESS from one address
# under any usernames (password spraying) the address is, until the cool-off has passed; a successful
# login resets that user's own count only.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.backends.ModelBackend",  # Django's, with a user's permissions and roles kept between requests
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
LOGIN_FAILURES_PER_USER = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
# Higher than the per-user limit: the staff of one office share its router's address.
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_FAILURE_LIMIT = "core.throttle.failure_limit"
AXES_HANDLER = "core.throttle.LoginThrottleHandler"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address, and a lockout by address would lock
# a username for everyone. PROXY_COUNT (1 behind nginx) makes core.http.client_ip take the address the
# nearest proxy wrote into X-Forwarded-For instead.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
# In development whitenoise serves straight from the finders; production serves the collected files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    # Stored uploads and the files jobs made go through Django's storage API only (FileField): MEDIA_ROOT on
    # a disk every app server mounts, or an S3-compatible bucket (S3_BUCKET, below).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads are read in memory and parsed, never stored where they could be served back; the one exception,
# a street's scanned 到账回执, is kept under MEDIA_ROOT (no MEDIA_URL: it is sent only by a view that checks
# the reader's street scope).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# S3-compatible storage (MinIO, a cloud's object storage) instead of MEDIA_ROOT: needs django-storages with
# boto3 installed beside the app (`pip install "django-storages[s3]"`), which the default install leaves out.
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("S3_SECRET_KEY") or None,
            "default_acl": "private",  # files are sent by views that check who asks, never linked to
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
# The rating page posts four fields per grid of one village/community (assessments.forms): room for 1,200
# grids, where Django's default (1,000 fields) would refuse a save of 249.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Rows one workbook import may carry: a city-wide 12345 quarter is about 20,000.
MAX_IMPORT_ROWS = int(os.environ.get("MAX_IMPORT_ROWS", "60000"))
# An upload larger than this is parsed for its preview, and applied, as background jobs (core.jobs) with a
# progress page; a smaller one inside the request, at once.
IMPORT_JOB_BYTES = int(os.environ.get("IMPORT_JOB_BYTES", str(256 * 1024)))
# The district this installation serves: rows of other districts in a city-wide export are never matched.
DISTRICT_NAME = os.environ.get("DISTRICT_NAME", "望城区")
# Days after the district pays within which a street should confirm receipt and pass every share on;
# past them the part is on the center's overdue list.
PASS_ON_OVERDUE_DAYS = int(os.environ.get("PASS_ON_OVERDUE_DAYS", "15"))
# The 文号 of a 拨付通知: {year} is the year of its date (the payment day), {number} that year's sequence
# number (1, 2, 3 …, never reused). Changing it changes only the numbers given afterwards.
NOTICE_NUMBER_FORMAT = os.environ.get("NOTICE_NUMBER_FORMAT", "望网格〔{year}〕{number}号")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# Messages ride in a signed cookie, and only what does not fit in one in the session (Django's default):
# a message kept in the session cost two session writes (database and cache) for each save and the page
# after it, a twentieth of a server's time under the load test.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from this site; no inline
# script or style attribute anywhere (behaviour lives in static/js/app.js, looks in static/css/app.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws form controls with data: SVG images
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer asks each app server over plain HTTP whether it is healthy (core.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Cookies go over HTTPS only. SECURE_COOKIES=0 is for a plain-HTTP run on loopback (the browser tests
    # and the load test), never for a deployment.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The cache holds the self-evaluation PDFs (cached by content, reports.exports), parsed import sheets and the
# progress of running jobs. Without REDIS_URL a file cache on this machine serves its workers (`make run`
# needs no other service); with it (e.g. redis://127.0.0.1:6379/1) the cache, and the sessions, live in
# Redis, where every app server finds them.
REDIS_URL = os.environ.get("REDIS_URL", "")


def shared_stores(redis_url: str, cache_dir: str) -> tuple[dict, str]:
    """CACHES and SESSION_ENGINE: Redis when a URL is given, else this machine's file cache and the database."""
    # "kept": the results core.changes keeps (figures, list tables) and the tables' change marks, apart from
    # the default cache so that their many entries never cull a job's heartbeat or a parsed upload.
    if not redis_url:
        file_cache = "core.file_cache.FileCache"  # Django's, listing its directory less often
        cache = {"BACKEND": file_cache, "LOCATION": cache_dir, "OPTIONS": {"MAX_ENTRIES": 3000}}
        kept = {
            "BACKEND": file_cache,
            "LOCATION": str(Path(cache_dir) / "kept"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
        return {"default": cache, "kept": kept}, "django.contrib.sessions.backends.db"
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        # A Redis that does not answer fails a request (and the health check) within seconds, not minutes.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    }
    kept = {**cache, "KEY_PREFIX": "kept"}
    # cached_db: a session is read from Redis and written through to the database, so a Redis restart
    # (or an eviction) logs nobody out.
    return {"default": cache, "kept": kept}, "django.contrib.sessions.backends.cached_db"


CACHES, SESSION_ENGINE = shared_stores(
    REDIS_URL, os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache"))
)
# Bump when a PDF template changes, so that cached PDFs are not served any more.
PDF_TEMPLATE_VERSION = 3

# Background jobs (core.jobs). With CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) a Celery worker runs
# them (`celery -A wangcheng worker`); without one, a thread of the web process does, and nothing else need
# be running. JOBS_RUNNER=eager runs a job inside the request that starts it (the tests do).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_IGNORE_RESULT = True  # a job's state and result live in core.Job, not in a result backend
CELERY_TASK_ACKS_LATE = True  # a job taken by a worker that dies is not lost with it
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
JOBS_RUNNER = os.environ.get("JOBS_RUNNER", "celery" if CELERY_BROKER_URL else "thread")
# A running job beats every JOBS_HEARTBEAT_SECONDS; one silent for JOBS_STALE_SECONDS is read as failed.
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "2"))
JOBS_STALE_SECONDS = int(os.environ.get("JOBS_STALE_SECONDS", "60"))
# A job still queued after JOBS_QUEUED_SECONDS (no worker took it) is read as failed too.
JOBS_QUEUED_SECONDS = int(os.environ.get("JOBS_QUEUED_SECONDS", "600"))
# A finished job, and the file it made, is kept this many days (for 我的任务), then deleted.
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", "30"))


# The data-exchange API (/api/v1/, core.api): external systems call it with tokens (core.models.ApiClient).
API_RATE = os.environ.get("API_RATE", "600/min")  # calls per client
API_PUSH_MAX = 500  # items in one push
API_LOG_KEEP_DAYS = int(os.environ.get("API_LOG_KEEP_DAYS", "180"))  # days the call log keeps a call
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.api_auth.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["core.api_auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api_auth.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.problem_details",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,  # money travels as "1234.50", never as a binary float
}
SPECTACULAR_SETTINGS = {
    "TITLE": "望城区网格化管理专项资金 数据交换接口",
    "DESCRIPTION": (
        "供12345热线平台、网格 App 与市级系统调用。调用方由系统管理员登记，使用令牌："
        "`Authorization: Bearer wc_…`。错误以 problem details（application/problem+json）返回。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.document_problems"],
}
