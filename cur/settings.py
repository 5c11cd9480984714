"""Settings of the ЦУР project, driven by the environment.

With nothing set the project runs on embedded defaults: SQLite in var/ and a
file-system Celery broker in var/broker, so `make run` needs no server. Production
sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

from pathlib import Path

import environ
import plotly
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Задайте SECRET_KEY (или DEBUG=1 для разработки).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cur",
    "sectors",
    "appeals",
    "ratings",
    "heatmap",
    "informing",
    "moderation",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cur.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cur.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "cur.urls"
WSGI_APPLICATION = "cur.wsgi.application"

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
                "cur.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# PostgreSQL in production and tests; SQLite in var/ when DATABASE_URL is unset.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cur.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the Celery worker
    # write to the same file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The heat map's rollup keys use UNIQUE … NULLS NOT DISTINCT, which PostgreSQL enforces; the embedded
# SQLite default cannot, and the rollup code does not rely on it there.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# --- Redis, cache, Celery ------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis outage must fail a cache call fast, not hang a request (cur.services).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any countdown/ETA we use, so a delayed task is not redelivered early; a task a
        # killed worker held comes back after it (the fault tests shorten it: docs/faults.md).
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=6 * 3600),
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "cur-filesystem://"  # cur/broker.py: kombu's filesystem transport, atomic writes
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A worker looks for new message files every 0.1 s (kombu's default, 1 s, was most of the wait
        # between registering an appeal and its classification).
        "polling_interval": 0.1,
        # Every folder under VAR_DIR: kombu's default control folder is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Moscow"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "cur.tasks.record_heartbeat", "schedule": 60.0},
    "appeals-deadline-sweep": {"task": "appeals.tasks.sweep_deadlines", "schedule": 300.0},
    # Appeals a lost task left unclassified (older than 10 minutes).
    "appeals-classification-requeue": {"task": "appeals.tasks.requeue_unclassified", "schedule": 600.0},
    # Weekly retraining from operators' corrections, Monday 03:00 Moscow (CELERY_TIMEZONE).
    "appeals-classifier-retrain": {
        "task": "appeals.tasks.retrain_classifier",
        "schedule": crontab(minute=0, hour=3, day_of_week="mon"),
    },
    # Ratings of the previous month, all three levels, on the 1st at 00:30 Moscow (after the month's cut-off).
    "ratings-previous-month": {
        "task": "ratings.tasks.compute_previous_month",
        "schedule": crontab(minute=30, hour=0, day_of_month=1),
    },
    # Rating runs a lost task left pending; also catches up the month if the 1st's tick was missed.
    "ratings-sweep": {"task": "ratings.tasks.sweep_runs", "schedule": 900.0},
    # ИНФОЦУР: overdue recommendations escalate once, overdue information events are marked once.
    "informing-deadline-sweep": {"task": "informing.tasks.sweep_deadlines", "schedule": 300.0},
    # Moderation center: surges of messages on one theme and territory (→ proposed information events).
    "moderation-surge-detection": {"task": "moderation.tasks.detect_surges", "schedule": 900.0},
    # Messages a lost task left without theme and territory (older than 10 minutes).
    "moderation-classification-requeue": {"task": "moderation.tasks.requeue_unclassified", "schedule": 600.0},
    # Automated reports of the previous day, week and month, each once, at 00:20 Moscow.
    "moderation-reports": {"task": "moderation.tasks.build_due_reports", "schedule": crontab(minute=20, hour=0)},
    # Heat map: the whole rollup rebuilt from the appeals table nightly (corrects drift), 02:40 Moscow.
    "heatmap-rollup-rebuild": {"task": "heatmap.tasks.rebuild_rollup", "schedule": crontab(minute=40, hour=2)},
    # Problem points (spikes, persistent problems) of the last 7 days, daily after the rebuild.
    "heatmap-problem-detection": {
        "task": "heatmap.tasks.detect_problem_points",
        "schedule": crontab(minute=20, hour=3),
    },
    "portal-roadmap-overdue-sweep": {"task": "portal.tasks.sweep_overdue_measures", "schedule": crontab(minute=10)},
    # Personal data of appeals past the retention period erased, daily at 04:10 Moscow (docs/privacy.md).
    "appeals-pd-retention": {"task": "appeals.tasks.anonymise_expired_appeals", "schedule": crontab(minute=10, hour=4)},
}

# --- Appeals: deadlines, classification, duplicates (all overridable from the environment) ---------
APPEAL_REMINDER_DAYS = env.list("APPEAL_REMINDER_DAYS", cast=int, default=[3, 1])  # days before the due date
APPEAL_ESCALATION_DAYS = env.list("APPEAL_ESCALATION_DAYS", cast=int, default=[0, 3])  # days overdue per level
CLASSIFIER_AUTO_ROUTE_THRESHOLD = env.float("CLASSIFIER_AUTO_ROUTE_THRESHOLD", default=0.85)
CLASSIFIER_AUTO_TOPIC_THRESHOLD = env.float("CLASSIFIER_AUTO_TOPIC_THRESHOLD", default=0.5)
CLASSIFIER_BATCH_SIZE = env.int("CLASSIFIER_BATCH_SIZE", default=1000)
CLASSIFIER_RETRAIN_MIN_CONFIRMED = env.int("CLASSIFIER_RETRAIN_MIN_CONFIRMED", default=50)
CLASSIFIER_RETRAIN_HOLDOUT = env.float("CLASSIFIER_RETRAIN_HOLDOUT", default=0.2)
CLASSIFIER_RETRAIN_TOLERANCE = env.float("CLASSIFIER_RETRAIN_TOLERANCE", default=0.0)
DUPLICATES_WINDOW_DAYS = env.int("DUPLICATES_WINDOW_DAYS", default=14)
DUPLICATES_THRESHOLD = env.float("DUPLICATES_THRESHOLD", default=0.6)
DUPLICATES_MAX_CANDIDATES = env.int("DUPLICATES_MAX_CANDIDATES", default=1000)
INCIDENT_MIN_APPEALS = env.int("INCIDENT_MIN_APPEALS", default=5)
INCIDENT_WINDOW_HOURS = env.int("INCIDENT_WINDOW_HOURS", default=24)
# Personal data of an appeal is erased this many days after its case was closed or rejected (docs/privacy.md).
APPEAL_PD_RETENTION_DAYS = env.int("APPEAL_PD_RETENTION_DAYS", default=1826)

# --- Auth ------------------------------------------------------------------------
AUTH_USER_MODEL = "cur.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins per (username, IP) allowed within the window before the form locks.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=900)

# --- Locale ----------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]

# --- Static files: Bootstrap and plotly.js come from their PyPI packages -------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    ("plotly", Path(plotly.__file__).parent / "package_data"),
    # plotly.js's Russian locale, from the npm package plotly.js-locales (package.json; `make` runs npm ci).
    ("plotly-locales", BASE_DIR / "node_modules" / "plotly.js-locales"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploads: every file field checks size, extension and content with cur.uploads.UploadValidator
# (at most UPLOAD_MAX_SIZE bytes; some forms ask for less). Request bodies other than files, and
# files held in memory before they spill to a temporary file, are capped at 5 MB.
UPLOAD_MAX_SIZE = env.int("UPLOAD_MAX_SIZE", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cur.permissions.ReadForStaffWriteForAdmin"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cur.web.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
    # How many reverse proxies stand in front of the web server (docs/deployment.md): the client address is
    # taken from the X-Forwarded-For entry the outermost of them appended, never from what a client sends.
    "NUM_PROXIES": env.int("TRUSTED_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ЦУР — API",
    "DESCRIPTION": "API системы центра управления региона: справочники, обращения, рейтинги.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set that several apps' fields share a field name with.
    "ENUM_NAME_OVERRIDES": {
        "InformationChannelEnum": "informing.models.common.Channel",
        "MaterialFormatEnum": "informing.models.common.Format",
        "InformationPriorityEnum": "informing.models.common.Priority",
        "InformationEventStatusEnum": "informing.models.events.InformationEvent.Status",
        "RatingPeriodKindEnum": "ratings.models.PeriodKind",
        "ReportPeriodKindEnum": "moderation.models.ModerationReport.Period",
    },
}

# --- E-mail ----------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cur@localhost")
# Absolute links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Security (production: DEBUG=0 behind TLS) -------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
