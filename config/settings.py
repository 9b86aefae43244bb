"""Settings for shuzhi: one module, every deployment choice read from the environment.

The defaults serve the quick start (embedded SQLite under ./var). Production sets DATABASE_URL
(PostgreSQL), SHUZHI_ALLOWED_HOSTS and keeps SHUZHI_HTTPS on.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url, local_secrets
from config.storage import local_files, s3_files

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("SHUZHI_DATA_DIR") or BASE_DIR / "var")

DEBUG = env_bool("SHUZHI_DEBUG", False)

# Secrets come from the environment in production; otherwise from a file outside git that is
# generated on first start. Losing that file makes encrypted personal data unreadable.
# SHUZHI_SECRETS_FILE puts the file apart from the data folder (another disk, another backup),
# so that a copy of the data alone reveals no personal data (`check --deploy` warns otherwise).
SECRETS_FILE = Path(env_str("SHUZHI_SECRETS_FILE") or DATA_DIR / "secrets.json")
_secrets = local_secrets(SECRETS_FILE)
SECRET_KEY = env_str("SHUZHI_SECRET_KEY") or _secrets["secret_key"]
# `manage.py rotate_field_key --new-key` puts a new key first in the file's list; the rotation
# then re-encrypts every row under it
FIELD_ENCRYPTION_KEYS = env_list(
    "SHUZHI_FIELD_ENCRYPTION_KEYS",
    _secrets.get("field_encryption_keys") or [_secrets["field_encryption_key"]],
)
FIELD_HASH_KEY = env_str("SHUZHI_FIELD_HASH_KEY") or _secrets["field_hash_key"]
# The audit chain is an HMAC under this key, which never enters the database: whoever holds the
# database alone cannot re-hash rows they changed.
AUDIT_KEY = env_str("SHUZHI_AUDIT_KEY") or _secrets["audit_key"]
# Uploaded and generated files (sheets, error reports, attachments) are encrypted at rest; the
# first key encrypts, every key listed decrypts (rotation: put the new key first).
FILE_ENCRYPTION_KEYS = env_list("SHUZHI_FILE_ENCRYPTION_KEYS", [_secrets["file_encryption_key"]])
# Anchors of the audit chain outside the database: the chain head is appended to a file here
# after every commit that adds events. Keep it apart from the data folder (and from whoever can
# write the database), ideally append-only (chattr +a) or on another machine's mount.
AUDIT_ANCHOR_DIR = Path(
    env_str("SHUZHI_AUDIT_ANCHOR_DIR") or DATA_DIR.parent / f"{DATA_DIR.name}-audit-anchors"
)

ALLOWED_HOSTS = env_list("SHUZHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("SHUZHI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "django_htmx",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "shuzhi.core",
    "shuzhi.accounts",
    "shuzhi.orgs",
    "shuzhi.members",
    "shuzhi.exchange",
    "shuzhi.cycles",
    "shuzhi.reports",
    "shuzhi.ballots",
    "shuzhi.scoring",
    "shuzhi.rectification",
    "shuzhi.analytics",
    "shuzhi.records",
    "shuzhi.projects",
    "shuzhi.weakorgs",
    "shuzhi.standards",
    "shuzhi.lifecycle",
    "shuzhi.workbench",
    "shuzhi.dossiers",
    "shuzhi.stats",
    "shuzhi.demo",
]

MIDDLEWARE = [
    "shuzhi.core.middleware.TrustedProxyMiddleware",
    "shuzhi.core.middleware.BodyLimitMiddleware",
    "shuzhi.core.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shuzhi.core.middleware.AuditContextMiddleware",
    "shuzhi.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, so that it sees the login view's response and can turn it into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "shuzhi.accounts.context_processors.navigation",
            ],
        },
    },
]

# One way to draw a form: django-crispy-forms with its Bootstrap 5 pack. `{{ form }}` and
# `{{ field.as_field_group }}` go through it too (the renderer's templates hand over to crispy).
FORM_RENDERER = "shuzhi.core.forms.BootstrapRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


def _private_file(path: Path) -> None:
    """Create the embedded database's file readable by its owner only (SQLite gives its -wal and
    -shm files the database file's mode), and take back a wider mode left by an older release."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


# Database: embedded SQLite unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("SHUZHI_CONN_MAX_AGE", 600, minimum=0),
        conn_health_checks=True,
    )
    if _db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database (postgres://…)")
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "shuzhi.sqlite3",
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one of
            # them failing half-way with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
                "PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
            ),
        },
    }
    _private_file(_db["NAME"])
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: in this process and the database for one app server; on Redis, shared by
# all of them, when SHUZHI_REDIS_URL names one (a policy change then reaches every server at once).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = env_str("SHUZHI_REDIS_URL")
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("SHUZHI_REDIS_PREFIX") or "shuzhi",
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# Background jobs (imports): rows in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# An import or export that makes no progress for this long is failed and rolled back (the
# slowest silent phase, reading a 290,000-row sheet, takes well under a minute); none may run
# longer than the timeout.
JOB_STALL_SECONDS = env_int("SHUZHI_JOB_STALL_SECONDS", 300, minimum=5)
JOB_TIMEOUT_SECONDS = env_int("SHUZHI_JOB_TIMEOUT_SECONDS", 3600, minimum=60)

# Accounts and authentication
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "shuzhi.accounts.validators.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# A new or reset password is one-time: it only lets its holder choose their own, and stops
# working after this many hours (and after its first sign-in, once that session idles out).
ONE_TIME_PASSWORD_HOURS = env_int("SHUZHI_ONE_TIME_PASSWORD_HOURS", 72, minimum=1, maximum=24 * 30)

# Lockout (django-axes): limits come from the security administrator's policy in the database.
AXES_FAILURE_LIMIT = "shuzhi.accounts.selectors.lockout_failure_limit"
AXES_COOLOFF_TIME = "shuzhi.accounts.selectors.lockout_cooloff"
# An account is locked for the address the failures came from only, so that someone elsewhere
# cannot lock its holder out by typing wrong passwords under their name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# the lock lasts the policy's minutes from the lockout; tries during it do not extend it
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "shuzhi.accounts.views.locked_out"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# A wider limit per source address, whatever the names tried: past it the login form is refused
# before any password is hashed or any row written, until the window has passed.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("SHUZHI_LOGIN_ADDRESS_LIMIT", 30, minimum=5)
LOGIN_ADDRESS_WINDOW_MINUTES = env_int("SHUZHI_LOGIN_ADDRESS_WINDOW_MINUTES", 15, minimum=1)

# Sessions: the idle timeout is enforced by SessionPolicyMiddleware from the policy, and so is
# this absolute limit from the sign-in, however active the session; the cookie's own age is the same.
SESSION_ABSOLUTE_HOURS = env_int("SHUZHI_SESSION_ABSOLUTE_HOURS", 12, minimum=1, maximum=72)
SESSION_COOKIE_AGE = 60 * 60 * SESSION_ABSOLUTE_HOURS
# saved when it changes only: the middleware moves the idle expiry on at most once a minute
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Transport and headers. SHUZHI_HTTPS is on by default; the quick start turns it off because it
# serves plain http on 127.0.0.1.
HTTPS = env_bool("SHUZHI_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    # plain http is sent to https; browsers remember to use https for this host and its subdomains
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("SHUZHI_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # believed only when it comes from a trusted proxy: TrustedProxyMiddleware drops it otherwise
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies (addresses or networks) whose X-Forwarded-For/-Proto are believed; from
# anyone else those headers are dropped and the connecting address is the client's.
TRUSTED_PROXIES = env_list("SHUZHI_TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"SHUZHI_TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        ) from None

# Request bodies: a form at most 2.5 MB; a file upload at most this much (the member sheet, 64 MB,
# is the largest); views may allow less (the anonymous ballot page allows 64 KB). Refused before
# the body is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_UPLOAD_BYTES = env_int("SHUZHI_MAX_UPLOAD_MB", 70, minimum=1, maximum=1024) * 1024 * 1024

# Only the app's own origin; images may be data: URIs because Bootstrap draws its form controls
# with inline SVG.
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
    },
}

# Language and time
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# Static and uploaded files: everything is served by the app itself (intranet, no CDN).
# Uploaded and generated files go through the storage API only (never a path on disk): under
# the data folder by default, or in an S3-compatible object store shared by several app servers
# when SHUZHI_S3_BUCKET is set.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
# files and folders under the data folder are the platform's own: no other local user reads them
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
S3_BUCKET = env_str("SHUZHI_S3_BUCKET")
if S3_BUCKET:
    _s3 = {name: env_str(f"SHUZHI_S3_{name}") for name in ("ENDPOINT", "ACCESS_KEY", "SECRET_KEY")}
    if not all(_s3.values()):
        raise ImproperlyConfigured(
            "SHUZHI_S3_BUCKET needs SHUZHI_S3_ENDPOINT, SHUZHI_S3_ACCESS_KEY and SHUZHI_S3_SECRET_KEY"
        )
    _files = s3_files(
        bucket=S3_BUCKET,
        endpoint=_s3["ENDPOINT"],
        access_key=_s3["ACCESS_KEY"],
        secret_key=_s3["SECRET_KEY"],
        region=env_str("SHUZHI_S3_REGION") or "us-east-1",
        prefix=env_str("SHUZHI_S3_PREFIX"),
    )
else:
    _files = local_files()
STORAGES = {
    "default": _files,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Mail: reminders go out by e-mail too when a mail server is configured; in-app always.
EMAIL_HOST = env_str("SHUZHI_EMAIL_HOST")
EMAIL_PORT = env_int("SHUZHI_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("SHUZHI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("SHUZHI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SHUZHI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SHUZHI_EMAIL_FROM") or "shuzhi@localhost"
SITE_URL = env_str("SHUZHI_SITE_URL").rstrip("/")  # links in e-mails, e.g. https://shuzhi.example.gov.cn
# The address printed inside the ballot slips' QR codes and under their short codes: the one the
# meeting room's phones reach this server at (http://192.168.1.20:8000 on a room's network). Its
# host is served (added to ALLOWED_HOSTS). Unset: SHUZHI_SITE_URL, else the address the slips
# were printed from, which the slips page warns about when it is this machine's own.
BALLOT_BASE_URL = env_url("SHUZHI_BALLOT_BASE_URL")
if BALLOT_BASE_URL and urlsplit(BALLOT_BASE_URL).hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(urlsplit(BALLOT_BASE_URL).hostname)
# Codes that match no slip, typed or sent from one address: past this many within the window,
# every door that takes a ballot code answers 429 until the window has passed (a meeting room's
# phones share one address, so the limit allows for the room's typing mistakes; guessing one of a
# meeting's codes among 32^10 takes far more tries than it allows in a year).
BALLOT_CODE_MISS_LIMIT = env_int("SHUZHI_BALLOT_CODE_MISS_LIMIT", 60, minimum=5)
BALLOT_CODE_WINDOW_MINUTES = env_int("SHUZHI_BALLOT_CODE_WINDOW_MINUTES", 10, minimum=1)

# An uploaded bulletin (通报) template renders in Jinja's sandbox in a child process stopped after
# this many seconds (twenty times as long for a real bulletin, whose data is bigger than the sample).
TEMPLATE_SECONDS = env_int("SHUZHI_TEMPLATE_SECONDS", 1, minimum=1, maximum=60)

# make run prints the demo accounts' generated passwords from here on every start
DEMO_LOGINS_FILE = DATA_DIR / "demo_logins.json"
PAGE_SIZE = 20

# Lockout is per account and address together (see AXES_LOCKOUT_PARAMETERS). Covering indexes
# (INCLUDE columns) serve PostgreSQL's index-only scans; SQLite builds the same index without them,
# which is all the embedded default needs, so its warning is not printed at every start.
SILENCED_SYSTEM_CHECKS = ["axes.W006", *(["models.W040"] if _db["ENGINE"].endswith("sqlite3") else [])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"ballot_codes": {"()": "shuzhi.ballots.logging.RedactBallotCodes"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["ballot_codes"]}
    },
    "root": {"handlers": ["console"], "level": env_str("SHUZHI_LOG_LEVEL") or "INFO"},
    "loggers": {
        # axes logs every attempt with the username and address; the audit log already has it
        "axes": {"level": "WARNING"},
    },
}
