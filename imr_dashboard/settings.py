"""Settings for the dashboard, read from the environment (see .env.example for every variable)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
import plotly
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is read when present; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Read as it is: django-environ would take a value starting with "$" (as one random key in
# fifty does) for the name of another variable.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: the dashboard will not start without it. "
            "Set it in the environment or .env to a long random string, e.g. the output of "
            "python -c 'from django.core.management.utils import get_random_secret_key; "
            "print(get_random_secret_key())'"
        )
    SECRET_KEY = "insecure-development-key-used-only-with-DEBUG-on"
# Earlier keys, comma-separated, still accepted for sessions and signatures while a new key
# takes over (docs/OPERATIONS.md, rotating secrets); remove them once sessions have expired.
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)

# Security. HTTPS (default: on when DEBUG is off) says the site is reached over HTTPS: cookies are
# sent only over HTTPS, HSTS is sent and plain HTTP is redirected. Each can be set on its own.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
# The health check answers on plain HTTP too: probes inside the deployment reach it directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# Behind a proxy that terminates TLS: the header it sets and its value, e.g.
# "HTTP_X_FORWARDED_PROTO,https". Only set it when the proxy always sets or strips that header.
SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER", default=[])) or None
if SECURE_PROXY_SSL_HEADER and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER is a header and a value, e.g. HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole domain to HTTPS in browsers for good: the council's choice,
    # off by default, so the deployment check's reminder about it is silenced.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts a working day by default, not Django's two weeks.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True  # no script reads the token: every form carries it
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Origins a form may be posted from when they differ from the host, e.g. https://dashboard.example.org
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Request size. Nothing in the dashboard takes a file over the web (imports are commands), so
# any file in a request is refused; form bodies are small. Each refusal is a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=0)

# Content Security Policy, enforced on every response (django-csp). Scripts come only from the
# site itself, plus GOV.UK Frontend's one-line snippet in base.html, allowed by its hash (a nonce
# would not survive the whole-page cache). No 'unsafe-eval': Plotly does not need it.
# Plotly styles what it draws in three ways: an empty <style> element it fills through the CSSOM
# (allowed by the hash of empty content), a fixed stylesheet for map tiles it injects on load
# (allowed by its hash; tests/test_security.py checks it against the installed wheel), and style
# attributes on the SVG it draws (style-src-attr 'unsafe-inline': they vary with every chart).
# style-src is the fallback for browsers without style-src-elem/-attr.
GOVUK_FRONTEND_SNIPPET_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # empty <style>, rules via CSSOM
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # plotly.js 3.8.2 maplibre CSS
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, GOVUK_FRONTEND_SNIPPET_HASH],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-elem": [SELF, *PLOTLY_STYLE_HASHES],
        "style-src-attr": [UNSAFE_INLINE],
        # Plotly's "Download plot as a png" draws the chart through a blob: image.
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": env.str("CSP_REPORT_URI")} if env.str("CSP_REPORT_URI", "") else {}),
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_celery_beat",
    "simple_history",
    "indicators",
    "actionplan",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "imr_dashboard.urls"
WSGI_APPLICATION = "imr_dashboard.wsgi.application"

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
                "indicators.context_processors.dashboard",
            ],
        },
    },
]

# The embedded default is a SQLite file inside the project; production sets DATABASE_URL.
VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dashboard.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A refresh writing in the background must not make page reads fail with "locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs must not hang pages: they are served from the database instead.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in: after AXES_FAILURE_LIMIT failed attempts for one username from one address, that
# username is locked out from that address for AXES_COOLOFF_MINUTES (django-axes, in the
# database). A successful sign-in clears the count. Applies to the admin's sign-in too.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.float("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Proxies in front of the site that append to X-Forwarded-For (0: the client is REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "imr_dashboard.security.client_ip"
AXES_USERNAME_CALLABLE = "imr_dashboard.security.attempted_username"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "actionplan:board"
LOGOUT_REDIRECT_URL = "indicators:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Plotly's own bundle, served from the installed wheel (not copied into the repository):
    # {% static 'vendor/plotly/plotly.min.js' %}, always the version the Python package draws with.
    ("vendor/plotly", Path(plotly.__file__).parent / "package_data"),
]
# Where collectstatic writes and WhiteNoise serves from (the image collects at build time);
# a relative path is taken from the project directory.
STATIC_ROOT = BASE_DIR / env.str("STATIC_ROOT", default="var/staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from it once collected
# Production sets whitenoise.storage.CompressedManifestStaticFilesStorage (after collectstatic)
# for compressed files with long cache lifetimes; development and tests serve files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Pages link hashed names only, so only those are kept and compressed (half the work of
# compressing Plotly's 4.6 MB bundle at build time).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Everything reaches standard error once, through the root logger: with DEBUG off that
    # includes the tracebacks of server errors (django.request), which docker logs then keep.
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "indicators": {"level": env.str("LOG_LEVEL", "INFO")},
        # Failed sign-ins and lockouts.
        "axes": {"level": env.str("LOG_LEVEL", "INFO")},
    },
}

# Celery: without a broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "refresh-fingertips-weekly": {
        "task": "indicators.tasks.refresh_fingertips",
        # Fingertips publishes on Tuesdays; Wednesday early morning picks up the release.
        "schedule": crontab(minute=0, hour=5, day_of_week="wed"),
    },
    "remind-action-owners-daily": {
        "task": "actionplan.tasks.send_update_reminders",
        # Daily, so the first run on or after the fortnight before a meeting reminds each owner
        # whose update is missing; a record per owner and review stops a second email.
        "schedule": crontab(minute=0, hour=7),
    },
}

# Email: reminders to action owners. The console backend (the default) prints each email to the
# worker's output instead of sending it; set EMAIL_BACKEND to the SMTP backend to send.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# The site's address as its users reach it, for the links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")

# Fingertips
FINGERTIPS_API_URL = env.str("FINGERTIPS_API_URL", default="https://fingertips.phe.org.uk/api/")
FINGERTIPS_TIMEOUT_SECONDS = env.float("FINGERTIPS_TIMEOUT_SECONDS", default=60.0)
FINGERTIPS_RETRIES = env.int("FINGERTIPS_RETRIES", default=3)
FINGERTIPS_BACKOFF_SECONDS = env.float("FINGERTIPS_BACKOFF_SECONDS", default=2.0)

# Locally supplied counts from 1 up to this number less one are suppressed on pages and in
# exports (statistics use the real counts). Fingertips' own figures are shown as published.
DISCLOSURE_THRESHOLD = env.int("DISCLOSURE_THRESHOLD", default=5)

# The home county, its districts, neighbours and comparators; another county is another file.
# A relative path is taken from the project directory.
DASHBOARD_AREAS_FILE = BASE_DIR / env.str(
    "DASHBOARD_AREAS_FILE", default="fixtures/config/lancashire.json"
)
