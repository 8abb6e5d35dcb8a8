"""Test settings: SQLite and in-memory parts by default; PostgreSQL and Redis when
``DATABASE_URL`` / ``REDIS_URL`` are set (as CI does)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence

from streamflix_core.plugins import installed_apps

BASE_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
]


def compose(plugins: Sequence[str] | None = None) -> list[str]:
    """``INSTALLED_APPS`` for a test project composing ``plugins`` (``None``: all installed)."""
    return [*BASE_APPS, *installed_apps(plugins)]


def database_settings() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        import dj_database_url

        return {"default": dj_database_url.parse(url, conn_max_age=0)}
    return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}


SECRET_KEY = "streamflix-tests-only-never-use-this-key-anywhere-else"
DEBUG = False
ALLOWED_HOSTS = ["*"]
STREAMFLIX_PLUGINS: list[str] | None = None
INSTALLED_APPS = compose(STREAMFLIX_PLUGINS)
AUTH_USER_MODEL = "streamflix_core.User"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "streamflix_core.testing.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = database_settings()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
MEDIA_ROOT = tempfile.mkdtemp(prefix="streamflix-test-media-")
MEDIA_URL = "/media/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
NINJA_JWT = {
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ASGI_APPLICATION = "streamflix_core.testing.asgi.application"

_redis_url = os.environ.get("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "streamflix_core.cache.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": f"streamflix-test-{os.getpid()}",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [_redis_url], "prefix": f"streamflix-test-{os.getpid()}"},
        }
    }
    Q_CLUSTER = {
        "name": f"streamflix-test-{os.getpid()}",
        "redis": _redis_url,
        "sync": True,
        "retry": 60,
        "timeout": 30,
    }
else:
    # The sites' embedded default (shared by processes), in a file of this test run.
    CACHES = {
        "default": {
            "BACKEND": "streamflix_core.cache.SQLiteCache",
            "LOCATION": os.path.join(
                tempfile.mkdtemp(prefix="streamflix-test-cache-"), "cache.sqlite3"
            ),
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "streamflix_core.channel_layers.InMemoryChannelLayer"}}
    Q_CLUSTER = {
        "name": "streamflix-test",
        "orm": "default",
        "sync": True,
        "retry": 60,
        "timeout": 30,
    }

UNFOLD = {
    "SITE_TITLE": "Streamflix (tests)",
    "SIDEBAR": {"navigation": "streamflix_core.plugins.sidebar_navigation"},
    # The admin index shows every installed plugin's dashboard cards.
    "DASHBOARD_CALLBACK": "streamflix_core.dashboard.dashboard_callback",
}
