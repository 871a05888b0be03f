"""iamconsole settings, read from the environment with safe local defaults.

Production differs only by environment: DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS,
HTTPS (secure cookies, HSTS, SSL redirect; on unless DEBUG), IAMCONSOLE_ENCRYPTION_KEY.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IAMCONSOLE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def local_secret(filename: str, generate) -> str:
    """A secret kept in VAR_DIR for the embedded default, generated on first use."""
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(generate())
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret("secret_key", lambda: secrets.token_urlsafe(50))
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "accounts",
    "ec2",
    "s3",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.csp.ContentSecurityPolicyMiddleware",
    "accounts.faults.FaultMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "s3.api.middleware.S3Middleware",
    "accounts.api.middleware.QueryAPIMiddleware",  # IAM and STS at /
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrincipalMiddleware",
    "accounts.middleware.MFAPendingMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.views.errors.IAMErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.RequestContextMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.RecentServicesMiddleware",
    "accounts.middleware.DownloadStepMiddleware",
]

ROOT_URLCONF = "iamconsole.urls"
WSGI_APPLICATION = "iamconsole.wsgi.application"

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
                "accounts.context_processors.console",
            ],
        },
    },
]

# SQLite by default; concurrent writers wait (busy timeout) instead of failing, and WAL
# lets readers run beside a writer. Connections are kept as PostgreSQL's are (further down).
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'iamconsole.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)

AUTH_USER_MODEL = "accounts.Identity"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.RootUserBackend",
    "accounts.backends.IAMUserBackend",
]
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "iam:dashboard"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# An IAM user's console session lasts 12 hours, as AWS's does.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# English and Korean, as AWS's console offers them (the footer's Language menu; the choice is
# kept in a cookie; Accept-Language decides until then). AWS's API error messages stay English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [Path(os.environ.get("IAMCONSOLE_LOCALE_DIR") or BASE_DIR / "locale")]
LANGUAGE_COOKIE_NAME = "iamconsole_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# Where the console is reachable, for the sign-in URLs shown and put in credential CSVs.
CONSOLE_BASE_URL = os.environ.get("CONSOLE_BASE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"iamconsole": {"level": "INFO"}},
}

# Key(s) that encrypt secrets at rest (access-key secrets, TOTP seeds): Fernet keys, comma-
# separated, newest first (older ones still decrypt, for rotation). The embedded default
# generates one into var/encryption.key.
ENCRYPTION_KEYS = [
    k.strip()
    for k in (
        os.environ.get("IAMCONSOLE_ENCRYPTION_KEY")
        or local_secret("encryption.key", lambda: Fernet.generate_key().decode())
    ).split(",")
    if k.strip()
]

# The API's open mode for local test harnesses (as other AWS emulators offer): a request signed
# with an access key the server does not know is served, unverified, as the root of this
# 12-digit account (created on first use). Off unless set; refused with DEBUG off unless
# IAMCONSOLE_API_OPEN_FORCE=1 says it is meant.
API_OPEN_ACCOUNT = os.environ.get("IAMCONSOLE_API_OPEN_ACCOUNT", "").strip()
if API_OPEN_ACCOUNT:
    if not (len(API_OPEN_ACCOUNT) == 12 and API_OPEN_ACCOUNT.isdigit()):
        raise ImproperlyConfigured("IAMCONSOLE_API_OPEN_ACCOUNT must be a 12-digit account ID.")
    if not DEBUG and not env_bool("IAMCONSOLE_API_OPEN_FORCE", False):
        raise ImproperlyConfigured(
            "IAMCONSOLE_API_OPEN_ACCOUNT serves unsigned API requests as that account's root: it is refused "
            "with DEBUG off unless IAMCONSOLE_API_OPEN_FORCE=1 is set as well."
        )

# Sign-in protection: failures per identity (account + user name) from one client IP, and per
# client IP, within the window; past the limit, further tries are refused (HTTP 429) until the
# window cools off (accounts/services/throttle.py; the hourly per-identity cap is further down).
SIGNIN_THROTTLE_WINDOW_SECONDS = 15 * 60
SIGNIN_THROTTLE_IDENTITY_LIMIT = 5
SIGNIN_THROTTLE_IP_LIMIT = 20
# A temporary password (must be changed at next sign-in) stops working after this many days.
TEMPORARY_PASSWORD_DAYS = 7
# MFA assignment and removal need a sign-in (or password confirmation) this recent.
REAUTH_MAX_AGE_SECONDS = 15 * 60


# --- Hardening: client addresses, throttles, CSP, database connections ------------------------


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


# How many reverse proxies (the TLS proxy the README prescribes, a load balancer) stand in front
# of the server, each appending the address it received the request from to X-Forwarded-For.
# The client's address (sign-in throttle, audit trail, aws:SourceIp) is then read that many
# entries from the right. 0 (the default): the header is ignored and REMOTE_ADDR is the client.
# Set it exactly: too low and every client shares the proxy's throttle bucket; too high and a
# client can choose its own address.
TRUSTED_PROXY_COUNT = env_int("IAMCONSOLE_TRUSTED_PROXY_COUNT", 0)
# Failures of one identity from all addresses together per hour (ASVS's cap per account); the
# per-address limits above (SIGNIN_THROTTLE_IDENTITY_LIMIT per identity and address,
# SIGNIN_THROTTLE_IP_LIMIT per address) are what a single guesser meets.
SIGNIN_THROTTLE_IDENTITY_HOURLY_LIMIT = 100
# Sign-ups (new accounts, or "this email already has one") per source address per hour.
SIGNUP_THROTTLE_LIMIT = 10

# Strict CSP: this origin's scripts and styles only (no inline script or style anywhere).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# Persistent database connections: each server thread keeps one connection open for
# IAMCONSOLE_CONN_MAX_AGE seconds (default 60), so the server holds up to workers x threads
# connections; on PostgreSQL keep that below max_connections (100 by default) with room for
# psql and migrations. runserver starts a thread per request, which persistent connections
# would exhaust: it gets 0 (a connection per request). Health checks test a reused connection
# before its first query of a request, so a connection that a PostgreSQL restart broke is
# replaced instead of failing the request (SQLite's is always usable). SQLite needs them as
# much: a connection per request registers Django's SQL functions and runs the pragmas each
# time, and the close of a WAL database's last connection checkpoints it (an fsync), which
# made every request that wrote a row (an audit event) cost several milliseconds more.
RUNSERVER = len(sys.argv) > 1 and sys.argv[1] == "runserver"
DATABASES["default"]["CONN_MAX_AGE"] = env_int("IAMCONSOLE_CONN_MAX_AGE", 0 if RUNSERVER else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
