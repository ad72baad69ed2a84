"""Settings for the obligation tracker.

One file, driven by environment variables, one section per concern (core, database, security,
static files, e-mail, tasks, obligations, logging). The embedded default (SQLite and django-q2's
ORM broker) needs no other service. PRODUCTION=true turns on everything a public deployment
needs (HTTPS only, HSTS, secure cookies) and refuses to start without a real SECRET_KEY;
`manage.py check --deploy` is then clean.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key(path: Path) -> str:
    """This install's own key, made on first run and read on later ones (outside production).

    A fixed key in the source would let anyone forge a demo install's signed links (unsubscribe,
    sessions). The file is written whole under a temporary name and then linked into place, so
    two processes starting at once (runserver and qcluster) end up with the same key."""
    cannot = f"cannot read or make {path}: set SECRET_KEY or SECRET_KEY_FILE"
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    except OSError as error:
        raise RuntimeError(f"{cannot} ({error})") from error
    if key:
        return key
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise RuntimeError(f"{cannot} ({error})") from error
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(tmp, path)  # fails if another process got there first: use its key
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    if not (key := path.read_text().strip()):
        raise RuntimeError(f"{path} is empty: delete it, or set SECRET_KEY")
    return key


# Core ------------------------------------------------------------------------------------------
PRODUCTION = envbool("PRODUCTION", False)
DEBUG = envbool("DEBUG", False) and not PRODUCTION
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("PRODUCTION=true needs SECRET_KEY (50+ random characters)")
    # Local runs, the demo and tests: a random key per install, kept in a file git ignores.
    SECRET_KEY = local_secret_key(Path(os.environ.get("SECRET_KEY_FILE", BASE_DIR / ".secret_key")))
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "django_filters",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here: no CDN
    "obligations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "obligations.middleware.refuse_nul",  # a NUL in an address: 400 before any view reads it
    "obligations.middleware.part_cache_header",  # X-Part-Cache, for benchmarks only
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (@login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view that waited too long for the database's write lock: 503 "try again", not a 500.
    "obligations.busy.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a clear 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
            ],
        },
    },
]

# Cache: per process by default; CACHE_URL=redis://... to share it between processes. It holds
# rendered feeds (keyed by their ETag) and the costly parts of dashboard pages (keyed by the data
# version read from the database, obligations/versions.py), so it is never the source of truth.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 200},
    }
}
if os.environ.get("CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CACHE_URL"],
    }
# Benchmarks (bench/mixed_load.py): each page built from cached parts says whether it hit.
PART_CACHE_HEADER = envbool("PART_CACHE_HEADER")

# Calendar feeds: the domain in every event's UID (obligations/feeds.py:uid_domain). Empty: the
# host of SITE_URL. Changing it changes every UID, so subscribers would see each event twice
# until they subscribe again: the default keeps the UIDs deployments have always served.
FEED_UID_DOMAIN = os.environ.get("FEED_UID_DOMAIN", "obligation-tracker")
# Gzip feeds for clients that accept it; FEED_GZIP=false if an app fails on it (Outlook was
# reported to: markuspoerschke/iCal#541).
FEED_GZIP = envbool("FEED_GZIP", True)
# A public, read-only record (orders, obligations, due dates, what agencies reported and what was
# verified; never internal notes or files not marked public): PUBLIC_SITE=true. The demo turns it on.
PUBLIC_SITE = envbool("PUBLIC_SITE", False)

# The JSON API (obligations/api/): Django REST framework, OpenAPI by drf-spectacular. Reads take a
# token or a session; writes only a token ("Authorization: Bearer ..."), so no CSRF question.
# JSON only: DRF's browsable pages carry inline scripts the CSP refuses; the docs are Swagger UI.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "obligations.api.tokens.BearerTokenAuthentication",
        "obligations.api.tokens.SessionReadAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "obligations.api.errors.handle",
    # Per person, in the cache (per process unless CACHE_URL is set): a runaway script slows
    # down with 429 and Retry-After instead of holding the database's write lock.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_read": os.environ.get("API_READ_RATE", "600/minute"),
        "api_write": os.environ.get("API_WRITE_RATE", "60/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Obligation tracker API",
    "DESCRIPTION": "Orders, obligations and their tracks (occurrences); progress on a track.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page: for a token or a signed-in session, like everything else.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Database --------------------------------------------------------------------------------------
# DATABASE_URL (postgres://user:pass@host:5432/name), or DB_ENGINE=postgres with DB_NAME, DB_USER,
# DB_HOST, DB_PORT, DB_PASSWORD; otherwise SQLite in the checkout.
if os.environ.get("DATABASE_URL"):
    import dj_database_url

    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
elif os.environ.get("DB_ENGINE", "sqlite") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("DB_NAME", "tracker"),
            "USER": os.environ.get("DB_USER", "postgres"),
            "PASSWORD": os.environ.get("DB_PASSWORD", ""),
            "HOST": os.environ.get("DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DB_PORT", "5432"),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DB_NAME", BASE_DIR / "db.sqlite3"),
            # WAL and IMMEDIATE transactions let the web process and the django-q2 workers share
            # the file without "database is locked" errors (ECOSYSTEM.md §1).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                # Seconds a write waits for the lock before "database is locked" (then 503).
                "timeout": envint("SQLITE_TIMEOUT", 20),
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

# Security --------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username+address first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = envint("PROXY_COUNT", 0)  # reverse proxies in front (for the address)
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Our own pages load only our own files: no inline script, no plug-ins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Obligation dates belong to the orders' jurisdiction; reminder times use this zone too.
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Uploads larger than the import form accepts are refused before they reach memory. This limit
# counts form fields only, not uploaded files: an evidence file above FILE_UPLOAD_MAX_MEMORY_SIZE
# is spooled to a temporary file on disk, then checked against EVIDENCE_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The import preview posts 5 fields per draft, and an order may have up to
# obligations.extraction.MAX_OBLIGATIONS (3,000) of them; Django's default of 1,000 fields
# refused any order with more than about 198.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5 * 3000 + 100
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Static files: in production WhiteNoise serves them (hashed, compressed) from the app server
# after `collectstatic`; runserver and the test server serve them otherwise.
if PRODUCTION:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Evidence files (obligations/evidence.py) go through Django's storage API: MEDIA_ROOT on local
# disk by default; an S3-compatible bucket when EVIDENCE_S3_BUCKET is set (pip install ".[s3]").
# They are only ever served through the signed-in download view, never from MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
if os.environ.get("EVIDENCE_S3_BUCKET"):
    # Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID..., an instance role).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["EVIDENCE_S3_BUCKET"],
            "endpoint_url": os.environ.get("EVIDENCE_S3_ENDPOINT") or None,
            "region_name": os.environ.get("EVIDENCE_S3_REGION") or None,
            "default_acl": None,  # the bucket's own (private): no object is ever public-read
            "querystring_auth": True,  # any URL the storage makes is signed and expires
            "file_overwrite": False,  # an upload never takes an existing object's name
        },
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Reminder runs: one time budget, from which django-q2's timeout and retry follow. When the task
# times out, django-q2 raises inside it wherever it is, typically while it waits for the SMTP
# server's reply to a message: the server has it, the row stays claimed and, after the lease, it is
# sent again. So a run stops beginning messages once REMINDER_RUN_SECONDS are spent (what is left
# goes out in a follow-up run), and the timeout leaves room for the last message begun before
# then. tests/test_reminder_budget.py asserts these relations.
REMINDER_RUN_SECONDS = envint("REMINDER_RUN_SECONDS", 180)
# Each blocking socket operation of an SMTP conversation may take up to EMAIL_TIMEOUT; one message
# waits up to five times: the replies to MAIL FROM, RCPT TO and DATA, the body, the final reply.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
SMTP_WAITS_PER_MESSAGE = 5
# After the server's reply the row is marked sent: one UPDATE, which on SQLite may wait up to the
# busy timeout (20 s, DATABASES above) for the write lock.
REMINDER_MARK_SECONDS = envint("REMINDER_MARK_SECONDS", 20)
# 180 + 5 * 20 + 20 = 300 s: every message a run begins is marked before the timeout. (The QUIT
# after the last one may still be cut short: harmless, every row is marked by then.)
Q_TIMEOUT = REMINDER_RUN_SECONDS + SMTP_WAITS_PER_MESSAGE * EMAIL_TIMEOUT + REMINDER_MARK_SECONDS
# The ORM broker hands a task it has not heard back about to another worker after `retry`: a minute
# above the timeout, so the first run is finished or dead by then and never runs twice at once.
Q_RETRY = Q_TIMEOUT + 60
# A claim older than the lease is taken back (its worker died): longer than any run can live (the
# timeout, and the few seconds django-q2's guard gives before it kills a worker), so the claims of
# a run still alive are never taken by another. Claims are stamped with the run's start time.
REMINDER_LEASE_MINUTES = envint("REMINDER_LEASE_MINUTES", 10)

# django-q2: the ORM broker is the embedded default; without "orm" django-q2 picks Redis.
# catch_up off so a worker that was down does not replay every missed schedule run.
Q_CLUSTER = {
    "name": "tracker",
    "workers": envint("Q_WORKERS", 2),
    "timeout": Q_TIMEOUT,
    "retry": Q_RETRY,
    "max_attempts": 3,
    "catch_up": False,
    "ack_failures": True,
    "save_limit": 250,
}
# Q_BROKER=redis (with REDIS_HOST, REDIS_PORT, REDIS_DB) in production; the ORM otherwise.
if os.environ.get("Q_BROKER", "orm") == "redis":
    Q_CLUSTER["redis"] = {
        "host": os.environ.get("REDIS_HOST", "127.0.0.1"),
        "port": envint("REDIS_PORT", 6379),
        "db": envint("REDIS_DB", 0),
    }
else:
    Q_CLUSTER["orm"] = "default"

# Outgoing webhooks (obligations/webhooks.py, webhook_delivery.py). Each network wait of a POST
# (connect, TLS, send, the reply) may take WEBHOOK_TIMEOUT seconds; a run stops claiming after
# WEBHOOK_RUN_SECONDS, so a run lasts at most 60 + 4 * 5 + 20 (the last row's update on SQLite's
# busy timeout) = 100 s, inside Q_TIMEOUT; a claim's lease outlasts any run (Q_RETRY included),
# so a delivery a live run holds is never taken by another. tests/test_webhooks.py checks this.
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", 5)
WEBHOOK_RUN_SECONDS = envint("WEBHOOK_RUN_SECONDS", 60)
WEBHOOK_LEASE_MINUTES = envint("WEBHOOK_LEASE_MINUTES", 10)
# Minutes before the 2nd, 3rd, ... attempt (the last repeats); given up after WEBHOOK_MAX_ATTEMPTS.
WEBHOOK_BACKOFF_MINUTES = [1, 5, 30, 120, 720]
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 6)
# http:// addresses (https is required otherwise, except for this machine's own address).
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", False)
# Deliveries to private networks and this machine (10.x, 192.168.x, 127.x, ...). Link-local
# (169.254.169.254, a cloud's metadata service) is refused whatever this says.
WEBHOOK_ALLOW_PRIVATE = envbool("WEBHOOK_ALLOW_PRIVATE", False)

# E-mail: SMTP when EMAIL_HOST is set, else the console (the demo needs no mail server).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
# EMAIL_TIMEOUT is with the reminder run's budget (tasks, above).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Obligation tracker <tracker@localhost>")
# Links in e-mails point here (no request to take the host from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The Date header in TIME_ZONE with its offset ("-0400"), not UTC as "-0000" ("zone unknown",
# RFC 5322 3.3), which some clients show as the wrong local time.
EMAIL_USE_LOCALTIME = True
# List-Id (RFC 2919) of the reminders, for people's mail filters: a name under this install's host.
REMINDER_LIST_ID = os.environ.get(
    "REMINDER_LIST_ID", f"reminders.{urlsplit(SITE_URL).hostname or 'localhost'}"
)
# Reminders for a day go out from this hour (TIME_ZONE); the lease is with the run's budget above.
REMINDER_HOUR = envint("REMINDER_HOUR", 8)
# Messages one person gets from one reminder run at most; the rest go in one more, a digest.
REMINDER_MAX_PER_PERSON = envint("REMINDER_MAX_PER_PERSON", 20)
# Overdue reminders go out once a week, on this weekday (0 Monday ... 4 Friday), for all of a
# person's overdue items; on the next business day when it is a federal holiday.
REMINDER_OVERDUE_WEEKDAY = envint("REMINDER_OVERDUE_WEEKDAY", 0)
# A department's staff see, act on and hear of its components' tracks (DHS staff: ICE's);
# off, every agency's staff only their own (obligations/hierarchy.py).
AGENCY_PARENTS_ACT_FOR_COMPONENTS = envbool("AGENCY_PARENTS_ACT_FOR_COMPONENTS", True)

# Defaults for the conventions stored on each obligation (obligations.schedule.Conventions).
# "calendar": count calendar days as public trackers do; "roll": move a due date that falls on a
# weekend or US federal holiday to the next business day (FRCP 6(a) style).
OBLIGATION_DEFAULTS = {
    "day_count": os.environ.get("DEFAULT_DAY_COUNT", "calendar"),
    "periods": os.environ.get("DEFAULT_PERIODS", "anchor"),
    "horizon_years": envint("DEFAULT_HORIZON_YEARS", 4),
}

# The Federal Register's API (manage.py import_fr --number / --signed-from); tests point it at a
# local server.
FEDERAL_REGISTER_API = os.environ.get(
    "FEDERAL_REGISTER_API", "https://www.federalregister.gov/api/v1"
)

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# dictConfig, after making every log record in the process redact feed paths where it is made:
# gunicorn's access and error logs, which it configures itself, included.
LOGGING_CONFIG = "obligations.logfilters.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_feed_tokens": {"()": "obligations.logfilters.RedactFeedTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_feed_tokens"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own loggers log through the same redacting handler (runserver's access lines too).
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
