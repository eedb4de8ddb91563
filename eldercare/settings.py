"""Settings for the Jilin elderly-care portal: one module, driven by environment variables.

Nothing set means a local development setup that only answers on this machine (SQLite under
var/, Celery running tasks eagerly, localhost only). Production is DJANGO_DEBUG=0: it refuses
to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (docker-compose.yml sets it).
Every variable is documented in README.md.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ELDERCARE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", default=True)
# Production as configured (DJANGO_DEBUG=0). The test runner turns DEBUG off, never this;
# production-only guards (generate_demo) read it.
PRODUCTION = not DEBUG

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set in production (DJANGO_DEBUG=0). "
            "For local development set DJANGO_DEBUG=1 (make run does)."
        )
    # Development only (local hosts below): a fixed, clearly marked key, no real data.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set in production (comma-separated host names)."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Reverse proxies (IPs or CIDR networks) whose X-Forwarded-For and X-Request-ID are believed;
# empty: the client address is REMOTE_ADDR (core/audit.py).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR network"
        ) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "csp",
    # Core first: hierarchy, accounts and scope. Domain apps depend on it, never the reverse.
    "core",
    "facilities",
    "visits",
    "funding",
    # Reads the domain apps; nothing imports it back.
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.audit.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",
    # NUL characters and oversized JSON bodies are refused before any view reads them.
    "core.middleware.HostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "eldercare.urls"
WSGI_APPLICATION = "eldercare.wsgi.application"
ASGI_APPLICATION = "eldercare.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.unread_notifications",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Widgets render with the project's templates too (the visit form's touch-friendly choices).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user:pass@host:5432/name); without it, SQLite in
# the git-ignored var/ folder. Tests on SQLite use a file so a real Celery worker can share it.

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("DJANGO_DB_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(os.environ.get("DJANGO_SQLITE_PATH", VAR_DIR / "db.sqlite3")),
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The portal's login page and the admin's both go through the lock-out (core/login_throttle.py):
# after LOGIN_FAILURE_LIMIT failed attempts for one user name, or LOGIN_FAILURE_LIMIT_PER_ADDRESS
# from one client address, logins are refused for LOGIN_LOCKOUT_SECONDS.
AUTHENTICATION_BACKENDS = ["core.login_throttle.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = int(os.environ.get("ELDERCARE_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(
    os.environ.get("ELDERCARE_LOGIN_FAILURE_LIMIT_PER_ADDRESS", "20")
)
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("ELDERCARE_LOGIN_LOCKOUT_SECONDS", "900"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation: Simplified Chinese first, English by the language switch --------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switch is a plain form (no script reads the cookie): HTTP only, same-site, HTTPS when live.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
# Front-end libraries are vendored under static/vendor (no CDN): the portal works offline.

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Visit-log uploads -----------------------------------------------------------------------

UPLOAD_MAX_BYTES = int(os.environ.get("ELDERCARE_UPLOAD_MAX_BYTES", str(40 * 1024 * 1024)))
UPLOAD_MAX_ROWS = int(os.environ.get("ELDERCARE_UPLOAD_MAX_ROWS", "200000"))
UPLOAD_MAX_UNPACKED_BYTES = int(
    os.environ.get("ELDERCARE_UPLOAD_MAX_UNPACKED_BYTES", str(400 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Offline visitor app ---------------------------------------------------------------------

# A phone drops its cached list of people when it was not refreshed for this many days.
OFFLINE_MAX_AGE_DAYS = int(os.environ.get("ELDERCARE_OFFLINE_MAX_AGE_DAYS", "7"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# JSON bodies (the API) above this are refused with 413 before they are read (core.middleware).
API_JSON_MAX_BYTES = int(os.environ.get("ELDERCARE_API_JSON_MAX_BYTES", str(1024 * 1024)))

# --- Security (production) --------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # DJANGO_HTTPS=0: served over plain HTTP (the proxy has no certificate yet): no redirect to an
    # HTTPS port nothing serves, cookies not marked Secure (browsers would drop them), no HSTS.
    HTTPS = env_bool("DJANGO_HTTPS", default=True)
    # Behind the proxy: gunicorn sets the request's scheme from X-Forwarded-Proto only for the
    # proxy's address (--forwarded-allow-ips); Django trusts the header itself only if told so
    # (the app must then be reachable through a proxy that overwrites it, never directly).
    if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # the container health check speaks plain HTTP
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_HSTS_SECONDS = (
        int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static
# files, no inline <script>, style="" or eval; nothing may frame the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Cache ------------------------------------------------------------------------------------
# Login lock-outs and API throttling count in the cache: production shares one Redis database
# between the web workers (DJANGO_CACHE_URL=redis://...); without it, memory per process.

CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "eldercare@localhost")

# --- Celery -----------------------------------------------------------------------------------
# With no CELERY_BROKER_URL, tasks run eagerly in-process (local development and tests).

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "1800"))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django-celery-beat's tables when beat starts (Asia/Shanghai times).
CELERY_BEAT_SCHEDULE = {
    "indicators-previous-month": {
        "task": "indicators.rollup_previous_month",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
    },
    "indicators-month-to-date": {
        "task": "indicators.rollup_month_to_date",
        "schedule": crontab(minute=0, hour=2),
    },
}

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PortalPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.portal_exception_handler",
    # Per user (a token is its user) and per address for anonymous calls; 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.UserRateThrottle",
        "core.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("ELDERCARE_API_RATE_USER", "120/minute"),
        "anon": os.environ.get("ELDERCARE_API_RATE_ANON", "30/minute"),
    },
    # ?format= names a file format (csv / xlsx) on export endpoints, not a renderer.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jilin elderly-care portal API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for a choice set used by several fields (the four visit dimensions).
    "ENUM_NAME_OVERRIDES": {
        "AssessmentEnum": "visits.models.Assessment",
        "FacilityKindEnum": "facilities.choices.FacilityKind",
        "ComparisonEnum": "indicators.choices.Comparison",
        "ProgramKindEnum": "funding.models.ProgramKind",
        "ReferralKindEnum": "visits.models.ReferralKind",
    },
}

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
