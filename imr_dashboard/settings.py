"""Settings for the dashboard, read from the environment (see .env.example for every variable)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is read when present; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def secret(name: str) -> str:
    """A secret from the variable NAME, or from the file that NAME_FILE names (Docker secrets).

    Read as it is (django-environ would take a value starting with "$", as one random key in fifty
    does, for the name of another variable); only the file's final line break is dropped.
    """
    path = os.environ.get(f"{name}_FILE", "")
    if not path:
        return os.environ.get(name, "")
    if os.environ.get(name, ""):
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        value = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ImproperlyConfigured(f"{name}_FILE: {path} cannot be read ({reason}).") from None
    if not value:
        raise ImproperlyConfigured(f"{name}_FILE: {path} is empty; put {name} in it.")
    return value


def with_redis_password(url: str) -> str:
    """A Redis URL with REDIS_PASSWORD (or REDIS_PASSWORD_FILE) put in, unless it has its own."""
    password = secret("REDIS_PASSWORD")
    parts = urlsplit(url)
    if not url or not password or parts.password is not None or "@" in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=f":{quote(password, safe='')}@{parts.netloc}"))


SECRET_KEY = secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: the dashboard will not start without it. "
            "Set it (or SECRET_KEY_FILE, a file holding it) in the environment or .env to a long "
            "random string, e.g. the output of "
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

# Content Security Policy, enforced on every response (django-csp). Scripts come only from the
# site itself, plus GOV.UK Frontend's one-line snippet in base.html, allowed by its hash (a nonce
# would not survive the whole-page cache). No 'unsafe-eval': Plotly does not need it.
# Plotly styles what it draws in two ways: an empty <style> element it fills through the CSSOM
# (allowed by the hash of empty content) and style attributes on the SVG it draws
# (style-src-attr 'unsafe-inline': they vary with every chart). The full plotly.js also injects
# a stylesheet for map tiles; the partial bundle served (no map-tile traces) does not
# (tests/test_security.py checks).
# style-src is the fallback for browsers without style-src-elem/-attr.
GOVUK_FRONTEND_SNIPPET_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # empty <style>, rules via CSSOM
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
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dashboard.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A refresh writing in the background must not make page reads fail with "locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The password apart from the URL, so that it can come from a file (DATABASE_PASSWORD_FILE).
if _database_password := secret("DATABASE_PASSWORD"):
    DATABASES["default"]["PASSWORD"] = _database_password
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The page cache: a Redis instance of its own, never the broker's (CELERY_BROKER_URL). Memory
# limits and eviction are per instance: the cache's is bounded and evicts the least recently used
# pages (deploy/redis-cache.conf), the broker's evicts nothing, so filling the cache can never
# lose or block a queued task. `check --deploy` warns when both name one server (imr.W001).
REDIS_URL = with_redis_password(env.str("REDIS_URL", default=""))
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
if SSO_ENABLED:
    from imr_dashboard.role_map import parse_role_map

    OIDC_ROLE_MAP = parse_role_map(OIDC_ROLE_MAP_TEXT)
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_CLIENT_ID is set: set OIDC_CLIENT_SECRET (or _FILE) too.")
    _endpoints = (OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_JWKS_ENDPOINT)
    if not OIDC_ISSUER and not all(_endpoints):
        raise ImproperlyConfigured(
            "OIDC_CLIENT_ID is set: set OIDC_ISSUER (the provider's discovery document is read "
            "from it), or OIDC_AUTHORIZATION_ENDPOINT, OIDC_TOKEN_ENDPOINT and OIDC_JWKS_ENDPOINT."
        )
    AUTHENTICATION_BACKENDS.append("imr_dashboard.sso.ProviderBackend")
else:
    OIDC_ROLE_MAP = {}
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
# Files written at run time (the default storage): on this machine's disk (MEDIA_ROOT) for
# `make run` and a single server; in an S3-compatible object store when STORAGE_S3_BUCKET is set
# (MinIO in docker-compose.yml, S3 or any S3 API on a managed platform), so that web and worker
# instances keep nothing on their own disks and any of them reads what another wrote. The keys
# come from STORAGE_S3_ACCESS_KEY_ID / STORAGE_S3_SECRET_ACCESS_KEY or their *_FILE; left empty,
# boto3 finds its own (an instance role, a Kubernetes service account).
MEDIA_ROOT = BASE_DIR / env.str("MEDIA_ROOT", default="var/media")
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
if STORAGE_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("STORAGE_S3_REGION", default="") or None,
            "access_key": secret("STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": secret("STORAGE_S3_SECRET_ACCESS_KEY") or None,
            # Path-style addresses (http://minio:9000/bucket/key) work with MinIO and S3 alike.
            "addressing_style": env.str("STORAGE_S3_ADDRESSING_STYLE", default="path"),
            "location": env.str("STORAGE_S3_PREFIX", default=""),
            # Private objects, handed out only through the dashboard or short-lived signed links;
            # a name already taken gets a new one, never overwriting another instance's file.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": _default_storage,
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

# Email: the reminders to action owners and the password reset links. EMAIL_URL names the server
# in one value: smtp://HOST:PORT, smtp+tls:// (STARTTLS) or smtp+ssl:// (TLS from the start), with
# USER:PASSWORD@ before the host (percent-encoded; or the password apart, in EMAIL_HOST_PASSWORD or
# EMAIL_HOST_PASSWORD_FILE), or consolemail:// to print emails instead (development). Without
# EMAIL_URL the separate EMAIL_* variables are read, as before; an empty one means its default.
# Email is configured (imr_dashboard.mail.smtp_configured) when it goes to an SMTP server: the SMTP
# backend and a host. Only then is self-service password reset on, and with DEBUG off only then
# are reminders sent (docs/OPERATIONS.md, email).
EMAIL_SERVER_VARIABLES = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
)
# The schemes EMAIL_URL may use, and the port each means when the URL names none.
EMAIL_URL_PORTS = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465, "consolemail": None}
# Kept out of the settings (lower case): the URL holds the server's password.
_email_url = env.str("EMAIL_URL", default="")
_email_variables_set = [name for name in EMAIL_SERVER_VARIABLES if os.environ.get(name, "").strip()]
if _email_url:
    if _email_clash := [name for name in _email_variables_set if name != "EMAIL_HOST_PASSWORD"]:
        raise ImproperlyConfigured(
            f"EMAIL_URL gives the whole email server, so leave {', '.join(_email_clash)} "
            "empty or unset (or remove EMAIL_URL and use them alone)."
        )
    _email_scheme = _email_url.partition("://")[0].lower()
    if _email_scheme not in EMAIL_URL_PORTS:
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtp+tls://, smtp+ssl:// or consolemail://, "
            f"not {_email_scheme[:20]!r}."
        )
    try:
        _email = env.email_url("EMAIL_URL")
    except ValueError as exc:  # e.g. a port that is not a number; the URL itself is not shown
        raise ImproperlyConfigured(f"EMAIL_URL cannot be read: {exc}") from None
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or ""
    EMAIL_PORT = _email["EMAIL_PORT"] or EMAIL_URL_PORTS[_email_scheme] or 25
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    if _email_password_apart := secret("EMAIL_HOST_PASSWORD"):
        if EMAIL_HOST_PASSWORD:
            raise ImproperlyConfigured(
                "EMAIL_URL holds a password and EMAIL_HOST_PASSWORD (or _FILE) is set too: "
                "keep one of the two."
            )
        EMAIL_HOST_PASSWORD = _email_password_apart
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
    if _email_scheme != "consolemail" and not EMAIL_HOST:
        raise ImproperlyConfigured("EMAIL_URL names no host, e.g. smtp+tls://mail.example.org:587")
else:
    EMAIL_BACKEND = (
        env.str("EMAIL_BACKEND", default="") or "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = env.str("EMAIL_HOST", default="") or "localhost"
    EMAIL_PORT = env.int("EMAIL_PORT") if "EMAIL_PORT" in _email_variables_set else 25
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD")
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
