"""Roost's settings. Every value a deployment changes comes from the environment (README, 'Settings')."""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_networks, env_str

from .celery import *  # noqa: F403
from .channels import *  # noqa: F403
from .mail import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("ROOST_SECRET_KEY")
# Rotating the key: move the old value here (comma-separated); sessions, signed links and sealed
# credentials made with it stay valid until it is removed (core/crypto.py).
SECRET_KEY_FALLBACKS = env_list("ROOST_SECRET_KEY_FALLBACKS", [])
DEBUG = env_bool("ROOST_DEBUG", False)

# Absolute URLs are built from this, never from the Host header of a request.
BASE_URL = env_str("ROOST_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [urlsplit(BASE_URL).hostname or "127.0.0.1", *env_list("ROOST_ALLOWED_HOSTS", [])]
CSRF_TRUSTED_ORIGINS = [BASE_URL]
USE_X_FORWARDED_HOST = False
# Only these peers (reverse proxies) may say which client they forward for (core/clientip.py).
ROOST_TRUSTED_PROXIES = env_networks("ROOST_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "core",
    "accounts",
    "mailadmin",
    "contacts",
    "webmail",
    "calendar_app",
    "dav",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.BrowserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RoostErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "core.context_processors.shell",
                "webmail.context_processors.mail_sidebar",
                "calendar_app.context_processors.calendar_sidebar",
                "contacts.context_processors.contacts_sidebar",
            ],
        },
    },
]

DB_POOL_MIN_SIZE = env_int("ROOST_DB_POOL_MIN_SIZE", 2)
DB_POOL_MAX_SIZE = env_int("ROOST_DB_POOL_MAX_SIZE", 10)
if not 0 <= DB_POOL_MIN_SIZE <= DB_POOL_MAX_SIZE or DB_POOL_MAX_SIZE < 1:
    raise ImproperlyConfigured("ROOST_DB_POOL_MAX_SIZE must be at least 1 and at least ROOST_DB_POOL_MIN_SIZE (>= 0).")
DB_POOL_TIMEOUT = env_int("ROOST_DB_POOL_TIMEOUT", 10)
if DB_POOL_TIMEOUT < 1:
    raise ImproperlyConfigured("ROOST_DB_POOL_TIMEOUT must be at least 1 (seconds).")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env_str("ROOST_DB_NAME", "roost"),
        "USER": env_str("ROOST_DB_USER", "roost"),
        "PASSWORD": env_str("ROOST_DB_PASSWORD", ""),
        "HOST": env_str("ROOST_DB_HOST", "127.0.0.1"),
        "PORT": env_int("ROOST_DB_PORT", 5432),
        # Connections come from one bounded pool per process and go back at the end of each request,
        # as Django documents for ASGI. CONN_MAX_AGE kept one connection per thread instead, and a busy
        # daphne process held 81-87 until Postgres refused more; Django requires 0 with a pool.
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "connect_timeout": 5,
            "application_name": env_str("ROOST_DB_APPLICATION_NAME", "roost"),
            "pool": {
                "min_size": DB_POOL_MIN_SIZE,
                "max_size": DB_POOL_MAX_SIZE,
                "timeout": DB_POOL_TIMEOUT,
            },
        },
        "TEST": {"NAME": env_str("ROOST_TEST_DB_NAME", "roost_test")},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("ROOST_REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("ROOST_CACHE_PREFIX", "roost"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.AddressBackend"
    if ROOST_MAIL_MODE == "managed"  # noqa: F405
    else "webmail.auth_backend.ImapLoginBackend"
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "webmail:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# One hash that Django and Dovecot both verify (BLF-CRYPT); see docs/deploy.md.
PASSWORD_HASHERS = ["accounts.hashers.MailBcryptHasher"]
ROOST_BCRYPT_ROUNDS = env_int("ROOST_BCRYPT_ROUNDS", 12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.BcryptLengthValidator"},
]
# Sign-in throttling (accounts/throttle.py): failures per client address per fixed window, and per
# account a delay that starts after the same number of failures and doubles up to the window's length.
ROOST_LOGIN_MAX_FAILURES = env_int("ROOST_LOGIN_MAX_FAILURES", 5)
ROOST_LOGIN_LOCKOUT_SECONDS = env_int("ROOST_LOGIN_LOCKOUT_SECONDS", 900)
ROOST_LOGIN_DELAY_SECONDS = env_int("ROOST_LOGIN_DELAY_SECONDS", 60)
# How long a verified DAV Basic credential is remembered (dav/auth.py): a phone sync is dozens of requests.
ROOST_DAV_AUTH_CACHE_SECONDS = env_int("ROOST_DAV_AUTH_CACHE_SECONDS", 300)
# Calendar subscriptions fetch only from public addresses (core/netguard.py). Not from the environment: the
# tests alone set this (to loopback), to reach the servers they start.
ROOST_FETCH_ALLOW_NETWORKS: list[str] = []

# Request bodies (core/bodylimit.py refuses bigger ones with 413 before Django reads them): every URL takes at
# most ROOST_REQUEST_MAX_BYTES (Django's own default for form fields, so no form that worked is refused), and
# views marked @accepts_uploads ROOST_ATTACHMENT_MAX_BYTES more. The same number bounds a form's text fields.
ROOST_REQUEST_MAX_BYTES = env_int("ROOST_REQUEST_MAX_BYTES", 2621440)
DATA_UPLOAD_MAX_MEMORY_SIZE = ROOST_REQUEST_MAX_BYTES
# Bodies and files above this are spooled to a temporary file rather than held in the process's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env_str("ROOST_UPLOAD_TEMP_DIR", "") or None

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over https (behind a TLS proxy that sets X-Forwarded-Proto, believed only from ROOST_TRUSTED_PROXIES):
# browsers are told to use https only, and a plain-http request is redirected there.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
# Only a proxy in ROOST_TRUSTED_PROXIES can say a request came over https (core.middleware.TrustedProxyMiddleware).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_ROOST_FORWARDED_HTTPS", "on")
SECURE_HSTS_SECONDS = env_int("ROOST_HSTS_SECONDS", 31536000) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ROOST_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("ROOST_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ROOST_LOG_LEVEL", "INFO")},
}
