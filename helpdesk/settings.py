"""Settings, read from the environment, each with an embedded default.

No ``DATABASE_URL`` means a SQLite file beside ``manage.py``; no ``REDIS_URL`` means the
in-memory channel layer (one process only). ``HELPDESK_ENV=production`` turns on the checks
that refuse an unsafe deployment (development secret key, wildcard ``ALLOWED_HOSTS``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-insecure-helpdesk-key-change-me"


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but a clear yes or no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


HELPDESK_ENV = os.environ.get("HELPDESK_ENV", "development").strip().lower()
if HELPDESK_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("HELPDESK_ENV must be 'development' or 'production'")
PRODUCTION = HELPDESK_ENV == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "Production refuses the development SECRET_KEY: set SECRET_KEY to 32+ random characters"
        )
    if "*" in ALLOWED_HOSTS or not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production refuses a wildcard or empty ALLOWED_HOSTS: list the served host names")
    if DEBUG:
        raise ImproperlyConfigured("Production refuses DEBUG=true")
    # Several processes share state only through PostgreSQL and Redis: the embedded defaults
    # (a SQLite file, the in-memory layer) would silently split the helpdesk per process.
    if not os.environ.get("DATABASE_URL", "").strip():
        raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL), not the embedded SQLite file")
    if not os.environ.get("REDIS_URL", "").strip():
        raise ImproperlyConfigured("Production needs REDIS_URL, not the in-memory channel layer")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # HTTPS only: browsers remember it (HSTS), plain HTTP is redirected. Behind a load balancer
    # that ends TLS, it says so in X-Forwarded-Proto (trusted only when TRUST_X_FORWARDED_PROTO).
    SECURE_HSTS_SECONDS = int(os.environ.get("HELPDESK_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HELPDESK_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("HELPDESK_HSTS_PRELOAD", False)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check health over plain HTTP
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "chat",
    "agents",
    "reports",
    "knowledge",
    "bot",
    "privacy",
    "integrations",
    "assist",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its answer (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

# --- Content Security Policy (django-csp) ------------------------------------------------------

# Every page the helpdesk serves (console, reports, admin, help centre, demo, login, API docs)
# loads scripts only from this server, and talks only to it (WebSockets included: 'self' covers
# ws: and wss: of the same host). Styles allow inline <style> blocks and attributes, which the
# templates use; no script is ever inline. The widget on customers' sites is under their CSP.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

# --- Sign-in throttling (django-axes) ----------------------------------------------------------

# The console's and the admin's sign-in share one form backend: after AXES_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is locked out for AXES_COOLOFF_TIME,
# even with the right password. A success resets the count. The address is the connection's
# (behind a load balancer, run daphne with --proxy-headers so that it is the visitor's).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("HELPDESK_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("HELPDESK_LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agents.lockout.locked_out_response"
AXES_VERBOSE = False

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "helpdesk.asgi.application"

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

# --- Database -------------------------------------------------------------------------------

SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    # Persistent connections default to off: under ASGI each request may run on another thread,
    # and Django's docs advise against them there; a pooler (PgBouncer) is the scalable answer.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", 0)))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable PostgreSQL must fail a call within about two seconds, not hang it: libpq's
    # connect timeout (2 s is its minimum) and, per statement, a server-side timeout (docs/deploy.md).
    # DB_STATEMENT_TIMEOUT_MS=0 sends no such option (PgBouncer refuses unknown startup options).
    if "postgresql" in DATABASES["default"]["ENGINE"]:  # libpq's options; a sqlite:// URL has none
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", 2))
        if statement_timeout := int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", 30000)):
            DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={statement_timeout}"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
            # deadlocking on a lock upgrade; WAL lets readers run beside the writer.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so that server processes started by the tests share it.
            "TEST": {"NAME": str(BASE_DIR / f".test-{os.getpid()}.sqlite3")},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME", "test_helpdesk")
    # A pool of open connections per process (psycopg_pool, Django's answer for ASGI). Without
    # it, Channels closes the connection after every database_sync_to_async call, so each socket
    # frame opened a new PostgreSQL connection, which cost more than the frame's own queries
    # (docs/performance.md). On by default in production; DB_POOL=true turns it on elsewhere.
    if env_bool("DB_POOL", PRODUCTION):
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise ImproperlyConfigured("DB_POOL needs DB_CONN_MAX_AGE=0: a pool replaces persistent connections")
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", 2)),
            "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", 10)),
            # How long a call waits for a free connection; also how long it waits while PostgreSQL
            # is unreachable before the socket answers `unavailable` (docs/deploy.md).
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", 1.5)),
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer --------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", 1))
if REDIS_URL:
    # The Pub/Sub layer sends one PUBLISH per group_send, whatever the number of listeners.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # A Redis that does not answer fails a connection attempt within a second
                # (chat/layer_guard.py carries on without it and retries).
                "hosts": [{"address": REDIS_URL, "socket_connect_timeout": REDIS_CONNECT_TIMEOUT}],
                "prefix": os.environ.get("CHANNEL_PREFIX", "helpdesk"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Cache -----------------------------------------------------------------------------------

# Throttle counters must be shared by every process: Redis when there is one, else this process.
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: an unreachable Redis reads as an empty cache (helpdesk/cache.py).
            "BACKEND": "helpdesk.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": 2},
            "KEY_PREFIX": os.environ.get("CHANNEL_PREFIX", "helpdesk") + "-cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks ------------------------------------------------------------------------

# Timers (answer timeouts, team fallback, offline grace, SLA, inactivity) run as django-tasks
# on the database backend: `python manage.py db_worker`, as many workers as you like.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Email ---------------------------------------------------------------------------------------

# Without EMAIL_HOST, mail is printed on the console (the embedded default).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "helpdesk@localhost")
# Who hears about trouble by mail (a webhook endpoint disabled for persistent failure): comma-separated addresses.
ADMINS = [(a.strip(), a.strip()) for a in os.environ.get("ADMINS", "").split(",") if a.strip()]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Auth, i18n, static ---------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Serve what `collectstatic` wrote to STATIC_ROOT: hashed names cached for a year, gzip copies, and
# ES module imports that name the hashed files (helpdesk/staticfiles.py). On by default in
# production, where the deploy runs collectstatic; the embedded default serves static/ as it is.
STATIC_COLLECTED = env_bool("STATIC_COLLECTED", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "helpdesk.staticfiles.ModuleManifestStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = DEBUG
# Unhashed names (the widget's stable loader.js) are cached briefly, so a deploy reaches every site.
WHITENOISE_MAX_AGE = 0 if DEBUG else 60
# The widget's modules and stylesheet load from other origins (the sites that embed it): module
# scripts need CORS, so every static file says Access-Control-Allow-Origin: * (they are public).
WHITENOISE_ALLOW_ALL_ORIGINS = True
# Uploaded attachments. Never served as public URLs: only through views that check who asks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# --- API --------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chat.api.authentication.ConsoleSessionAuthentication",  # 401 without a sign-in, as documented
        # API tokens (integrations/authentication.py): act as their agent, within their scope.
        "integrations.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "integrations.authentication.TokenScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's parsers, with JSON refusing text that cannot be stored (chat/unicode.py).
    "DEFAULT_PARSER_CLASSES": [
        "chat.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "chat.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Budgets per agent, per widget contact token and per client address (chat/api/throttles.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "chat.api.throttles.CallerRateThrottle",
        "chat.api.throttles.AddressRateThrottle",
        "integrations.throttles.TokenRateThrottle",  # per API token, on top of its user's budget
    ],
    "DEFAULT_THROTTLE_RATES": {
        "agent": os.environ.get("HELPDESK_API_RATE_AGENT", "1200/min"),
        "widget": os.environ.get("HELPDESK_API_RATE_WIDGET", "120/min"),
        "address": os.environ.get("HELPDESK_API_RATE_ADDRESS", "600/min"),
        "token": os.environ.get("HELPDESK_API_RATE_TOKEN", "600/min"),
    },
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": (
        "Conversations, transcripts and history for the agent console and the widget, and the write API for "
        "integrations: API tokens (Authorization: Bearer hd_...), Idempotency-Key on every POST (docs/api.md)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ serves Swagger UI from the drf-spectacular-sidecar package: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a "status" field: name each set of choices.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": ["waiting", "open", "pending", "resolved"],
        "ArticleStatusEnum": "knowledge.choices.ArticleStatus",
    },
}

# --- Helpdesk limits --------------------------------------------------------------------------


def _limit(name: str, default: str) -> tuple[int, int]:
    """A creation budget from the environment: "COUNT/SECONDS" (0/... turns it off)."""
    count, _, seconds = os.environ.get(name, default).partition("/")
    return int(count), int(seconds or 3600)


HELPDESK = {
    # Webhooks (integrations): may endpoints be on private, loopback or link-local addresses (an
    # intranet install, tests)? Checked when saved and at every delivery. Attempts kept per endpoint.
    "WEBHOOKS_ALLOW_PRIVATE": env_bool("HELPDESK_WEBHOOKS_ALLOW_PRIVATE", False),
    "WEBHOOK_LOG_KEEP": int(os.environ.get("HELPDESK_WEBHOOK_LOG_KEEP", 500)),
    # How long a worker holds an endpoint's deliveries; one that died leaves them after this long.
    "WEBHOOK_LEASE_SECONDS": int(os.environ.get("HELPDESK_WEBHOOK_LEASE_SECONDS", 120)),
    # What anonymous visitors may create, per client address and per inbox (chat/creation_limits.py).
    "CREATION_LIMITS": {
        "contact_per_address": _limit("HELPDESK_CONTACTS_PER_ADDRESS", "30/3600"),
        "contact_per_inbox": _limit("HELPDESK_CONTACTS_PER_INBOX", "3000/3600"),
        "conversation_per_address": _limit("HELPDESK_CONVERSATIONS_PER_ADDRESS", "10/3600"),
        "conversation_per_inbox": _limit("HELPDESK_CONVERSATIONS_PER_INBOX", "1000/3600"),
    },
    # Room for a full-length message of 4-byte characters plus the frame around it.
    "MAX_FRAME_BYTES": int(os.environ.get("HELPDESK_MAX_FRAME_BYTES", 32 * 1024)),
    "MAX_MESSAGE_CHARS": int(os.environ.get("HELPDESK_MAX_MESSAGE_CHARS", 5000)),
    "AUTH_TIMEOUT_SECONDS": float(os.environ.get("HELPDESK_AUTH_TIMEOUT", 10)),
    "RESUME_BATCH": 500,
    # How often the timer sweep runs; timers fire at most this late.
    "TIMER_INTERVAL_SECONDS": float(os.environ.get("HELPDESK_TIMER_INTERVAL", 10)),
    # An agent socket that sent nothing (the console pings every 25 s) for this long is gone.
    "AGENT_HEARTBEAT_TIMEOUT_SECONDS": 90,
    # chat computes queue positions; the estimate of the wait comes from the router.
    "WAIT_ESTIMATOR": "agents.routing.estimate_waits",
    "AGENTS_ONLINE_CHECK": "agents.routing.agents_online",
    # Where the helpdesk is reached from outside, for links in emails.
    "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000"),
    # A visitor who has not rated this long after the resolution gets the survey by email.
    "RATING_EMAIL_DELAY_SECONDS": int(os.environ.get("HELPDESK_RATING_EMAIL_DELAY", 120)),
    # Attachments: the largest file accepted, and the most pixels an image may decode to.
    "MAX_ATTACHMENT_BYTES": int(os.environ.get("HELPDESK_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)),
    "MAX_IMAGE_PIXELS": 40_000_000,
    # An agent's reply in an offline conversation is emailed this long after, if still unread.
    "OFFLINE_REPLY_EMAIL_DELAY_SECONDS": int(os.environ.get("HELPDESK_OFFLINE_REPLY_EMAIL_DELAY", 60)),
    # A visitor may have one conversation's transcript emailed once per this many seconds.
    "TRANSCRIPT_EMAIL_INTERVAL_SECONDS": int(os.environ.get("HELPDESK_TRANSCRIPT_EMAIL_INTERVAL", 600)),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A Redis outage is logged once by chat.layer_guard, not as a traceback per second.
    "filters": {"layer_outage": {"()": "chat.layer_guard.ReceiveFailureFilter"}},
    "loggers": {"channels_redis.pubsub": {"filters": ["layer_outage"]}},
}

# --- Knowledge base and bot (docs/bot.md) -----------------------------------------------------

KNOWLEDGE = {
    # The sentence encoder (a dotted path to a class, knowledge/encoder.py); empty: keywords only.
    "ENCODER": os.environ.get("HELPDESK_KB_ENCODER", "knowledge.encoder.BlendedEncoder"),
}
BOT = {
    # An optional language model that words the answer from the retrieved articles only: any
    # OpenAI-compatible endpoint (base URL ending before /chat/completions). Off while unset.
    "LLM_URL": os.environ.get("HELPDESK_BOT_LLM_URL", "").strip(),
    "LLM_MODEL": os.environ.get("HELPDESK_BOT_LLM_MODEL", "").strip(),
    "LLM_API_KEY": os.environ.get("HELPDESK_BOT_LLM_API_KEY", "").strip(),
    # Past this the bot hands off instead of waiting (a visitor is waiting too).
    "LLM_TIMEOUT_SECONDS": float(os.environ.get("HELPDESK_BOT_LLM_TIMEOUT", 5)),
    # A turn still running after this is handed off (the answer, if it comes, is dropped).
    "TURN_TIMEOUT_SECONDS": float(os.environ.get("HELPDESK_BOT_TURN_TIMEOUT", 8)),
    # The watchdog (timer sweep) hands off a visitor message left unanswered this long.
    "STALL_SECONDS": float(os.environ.get("HELPDESK_BOT_STALL_SECONDS", 15)),
    # Turns answered at once, each on a thread of lower OS priority. One keeps a busy bot to one
    # core; with a language model (mostly waiting on the network) raise it (docs/bot.md).
    "THREADS": int(os.environ.get("HELPDESK_BOT_THREADS", 1)),
}
