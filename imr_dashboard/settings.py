"""Settings for the dashboard, read from the environment (see .env.example for every variable).

What takes more than a line to read (a secret from NAME or NAME_FILE, the database, the cache,
the file storage, the Content Security Policy, the email server, single sign-on's checks) is
read by `imr_dashboard/settings_parts/`; this module lists the settings.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from imr_dashboard.settings_parts.email import (
    EMAIL_SERVER_VARIABLES,  # noqa: F401  (a setting: tests/test_accounts.py reads it back)
    EMAIL_URL_PORTS,  # noqa: F401
    email_server,
)
from imr_dashboard.settings_parts.environment import env, secret, secret_key, with_redis_password
from imr_dashboard.settings_parts.headers import (
    GOVUK_FRONTEND_SNIPPET_HASH,  # noqa: F401  (a setting: tests/test_security.py reads it)
    PLOTLY_STYLE_HASHES,  # noqa: F401
    content_security_policy,
)
from imr_dashboard.settings_parts.services import database, default_storage, page_cache
from imr_dashboard.settings_parts.sign_in import sso_role_map

BASE_DIR = Path(__file__).resolve().parent.parent

# A local .env is read when present; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


SECRET_KEY = secret_key(DEBUG)
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
# The address the accessibility statement and privacy notice give for questions and requests
# (empty: the pages say that none has been published).
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="")
CSRF_COOKIE_HTTPONLY = True  # no script reads the token: every form carries it
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Origins a form may be posted from when they differ from the host, e.g. https://dashboard.example.org
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Request size. Only the analysts' local-data upload takes a file over the web, with its own
# size-limited handler; every other page refuses any file in a request (RefuseFiles), and form
# bodies are small. Each refusal is a 400.
FILE_UPLOAD_HANDLERS = ["imr_dashboard.upload_handlers.RefuseFiles"]
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=1)

# Content Security Policy, enforced on every response (django-csp; settings_parts/headers.py):
# scripts from the site and GOV.UK Frontend's snippet by its hash, Plotly's styles by hash.
CONTENT_SECURITY_POLICY = content_security_policy(env.str("CSP_REPORT_URI", ""))

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
    # Two-factor sign-in for local accounts (imr_dashboard/two_factor.py): TOTP devices.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "indicators",
    "actionplan",
    "alerts",
    "localdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # A control character (NUL...) in the address or a parameter: 400 before any view runs.
    "imr_dashboard.middleware.RefuseControlCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are gzipped by the TLS proxy (deploy/nginx/), not here: no worker time spent on it.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then a password sign-in of an account with an authenticator
    # app is held at the code step until the code is given (imr_dashboard/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "imr_dashboard.two_factor.HoldUntilSecondStep",
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
                "imr_dashboard.accounts.password_reset",
                "imr_dashboard.sso.sign_in_options",
            ],
        },
    },
]

# The embedded default is a SQLite file inside the project; production sets DATABASE_URL.
VAR_DIR = BASE_DIR / "var"
DATABASES = {"default": database(VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The page cache: a Redis instance of its own, never the broker's (CELERY_BROKER_URL). Memory
# limits and eviction are per instance: the cache's is bounded and evicts the least recently used
# pages (deploy/redis-cache.conf), the broker's evicts nothing, so filling the cache can never
# lose or block a queued task. `check --deploy` warns when both name one server (imr.W001).
REDIS_URL = with_redis_password(env.str("REDIS_URL", default=""))
CACHES = {"default": page_cache(REDIS_URL)}

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
# Sign-ins through the council's provider are not counted: it has its own lockout, and people it
# signs in whom the role map refuses would otherwise lock everyone at their address out.
AXES_WHITELIST_CALLABLE = "imr_dashboard.sso.not_a_password_attempt"

# Single sign-on through the council's identity provider (OpenID Connect, e.g. Microsoft Entra
# ID; imr_dashboard/sso.py, docs/OPERATIONS.md). Off unless OIDC_CLIENT_ID is set. The provider's
# endpoints come from its discovery document under OIDC_ISSUER, or each is set on its own. The
# provider's groups are mapped to the plan's roles by OIDC_ROLE_MAP ("group=Role;group2=Role2" or
# a JSON object); a user with no mapped group is refused.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = secret("OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="Microsoft")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# The claim that names a person for good: "sub" (Entra ID: per application) or "oid" (Entra ID:
# the same in every application of the tenant). Never the email address.
OIDC_USER_ID_CLAIM = env.str("OIDC_USER_ID_CLAIM", default="sub")
OIDC_ROLE_MAP_TEXT = env.str("OIDC_ROLE_MAP", default="")
# Sign-ins through the provider count as two-factor when its ID token says so (amr holds "mfa");
# set this when the provider always asks for a second factor for this application (e.g. an Entra
# ID Conditional Access policy), as Entra ID's v2.0 tokens carry no amr.
OIDC_PROVIDER_ENFORCES_MFA = env.bool("OIDC_PROVIDER_ENFORCES_MFA", default=False)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=10.0)
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_ROLE_MAP = sso_role_map(
    SSO_ENABLED,
    OIDC_ROLE_MAP_TEXT,
    OIDC_RP_CLIENT_SECRET,
    OIDC_ISSUER,
    (OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_JWKS_ENDPOINT),
)
if SSO_ENABLED:
    AUTHENTICATION_BACKENDS.append("imr_dashboard.sso.ProviderBackend")
# Two-factor sign-in (django-otp): the name authenticator apps show; the admin never shows a
# device's secret or QR code (an administrator resets a person's 2FA by deleting the device).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Infant mortality dashboard")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "actionplan:board"
LOGOUT_REDIRECT_URL = "indicators:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    # static/vendor/plotly/plotly.min.js is a partial bundle of the plotly.js version the
    # Python package draws with, holding only the trace types the dashboard uses (make
    # vendor-plotly; tests/test_static_bundle.py checks the version).
    BASE_DIR / "static",
]
# Where collectstatic writes and WhiteNoise serves from (the image collects at build time);
# a relative path is taken from the project directory.
STATIC_ROOT = BASE_DIR / env.str("STATIC_ROOT", default="var/staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from it once collected
# Production sets whitenoise.storage.CompressedManifestStaticFilesStorage (after collectstatic)
# for compressed files with long cache lifetimes; development and tests serve files as they are.
#
# Files written at run time (the default storage): on this machine's disk (MEDIA_ROOT), or in an
# S3-compatible object store when STORAGE_S3_BUCKET is set (settings_parts/services.py).
MEDIA_ROOT = BASE_DIR / env.str("MEDIA_ROOT", default="var/media")
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
STORAGES = {
    "default": default_storage(STORAGE_S3_BUCKET, MEDIA_ROOT),
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
CELERY_BROKER_URL = with_redis_password(env.str("CELERY_BROKER_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest a task may run: an hour, with a warning (SoftTimeLimitExceeded, which fails the run
# and keeps the previous data) five minutes before. Redis hands a task that is not acknowledged
# to another worker after the visibility timeout; with late acknowledgement that must be longer
# than any task can run, or a long refresh would run twice at once (tests/test_deployment.py).
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
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
    "check-alerts-daily": {
        "task": "alerts.tasks.check_alerts",
        # Overdue figures and a failed refresh are found again each morning (a refresh also
        # checks as it ends); a problem still open is mailed again at most once a day.
        "schedule": crontab(minute=30, hour=7),
    },
    "refresh-peer-groups-monthly": {
        "task": "indicators.tasks.refresh_peer_groups",
        # CIPFA / NHS England peer groups change rarely: the 1st of each month is enough.
        "schedule": crontab(minute=0, hour=4, day_of_month=1),
    },
}

# Email: the reminders to action owners and the password reset links, from EMAIL_URL or the
# separate EMAIL_* variables (settings_parts/email.py). Email is configured
# (imr_dashboard.mail.smtp_configured) when it goes to an SMTP server: the SMTP backend and a
# host. Only then is self-service password reset on, and with DEBUG off only then are reminders
# sent (docs/OPERATIONS.md, email).
_email = email_server()
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# The site's address as its users reach it, for the links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")

# Self-service password reset (imr_dashboard/accounts.py): on only when email is configured, as
# above; otherwise its pages say who resets passwords instead. Requests are counted in the cache
# per client address and per email address over a window; beyond either limit a request gets the
# same "check your email" page and nothing is sent.
PASSWORD_RESET_CONTACT = env.str("PASSWORD_RESET_CONTACT", default="your dashboard administrator")
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)
PASSWORD_RESET_WINDOW_MINUTES = env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60)
# A reset link works once, for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60

# Fingertips
FINGERTIPS_API_URL = env.str("FINGERTIPS_API_URL", default="https://fingertips.phe.org.uk/api/")
FINGERTIPS_TIMEOUT_SECONDS = env.float("FINGERTIPS_TIMEOUT_SECONDS", default=60.0)
FINGERTIPS_RETRIES = env.int("FINGERTIPS_RETRIES", default=3)
FINGERTIPS_BACKOFF_SECONDS = env.float("FINGERTIPS_BACKOFF_SECONDS", default=2.0)

# The home county, its districts, neighbours and comparators; another county is another file.
# A relative path is taken from the project directory.
DASHBOARD_AREAS_FILE = BASE_DIR / env.str(
    "DASHBOARD_AREAS_FILE", default="fixtures/config/lancashire.json"
)

# The RAG rule never rates Red or Green on a figure whose period ended before this limit:
# "plan_start" (the plan's first day), a date (YYYY-MM-DD) or "off" (actionplan/currency.py).
RAG_OUT_OF_DATE_BEFORE = env.str("RAG_OUT_OF_DATE_BEFORE", default="plan_start")
