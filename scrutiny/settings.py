"""Settings for Scrutiny, read from the environment.

Local use needs nothing set: SQLite in the project folder, DEBUG on. With DEBUG=False,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are required and startup fails without them.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from scrutiny.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-local-development-only")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    _database_url = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
else:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    # What `check --deploy` requires (security.W009): 50 characters, 5 different ones at least.
    if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be a random string of 50 characters or more (for instance "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [], required=True)
    _database_url = env_str("DATABASE_URL", required=True)

if not _database_url.startswith(("sqlite:", "postgres:", "postgresql:")):
    raise ImproperlyConfigured(
        "DATABASE_URL must start with sqlite:/// or postgresql:// "
        f"(got {_database_url.split(':', 1)[0]!r})."
    )
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer rather than failing at once: the dev server and a command may overlap.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "scrutiny.apps.ScrutinyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tasks_db",
    "scrutiny",
    "meetings",
    "actions",
    "minutes",
]

MIDDLEWARE = [
    "scrutiny.middleware.RejectNulBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A visitor's GET of a public page already kept is answered here, before sessions, CSRF
    # and authentication (WhiteNoise goes just above it in production).
    "scrutiny.public_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "scrutiny.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "scrutiny.middleware.SecondFactorMiddleware",
    "scrutiny.middleware.FieldCountMiddleware",
    "scrutiny.middleware.IdsInRangeMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "scrutiny.middleware.PrivatePagesNotCachedMiddleware",
    # Last, so that it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "scrutiny.backends.PasswordBackend",
]
# Sign-in throttling: failures count per username whatever the browser and address, since both
# are the guesser's to change. A locked-out colleague waits AXES_COOLOFF_MINUTES or is unlocked
# with `manage.py axes_reset_username USERNAME`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address among the lockout parameters, against guessers who rotate the
# browser's User-Agent; a lock by username alone is not bypassed that way, and a lock by address
# would lock out a whole office behind one address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address recorded with each attempt (django-ipware): behind PROXY_COUNT proxies it is read
# from X-Forwarded-For, counting that many proxies from the right; with none, the connection's.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Two-factor sign-in for staff and members: on unless turned off (it is off for the local demo,
# where DEBUG is on, unless ADMIN_REQUIRE_OTP=true). Without their second factor they see only
# what the public sees, whatever the page (scrutiny.middleware.SecondFactorMiddleware). Force
# leads may set up an app (manage.py otp_enrol) and then always use it; FORCE_LEAD_REQUIRE_OTP
# makes it a requirement for them too.
ADMIN_REQUIRE_OTP = env_bool("ADMIN_REQUIRE_OTP", default=not DEBUG)
FORCE_LEAD_REQUIRE_OTP = env_bool("FORCE_LEAD_REQUIRE_OTP", default=False)
OTP_TOTP_ISSUER = "Scrutiny"

# Large enough that a very long field reaches the form and gets a clear message per field.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# A 120-item meeting posts well over Django's 1,000 fields: staff are held only to the size
# above, everyone else to 1,000 fields (scrutiny.middleware.FieldCountMiddleware).
DATA_UPLOAD_MAX_NUMBER_FIELDS = None

if not DEBUG:
    # In production WhiteNoise serves the collected static files; runserver does it locally.
    after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
    MIDDLEWARE.insert(after_security, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "scrutiny.urls"
WSGI_APPLICATION = "scrutiny.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scrutiny.context_processors.site",
                "scrutiny.context_processors.languages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# The public pages live under /en/ and /cy/. English is British English: the "en" code takes
# its formats from scrutiny/formats/en (Django's en_GB); Welsh adds the day name to dates.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["scrutiny.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Background work (publication rendering, large exports, imports) goes through Django's Tasks
# framework. The database backend keeps the queue in the application's own database, so any
# number of `manage.py db_worker` processes can run it; the test suite runs tasks at once
# (ImmediateBackend) unless a test chooses the database backend.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# The admin's history pages show who changed what; reverting from them would bypass the services
# (and, for accounts, the rules on who grants what).
SIMPLE_HISTORY_REVERT_DISABLED = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email goes through Django 6.1's MAILERS. Locally it is printed to the console; in
# production set EMAIL_HOST (and the rest) for SMTP. Tests use Django's in-memory outbox.
_email_host = env_str("EMAIL_HOST")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 30,
            },
        }
    }
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set when DEBUG is off: reminders are sent by email."
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "scrutiny@localhost")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Security headers. Scripts come from our own origin only: no inline script anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # Django's own loggers (the server, the autoreloader, the task worker's "django.tasks") print
    # through the one console above; Django's default console would print each line twice.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Register exports over this many actions are built by the task queue (db_worker) and offered
# on the register when ready, rather than risking a request cut short by the server's timeout.
ACTION_EXPORT_INLINE_MAX_ROWS = env_int("ACTION_EXPORT_INLINE_MAX_ROWS", 5000)
# Where those exports are kept: outside MEDIA_ROOT and STATIC_ROOT, so that no web server
# serves them; the app does, to the user who asked (or staff).
EXPORTS_ROOT = Path(env_str("EXPORTS_ROOT", str(BASE_DIR / "private" / "exports")))
# The day of the week (0 is Monday) on which send_action_reminders sends each board's clerks
# the weekly digest.
REMINDER_DIGEST_WEEKDAY = env_int("REMINDER_DIGEST_WEEKDAY", 0)
