"""One settings module; every value comes from the environment.

Defaults are safe: debug is off. Outside production mode a secret key is
generated once and kept under the var directory so that a fresh clone runs with
no configuration; production mode refuses to start without the values it needs.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from rekisteri.core import countries
from rekisteri.core.files import private_dir
from rekisteri.policy.schema import DEFAULT_LANGUAGES, LANGUAGE_NAMES, Language


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout's root: policies/ and var/ live there in a source install.
BASE_DIR = Path(os.environ.get("REKISTERI_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("REKISTERI_VAR_DIR", BASE_DIR / "var")).resolve()

PRODUCTION = _env_bool("REKISTERI_PRODUCTION", default=False)
DEBUG = _env_bool("REKISTERI_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("REKISTERI_DEBUG cannot be on in production mode")


def _secret_key() -> str:
    given = os.environ.get("REKISTERI_SECRET_KEY", "")
    if given:
        if len(given) < 50:
            raise ImproperlyConfigured("REKISTERI_SECRET_KEY must be at least 50 characters")
        return given
    if PRODUCTION:
        raise ImproperlyConfigured(
            "REKISTERI_SECRET_KEY is required in production mode (REKISTERI_PRODUCTION=true)"
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        private_dir(VAR_DIR)
        # O_EXCL: two processes starting at once must not overwrite each other's key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _env_list(
    "REKISTERI_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("REKISTERI_ALLOWED_HOSTS is required in production mode")
CSRF_TRUSTED_ORIGINS = _env_list("REKISTERI_CSRF_TRUSTED_ORIGINS", [])
# Reports and segments: counts move by up to this many people (0 turns it off),
# keyed by a secret of their own so that knowing ids does not undo it.
REKISTERI_ANALYTICS_NOISE = int(os.environ.get("REKISTERI_ANALYTICS_NOISE", "2"))
# Hosts of the company's web sites that embed the cookie banner and record choices here.
REKISTERI_COOKIE_SITES = _env_list("REKISTERI_COOKIE_SITES", [])

_default_db = f"sqlite:///{VAR_DIR / 'rekisteri.sqlite3'}"
_database_url = os.environ.get("DATABASE_URL") or _default_db
if PRODUCTION and "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("DATABASE_URL is required in production mode")
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that the processes a test starts (the server,
    # the worker) see the same test database; one per test run, so that two
    # runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-rekisteri-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # Writers queue for the lock (server, worker, CLI) instead of failing at once.
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Streaming replicas of the PostgreSQL primary, one URL or several separated by
# commas: heavy reads that may be stale (reports, segments, previews, counts) go
# to them; writes and every other read stay on the primary (rekisteri.core.routing).
REKISTERI_DATABASE_REPLICAS: list[str] = []
for _number, _replica_url in enumerate(_env_list("DATABASE_REPLICA_URL", []), start=1):
    _replica = dj_database_url.parse(_replica_url, conn_max_age=60)
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or (
        _replica["ENGINE"] != "django.db.backends.postgresql"
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL names PostgreSQL streaming replicas of a PostgreSQL "
            "DATABASE_URL; both must be postgres:// URLs"
        )
    # In tests the replica is the test database itself, never one to create.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    REKISTERI_DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["rekisteri.core.routing.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Serves the API docs' Swagger UI from our own host, not a CDN.
    "ninja",
    "rekisteri.core",
    "rekisteri.policy",
    "rekisteri.audit",
    "rekisteri.staff",
    "rekisteri.register",
    "rekisteri.consent",
    "rekisteri.analytics",
    "rekisteri.retention",
    "rekisteri.rights",
    "rekisteri.api",
    "rekisteri.portal",
    "rekisteri.console",
    "rekisteri.cli",
    "rekisteri.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads input: NUL and lone surrogates get a clear 400, never a 500.
    "rekisteri.core.middleware.UnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rekisteri.console.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rekisteri.api.middleware.ApiErrorShapeMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes counts failures and refuses a locked-out username first.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
# Per account and client address together: whoever types a staff member's name
# with wrong passwords locks out themselves, never the staff member. Per account
# alone only past a larger ceiling, so that guessing from many addresses is
# stopped too (rekisteri.staff.lockout).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "rekisteri.staff.lockout.AccountCeilingHandler"
AXES_CLIENT_IP_CALLABLE = "rekisteri.staff.lockout.client_address"
REKISTERI_ACCOUNT_FAILURE_CEILING = int(os.environ.get("REKISTERI_ACCOUNT_FAILURE_CEILING", "50"))
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The console's own page, in the console's language, that says for how long.
AXES_LOCKOUT_CALLABLE = "rekisteri.console.views.lockout_response"

LOGIN_URL = "/console/login"
# Sessions end after 8 hours whatever happens, and after 30 minutes idle.
SESSION_COOKIE_AGE = 8 * 60 * 60
REKISTERI_STAFF_IDLE_SECONDS = int(os.environ.get("REKISTERI_STAFF_IDLE_SECONDS", "1800"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Rekisteri"

# Only our own host serves anything a page uses.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

ROOT_URLCONF = "rekisteri.urls"
WSGI_APPLICATION = "rekisteri.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rekisteri.console.context.console_nav",
            ],
        },
    },
]

PASSWORD_HASHERS = [
    # argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane).
    "rekisteri.staff.hashers.Argon2idOwaspHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

# OWASP ASVS / NIST SP 800-63B: length, not composition; no forced rotation; common
# passwords (English, Finnish, Swedish) and the account's own name refused.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {
        "NAME": "rekisteri.staff.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "rekisteri.staff.passwords.NordicCommonPasswordValidator"},
    {"NAME": "rekisteri.staff.passwords.UsernameInPasswordValidator"},
]

# The register description this instance keeps.
REKISTERI_POLICY = Path(
    os.environ.get("REKISTERI_POLICY", BASE_DIR / "policies" / "mainioco.toml")
).resolve()


def _policy_light(path: Path) -> dict[str, Any]:
    """The policy file as plain TOML: no models exist yet at settings time. A file that
    cannot be read here is named properly by the policy loader at start; until then
    the register speaks its default languages in its default country's zone."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _policy_languages(policy: dict[str, Any]) -> list[Language]:
    """The languages the policy offers (``[policy] languages``), the first the default."""
    section = policy.get("policy")
    declared = section.get("languages") if isinstance(section, dict) else None
    if not isinstance(declared, list):
        return list(DEFAULT_LANGUAGES)
    known: list[Language] = [lang for lang in declared if lang in LANGUAGE_NAMES]
    return list(dict.fromkeys(known)) or list(DEFAULT_LANGUAGES)


def _policy_time_zone(policy: dict[str, Any]) -> str:
    """The controller's zone (``[controller] time_zone``, or its country's capital's)."""
    controller = policy.get("controller")
    if not isinstance(controller, dict):
        controller = {}
    country, zone = controller.get("country"), controller.get("time_zone")
    chosen = countries.time_zone_of(
        country if isinstance(country, str) else countries.DEFAULT_COUNTRY,
        zone if isinstance(zone, str) else None,
    )
    if countries.time_zone_check(chosen):
        return countries.time_zone_of(countries.DEFAULT_COUNTRY)
    return chosen


_POLICY_LIGHT = _policy_light(REKISTERI_POLICY)
# Django speaks the policy's languages; the first is the default.
LANGUAGES = [(lang, LANGUAGE_NAMES[lang]) for lang in _policy_languages(_POLICY_LIGHT)]
LANGUAGE_CODE = LANGUAGES[0][0]
# Dates (deadlines, retention, "today") are the controller's calendar dates.
TIME_ZONE = _policy_time_zone(_POLICY_LIGHT)
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English dates day first and on a 24-hour clock, as read in the EU (see the module).
FORMAT_MODULE_PATH = ["rekisteri.formats"]
USE_I18N = True
USE_TZ = True

# Uploaded files (organisation logos). Served to staff through the register, never
# as public media, so there is no MEDIA_URL route; readable by our own user only.
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Requests larger than this are refused before a view reads them (a logo is at most 2 MiB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "rekisteri.api.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or not PRODUCTION:
    # Serve straight from the apps' static folders, so a missing collectstatic
    # never breaks a developer's page.
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # "long": work over the whole register (sweeps), in a lane of its own.
        "QUEUES": ["default", "long"],
    }
}

# The audit chain's seal hashes are also appended here, outside the database,
# so that rewriting the whole audit table is caught too.
REKISTERI_AUDIT_SEAL_FILE = Path(
    os.environ.get("REKISTERI_AUDIT_SEAL_FILE", VAR_DIR / "audit-seals.log")
).resolve()
# How often the worker seals new audit entries.
REKISTERI_AUDIT_SEAL_INTERVAL_SECONDS = float(os.environ.get("REKISTERI_AUDIT_SEAL_INTERVAL", "2"))
# The worker is woken when a job is queued; it also polls this often, in case a
# wake-up was lost (seconds).
REKISTERI_WORKER_POLL_SECONDS = float(os.environ.get("REKISTERI_WORKER_POLL", "5"))
# A running job's lease: a worker that stops renewing it for this long is taken
# to have died, and the job resumes elsewhere from its checkpoint (seconds).
REKISTERI_JOB_LEASE_SECONDS = float(os.environ.get("REKISTERI_JOB_LEASE", "60"))
# Entries still unsealed after this many seconds are a finding (a stopped sealer).
REKISTERI_AUDIT_SEAL_GRACE_SECONDS = int(os.environ.get("REKISTERI_AUDIT_SEAL_GRACE", "60"))
# Tests only: the process kills itself at this named point (e.g. "audit.seal.after_intent"),
# to prove that a crash there leaves nothing broken. Never in production.
REKISTERI_CRASH_AT = "" if PRODUCTION else os.environ.get("REKISTERI_CRASH_AT", "")

# E-mail to data subjects and the data protection officer goes through SMTP.
# Outside production, without an SMTP host, messages are written to var/mail so
# that a developer can open the links they carry.
EMAIL_HOST = os.environ.get("REKISTERI_SMTP_HOST", "")
EMAIL_PORT = int(os.environ.get("REKISTERI_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("REKISTERI_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("REKISTERI_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("REKISTERI_SMTP_STARTTLS", default=False)
EMAIL_TIMEOUT = 20
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    raise ImproperlyConfigured("REKISTERI_SMTP_HOST is required in production mode")
else:
    # Django's file backend, but each message readable by our own user only.
    EMAIL_BACKEND = "rekisteri.core.mail.PrivateFileEmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Where the register is served: links in e-mails point here.
REKISTERI_BASE_URL = os.environ.get("REKISTERI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("REKISTERI_MAIL_FROM", "rekisteri@localhost")
# Where deadline reminders go; default: the policy's data protection officer or contact.
REKISTERI_DPO_EMAIL = os.environ.get("REKISTERI_DPO_EMAIL", "")
# Erased people's e-mail addresses and phone numbers are kept only as salted
# hashes, so that a later import of the same person is flagged.
REKISTERI_SUPPRESSION_SALT = os.environ.get("REKISTERI_SUPPRESSION_SALT", "") or SECRET_KEY
REKISTERI_ANALYTICS_KEY = os.environ.get("REKISTERI_ANALYTICS_KEY", "") or SECRET_KEY
# Every erasure is also written here, outside the database, so that
# `rekisteri restore-replay` can erase again whoever a restored backup brings back.
# Keep it with the database's backups, never inside them.
REKISTERI_ERASURE_LEDGER = Path(
    os.environ.get("REKISTERI_ERASURE_LEDGER", VAR_DIR / "erasure-ledger.jsonl")
)
# Tests only: kill the process at this named point (rekisteri.core.faults); ignored in production.
REKISTERI_FAULT_POINT = os.environ.get("REKISTERI_FAULT_POINT", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = _env_bool("REKISTERI_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
REKISTERI_BEHIND_PROXY = _env_bool("REKISTERI_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if REKISTERI_BEHIND_PROXY else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "redact": {"()": "rekisteri.core.logs.RedactDatabaseErrors"},
        # The last line of defence: every handler scrubs e-mail addresses, phone
        # numbers and identity codes from whatever an exception's text quotes.
        "scrub": {"()": "rekisteri.core.logs.ScrubPersonalData"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact", "scrub"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("REKISTERI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # A 4xx is the client's mistake, and its path may hold what a careless
        # client put there: only server errors are logged.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # django-axes logs each attempt's path, which for enrolment holds a secret link.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The worker runs django-tasks-db's loop once per wake-up; its start and end
        # lines would fill the log.
        "django_tasks_db": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
