"""Newsroom settings.

Everything that differs between a laptop and production comes from the
environment. The defaults are safe: DEBUG is off, and with DEBUG off the site
refuses to start without a real SECRET_KEY. The local run and test scripts
turn DEBUG on (or supply a key) explicitly.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsroom.storage import media_storages, media_origin

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-local-development-key-never-used-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (50+ random characters), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "axes",
    "articles",
    "articles.workflow",
    "articles.people",
    "articles.notes",
    "media",
]
# Development, test and benchmark tools (the dump generator, the benchmark's
# hello view): on in development and in the test suite, never in production.
DEVTOOLS = env_bool("DEVTOOLS", DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cached reader pages are answered here; nothing below runs for them.
    "articles.reader.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An address spraying passwords over many user names waits (newsroom.login_throttle).
    "newsroom.login_throttle.AddressThrottleMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

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
                "articles.reader.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Database: DATABASE_URL selects the engine; the default is an SQLite file.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An import and an editor saving at the same time must not see
    # "database is locked": WAL lets readers run beside the writer, writers
    # take the lock up front (IMMEDIATE) and wait for it (timeout) instead of
    # failing half-way through a transaction. Connections are kept between
    # requests (CONN_MAX_AGE) here too: opening one and setting its pragmas
    # cost more than all of an article page's queries.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, for tests: the import tests start other processes
    # on the same database. One per test run, so parallel runs do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/uploads/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "uploads"))

# Photos: editors' uploads are kept as they came in "originals", which is
# never served; readers get renditions (media.photos) from "default",
# under names that change with their content, so they may be cached for a
# year. Local folders unless MEDIA_STORAGE=s3 selects an S3-compatible
# object store, which several app servers can share.
ORIGINALS_ROOT = Path(os.environ.get("ORIGINALS_ROOT", VAR_DIR / "originals"))
_media_storage, _originals_storage = media_storages(os.environ, originals_root=ORIGINALS_ROOT)

STORAGES = {
    "default": _media_storage,
    "originals": _originals_storage,
    "staticfiles": {
        # Compressed, content-hashed files: safe to cache for a year.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATICFILES_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

# Tags: "ISIS" and "isis" are one tag. The database enforces it too
# (a unique constraint on the lower-cased name of articles.Tag).
TAGGIT_CASE_INSENSITIVE = True

# Security. HTTPS settings are on unless explicitly switched off, so that a
# local production-mode run behind no TLS proxy can still be tried.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if SECURE_HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords
# for one user from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES,
# even with the right password. By user *and* address, so that nobody can
# lock an editor out from elsewhere. Unlock: `manage.py axes_reset_username NAME`,
# or delete the entry under Axes › Access attempts in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every command; failures and lockouts are still logged
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
# Wrong passwords from one address, over every user name, before that address waits too.
NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
# How many proxies in front of the site append to X-Forwarded-For (0: none,
# REMOTE_ADDR is the client).
NEWSROOM_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# E-mail (notes' @mentions): Django's SMTP backend when EMAIL_HOST is set, else written to the
# console, so a development machine sends nothing.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "true").lower() in ("1", "true", "yes")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

NEWSROOM_PAGE_SIZE = 20

# Reader site.
NEWSROOM_SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
NEWSROOM_API_PAGE_SIZE = 20
NEWSROOM_FEED_SIZE = 30

# Cache: local memory unless CACHE_URL (or REDIS_URL) names a shared one, so
# that several processes and app servers see one another's changes.
# redis://, rediss:// and unix:// select Redis; locmem:// is the default, said
# explicitly (the test settings do).
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            # A stalled Redis must not hold requests for long.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
    }
else:
    raise ImproperlyConfigured(f"CACHE_URL must start with redis://, rediss://, unix:// or be locmem://, not {CACHE_URL!r}")
# Reader pages are cached until content changes (see articles/reader/cache.py);
# PAGE_CACHE_SECONDS=0 renders every request. A per-process cache cannot see
# changes made by other processes (an import, another worker), so its content
# version expires quickly; a shared cache keeps it until the next change.
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
# With Redis, each process hears every change as it is published and asks
# Redis about a page it keeps only then; at the latest after this long, in
# case a notice went missing. 0 asks on every request.
NEWSROOM_KEY_CHECK_SECONDS = int(os.environ.get("KEY_CHECK_MS", "10000")) / 1000
NEWSROOM_CONTENT_VERSION_SECONDS = (
    None if CACHES["default"]["BACKEND"].endswith("RedisCache") else int(os.environ.get("LOCAL_CACHE_SECONDS", "30"))
)
# Edge caches to purge by surrogate key when content changes (Varnish with
# xkey: a PURGE request with an xkey-purge header), comma-separated.
NEWSROOM_PURGE_URLS = env_list("PURGE_URL", [])
# Names the deployed code in cache keys and ETags; a digest of the sources when empty.
NEWSROOM_RELEASE = os.environ.get("RELEASE", "")

# Photo uploads: refused above these, with a message naming the limit.
NEWSROOM_PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_MB", "30")) * 1024 * 1024
NEWSROOM_PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_MEGAPIXELS", "50")) * 1_000_000

# Content-Security-Policy for every response. No inline scripts or styles
# anywhere; JSON-LD is data, never executed, so it needs no exception.
_media_origin = media_origin(os.environ, MEDIA_URL)
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY") or "; ".join([
    "default-src 'self'",
    f"img-src 'self' data: {_media_origin}".strip(),
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
