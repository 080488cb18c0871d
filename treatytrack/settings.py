"""Treatytrack settings: one flat module, configured only through the environment.

Every variable has a default that gives a working local set-up (SQLite, DEBUG on,
per-process cache). A value that cannot be understood stops the start-up with an
ImproperlyConfigured naming the variable, rather than silently falling back.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    url = env_str(name, default) or default
    try:
        # Connections are kept for a minute (DATABASE_CONN_MAX_AGE seconds; 0
        # behind a pooler such as PgBouncer). Checking one before each request
        # would cost a round trip to PostgreSQL per request, as much as the
        # cached pages' own query: off unless DATABASE_HEALTH_CHECKS says so.
        # Without it, a connection that broke (PostgreSQL restarted) fails one
        # request of its thread, and is then replaced (docs/performance.md).
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=env_bool("DATABASE_HEALTH_CHECKS", False),
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL Django can use: {exc}") from None
    if config["ENGINE"] not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL or SQLite, not {url!r}.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite is the embedded default for `make run`; persistent
        # connections buy nothing there and hold file locks.
        config["CONN_MAX_AGE"] = 0
    return config


def env_cache(name: str) -> dict:
    """The cache of the public pages' copies: each process's memory, or a shared Redis."""
    url = env_str(name).strip()
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        # A Redis that stops answering costs one request this long, then is left alone a while.
        options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
        prefix = env_str("CACHE_KEY_PREFIX", "treatytrack")
        backend = "treatytrack.caching.RedisCache"
        return {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": prefix, "OPTIONS": options}
    if url in ("", "locmem://"):
        # A copy is a page: about 30 KB compressed, 150 KB not.
        return {**locmem, "OPTIONS": {"MAX_ENTRIES": 500}}
    if url == "dummy://":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"{name} must be empty, redis://host:port/db or dummy://: {url!r}")


def env_mailer(name: str, *, debug: bool) -> dict:
    """smtp://user:password@host:587?tls=1 (or ssl=1, or smtps://), or console://: print mail.

    Empty means the console while DEBUG is on, and is refused when it is off: the mail
    would be password-reset links, and the console is the production logs. A server
    that truly sends no mail says so with console://.
    """
    url = env_str(name).strip()
    console = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url == "console://" or (not url and debug):
        return console
    if not url:
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is off (smtp://user:password@host:port): "
            "without a mail server, password-reset links would be written to the logs. "
            f"{name}=console:// prints mail there on purpose."
        )
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must be empty, console:// or smtp://user:password@host:port."
        )
    query = parse_qs(parts.query)
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname,
            "port": parts.port or (465 if parts.scheme == "smtps" else 587),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps" or query.get("ssl") == ["1"],
            "use_tls": query.get("tls") == ["1"],
            "timeout": 10,
        },
    }


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "states",
    "ratifications",
    # The submission and verification workflow (docs/workflow.md).
    "axes",
    "accounts",
    "missions",
    "depositary",
    "imports",
    # Background work (Django's tasks framework, queued in the database) and what it
    # delivers: e-mail and webhook alerts (docs/alerts.md).
    "django_tasks_db",
    "alerts",
    # What governments and the press report before the depositary does.
    "reports",
    # Declarations, reservations and notifications, by article (docs/workflow.md).
    "declarations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the rest: an anonymous reader's copy of a public page is served without
    # them; outside sessions, CSRF and messages, so it sees the cookies they set
    # (treatytrack/caching.py, docs/performance.md).
    "treatytrack.caching.CacheMiddleware",
    # Inside the cache: a copy is compressed once.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, but open data, always in English, does not vary on the language.
    "treatytrack.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who made each change in the audit trail.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "treatytrack.urls"
WSGI_APPLICATION = "treatytrack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "treatytrack.i18n.languages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Each process listens for new revisions (`Listener`, ratifications/models.py) on a
# connection of its own; a transaction pooler (PgBouncer) cannot pass them on: each public
# request then asks.
DATABASE_LISTEN = env_bool("DATABASE_LISTEN", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# What the app runs, in every cache key and ETag: a new release never serves an old one's
# pages. `make serve` sets it from git; set it to the release's tag or commit elsewhere.
RELEASE = env_str("RELEASE", "dev")
CACHES = {"default": {**env_cache("CACHE_URL"), "VERSION": RELEASE}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in, roles and throttling (docs/workflow.md). django-axes counts failed
# sign-ins per username and IP address together, so an attacker cannot lock a
# real user out from elsewhere, and refuses that pair for a while after too many.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "ratifications:home"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind reverse proxies, the client's address is in X-Forwarded-For: each of the
# PROXY_COUNT proxies appends the address it saw, so the one the outermost proxy
# saw is trustworthy, whatever the client itself sent (treatytrack/http.py).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "treatytrack.http.client_ip"
# The audit trail is never edited, not even by reverting from the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# The six official languages of the United Nations.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Dates as UN documents write them: English, Arabic and Russian corrected in
# treatytrack/formats, the other languages Django's own (docs/languages.md).
FORMAT_MODULE_PATH = ["treatytrack.formats"]
# The switcher's choice (treatytrack/i18n.py), remembered for a year.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True
# The depositary works at UN Headquarters: every date the tracker shows or
# computes ("today", countdowns) is a New York calendar date.
TIME_ZONE = "America/New_York"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; only production runs it.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The treaty shown at `/`.
DEFAULT_TREATY_SLUG = env_str("DEFAULT_TREATY_SLUG", "hanoi-convention")

# The largest CSV file the import page accepts; larger ones go through `import_actions`.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
if IMPORT_MAX_UPLOAD_BYTES < 1:
    raise ImproperlyConfigured("IMPORT_MAX_UPLOAD_BYTES must be a positive number of bytes.")

# The depositary's status files (docs/workflow.md, "In step with the depositary"): the
# largest accepted, and how long a fetch from the depositary may take.
UNTC_MAX_BYTES = env_int("UNTC_MAX_BYTES", 10 * 1024 * 1024)
if UNTC_MAX_BYTES < 1:
    raise ImproperlyConfigured("UNTC_MAX_BYTES must be a positive number of bytes.")
UNTC_FETCH_TIMEOUT = env_int("UNTC_FETCH_TIMEOUT", 30)
if UNTC_FETCH_TIMEOUT < 1:
    raise ImproperlyConfigured("UNTC_FETCH_TIMEOUT must be a positive number of seconds.")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        # Only behind a proxy that sets this header itself.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

MAILERS = {"default": env_mailer("EMAIL_URL", debug=DEBUG)}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "treatytrack@localhost")
# Password-reset requests: at most this many per client address, and per e-mail
# address, in a window of this many minutes (accounts/views.py); then 429.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5)
_reset_minutes = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)
PASSWORD_RESET_WINDOW = dt.timedelta(minutes=_reset_minutes)
if PASSWORD_RESET_LIMIT < 1 or _reset_minutes < 1:
    raise ImproperlyConfigured(
        "PASSWORD_RESET_LIMIT and PASSWORD_RESET_WINDOW_MINUTES must be positive numbers."
    )

# Background work: Django's tasks framework, queued in the database (no other server),
# run by `manage.py worker` (docs/alerts.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The site's address, for the links in mail that the worker writes outside any request.
SITE_URL = env_str(
    "SITE_URL", "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
).rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).hostname:
    raise ImproperlyConfigured(f"SITE_URL must be http(s)://host[:port], not {SITE_URL!r}.")

# Alerts (docs/alerts.md). A delivery that fails is tried again after ALERTS_RETRY_SECONDS,
# then twice as long each time, ALERTS_ATTEMPTS times in all; a webhook endpoint whose
# delivery fails every attempt is disabled and its owner told.
ALERTS_RETRY_SECONDS = env_int("ALERTS_RETRY_SECONDS", 60)
ALERTS_ATTEMPTS = env_int("ALERTS_ATTEMPTS", 8)
# How often the worker looks for due deliveries, retries and the daily check; and the New
# York hour from which the daily check (entry into force, the signature deadline) runs.
ALERTS_TICK_SECONDS = env_int("ALERTS_TICK_SECONDS", 60)
ALERTS_DAILY_HOUR = env_int("ALERTS_DAILY_HOUR", 7)
ALERTS_WEBHOOK_TIMEOUT_SECONDS = env_int("ALERTS_WEBHOOK_TIMEOUT_SECONDS", 10)
# Webhooks to private, loopback or link-local addresses reach into the server's own
# network: refused in production, allowed while developing and in the tests.
ALERTS_ALLOW_PRIVATE_WEBHOOKS = env_bool("ALERTS_ALLOW_PRIVATE_WEBHOOKS", DEBUG)
# The subscription pages' limits, counted like the password reset's: mail asked for one
# address, and requests that change something from one client address, in the window.
ALERTS_MAIL_LIMIT = env_int("ALERTS_MAIL_LIMIT", 5)
ALERTS_REQUEST_LIMIT = env_int("ALERTS_REQUEST_LIMIT", 30)
ALERTS_LIMIT_WINDOW = dt.timedelta(minutes=env_int("ALERTS_LIMIT_WINDOW_MINUTES", 60))
if min(ALERTS_RETRY_SECONDS, ALERTS_ATTEMPTS, ALERTS_TICK_SECONDS) < 1:
    raise ImproperlyConfigured(
        "ALERTS_RETRY_SECONDS, ALERTS_ATTEMPTS and ALERTS_TICK_SECONDS must be positive."
    )
if not 0 <= ALERTS_DAILY_HOUR <= 23:
    raise ImproperlyConfigured("ALERTS_DAILY_HOUR must be an hour of the day, 0 to 23.")
if min(ALERTS_MAIL_LIMIT, ALERTS_REQUEST_LIMIT, ALERTS_WEBHOOK_TIMEOUT_SECONDS) < 1 or (
    ALERTS_LIMIT_WINDOW.total_seconds() < 60
):
    raise ImproperlyConfigured(
        "ALERTS_MAIL_LIMIT, ALERTS_REQUEST_LIMIT, ALERTS_LIMIT_WINDOW_MINUTES and "
        "ALERTS_WEBHOOK_TIMEOUT_SECONDS must be positive numbers."
    )

# JSON lines on stdout in production, for a log collector; readable text while developing.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "treatytrack.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "stream": "ext://sys.stdout" if LOG_FORMAT == "json" else "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in and greets every start-up, commands
    # included; its warnings (failed sign-ins, lockouts) stay.
    "loggers": {
        # Django's own console handler (DEBUG) would print its lines a second time.
        "django": {"handlers": [], "level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# `/bench/trivial`, the benchmark's yardstick (bench/README.md): off unless asked for.
BENCH_TRIVIAL_VIEW = env_bool("BENCH_TRIVIAL_VIEW", False)
