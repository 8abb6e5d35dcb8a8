"""Demo site settings. Every value comes from an environment variable with an embedded
default that needs no services; docs/operations.md lists them all."""

from __future__ import annotations

from datetime import timedelta

from streamflix_core import plugins, social_login

from . import env

env.load_env_file()
DATA_DIR = env.data_dir()

DEBUG = env.flag("DJANGO_DEBUG")
SECRET_KEY = env.secret_key(DEBUG)
ALLOWED_HOSTS = env.items("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.items(
    "DJANGO_CSRF_TRUSTED_ORIGINS", ["http://localhost:8000", "http://127.0.0.1:8000"]
)
# Browser apps on other origins may call the API (preflights included); nobody by default.
CORS_ALLOWED_ORIGINS = env.items("DJANGO_CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = env.flag("DJANGO_CORS_ALLOW_CREDENTIALS")

# HTTPS-only defaults: on when DEBUG is off and the site answers a public host name (a
# loopback-only site, like `make demo`, has no certificate to redirect to). Each can be set.
_HTTPS = not DEBUG and env.serves_public_hosts(ALLOWED_HOSTS)
SECURE_SSL_REDIRECT = env.flag("DJANGO_SECURE_SSL_REDIRECT", default=_HTTPS)
SECURE_HSTS_SECONDS = int(env.text("DJANGO_SECURE_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_HTTPS)
SECURE_HSTS_PRELOAD = env.flag("DJANGO_SECURE_HSTS_PRELOAD", default=_HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.flag("DJANGO_SECURE_COOKIES", default=_HTTPS)
# Only behind a proxy that sets X-Forwarded-Proto itself (a client could write it otherwise).
if env.flag("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

STREAMFLIX_PLUGINS = env.items("STREAMFLIX_PLUGINS")
STREAMFLIX_EXCLUDE_PLUGINS = env.items("STREAMFLIX_EXCLUDE_PLUGINS", [])
STREAMFLIX_CORE = {
    "REQUIRE_EMAIL_VERIFICATION": env.flag("STREAMFLIX_REQUIRE_EMAIL_VERIFICATION", default=True),
    # Trusted reverse proxies in front of the site; 0 ignores X-Forwarded-For (client-written).
    "NUM_PROXIES": int(env.text("STREAMFLIX_NUM_PROXIES", "0")),
    # gunicorn_conf.py reads the same variable: billing checks its Stripe budget against it.
    "HTTP_WORKER_TIMEOUT_SECONDS": env.http_worker_timeout(),
    # Social sign-in returns to these front-end pages only (the first is the default).
    "SOCIAL_LOGIN_REDIRECT_URLS": tuple(
        env.items("SOCIAL_LOGIN_REDIRECT_URLS", ["/auth/callback"]) or ["/auth/callback"]
    ),
    "SOCIAL_LOGIN_CONFIRM_URL": env.text(
        "SOCIAL_LOGIN_CONFIRM_URL", "http://localhost:8000/social-confirm?token={token}"
    ),
    # The web app signs in in cookie mode; a plain-HTTP site (make demo) needs them not Secure.
    "AUTH_COOKIE_SECURE": SESSION_COOKIE_SECURE,
}
# Without STRIPE_SECRET_KEY billing uses its local development gateway (simulated checkout).
STREAMFLIX_BILLING = {
    "STRIPE_SECRET_KEY": env.text("STRIPE_SECRET_KEY"),
    "STRIPE_WEBHOOK_SECRET": env.text("STRIPE_WEBHOOK_SECRET"),
    # Pages of the web app (sites/demo/web/), so a checkout lands back in the app.
    "SUCCESS_URL": env.text("STREAMFLIX_BILLING_SUCCESS_URL", "/account?checkout=success"),
    "CANCEL_URL": env.text("STREAMFLIX_BILLING_CANCEL_URL", "/subscribe?checkout=cancel"),
    "PORTAL_RETURN_URL": env.text("STREAMFLIX_BILLING_PORTAL_RETURN_URL", "/account"),
}
# The django-q2 task outlives the transcode by the publish margin (media's task timeout);
# the broker re-delivers an unacknowledged task only after it (STREAMFLIX_Q_RETRY must stay
# 30 s above it, or `manage.py check` fails with streamflix.E011). That is a backstop: a run
# whose worker died is run again once its lease (TRANSCODE_LEASE_SECONDS, a minute) has
# expired, by media's recovery schedule or a worker that starts.
TRANSCODE_TIMEOUT_SECONDS = int(env.text("STREAMFLIX_Q_TIMEOUT", "1800"))
PUBLISH_MARGIN_SECONDS = 600
TASK_TIMEOUT_SECONDS = TRANSCODE_TIMEOUT_SECONDS + PUBLISH_MARGIN_SECONDS
STREAMFLIX_MEDIA = {
    "TRANSCODE_TIMEOUT_SECONDS": TRANSCODE_TIMEOUT_SECONDS,
    "PUBLISH_MARGIN_SECONDS": PUBLISH_MARGIN_SECONDS,
    # Scratch files of transcode runs on the data volume (not /tmp); swept at worker start.
    "WORK_DIR": str(DATA_DIR / "work"),
    # Transcodes queue to a django-q2 cluster of their own (a worker started with
    # Q_CLUSTER_NAME=transcode), so one never delays a password-reset email; empty: one
    # cluster does everything.
    "TRANSCODE_CLUSTER": env.text("STREAMFLIX_TRANSCODE_CLUSTER", "transcode"),
}
STREAMFLIX_SOCIAL = {
    # Sockets one title's room may hold, across every daphne process.
    "WS_ROOM_MAX_CLIENTS": int(env.text("STREAMFLIX_WS_ROOM_MAX_CLIENTS", "500")),
}
# Short-lived access tokens; a refresh token works once (rotation + blacklist after rotation).
NINJA_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=int(env.text("STREAMFLIX_ACCESS_TOKEN_MINUTES", "15"))
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(env.text("STREAMFLIX_REFRESH_TOKEN_DAYS", "14"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}

INSTALLED_APPS = [
    "daphne",
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "corsheaders",
    *plugins.installed_apps(STREAMFLIX_PLUGINS, STREAMFLIX_EXCLUDE_PLUGINS),
    "streamflix_demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The web app's built assets (WHITENOISE_ROOT) and the collected static files.
    "streamflix_demo.web_app.WebAppWhiteNoiseMiddleware",
    # Before CommonMiddleware, which may answer (redirect) a preflight first.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Sign in with Google, Apple, Facebook or OpenID Connect (the social-login extra): on when a
# provider's SOCIAL_LOGIN_*_CLIENT_ID is set, or with SOCIAL_LOGIN_ENABLED=1 for providers
# configured in the admin only. docs/social-login.md.
SOCIAL_LOGIN_PROVIDERS = social_login.providers_from_env()
social_login.enable(globals(), SOCIAL_LOGIN_PROVIDERS)

ROOT_URLCONF = "streamflix_demo.urls"
ASGI_APPLICATION = "streamflix_demo.asgi.application"
WSGI_APPLICATION = "streamflix_demo.wsgi.application"
AUTH_USER_MODEL = "streamflix_core.User"

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

DATABASES = env.databases(DATA_DIR / "demo.sqlite3")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# The demo serves collected static files itself; in production a CDN or proxy does.
STREAMFLIX_SERVE_STATIC = env.flag("STREAMFLIX_SERVE_STATIC", default=True)
# The viewer web app's build (`npm run build` in sites/demo/web): index.html answers the app's
# routes (web_app.py), WhiteNoise serves the rest of the directory from the site's root.
STREAMFLIX_WEB_APP_DIR = env.web_app_dir()
WHITENOISE_ROOT = STREAMFLIX_WEB_APP_DIR if STREAMFLIX_SERVE_STATIC else None
# Vite names every built asset after its content hash: cache those for good.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/?assets/.+-[A-Za-z0-9_-]{8,}\.\w+$"

REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "streamflix_core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "streamflix",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # One comment sends an event to every socket of its room, and every socket of a
            # daphne process shares one Redis list: room for a full room's fan-out, several
            # times over, instead of channels-redis's default of 100 (the rest is dropped).
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 10_000},
        }
    }
    _broker = {"redis": REDIS_URL}
else:
    # One SQLite file that every process of the site (HTTP workers, daphne, qcluster,
    # management commands) shares, so throttles and the catalog version agree; never
    # per-process local memory. Several machines need REDIS_URL.
    CACHES = {
        "default": {
            "BACKEND": "streamflix_core.cache.SQLiteCache",
            "LOCATION": str(DATA_DIR / "cache.sqlite3"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    # Live events (comments, counters, notifications) reach only the sockets of the process
    # that sends them: enough when one daphne serves HTTP and WebSockets. With separate HTTP
    # workers, qcluster pushes or several daphnes, set REDIS_URL (channels-redis).
    CHANNEL_LAYERS = {"default": {"BACKEND": "streamflix_core.channel_layers.InMemoryChannelLayer"}}
    _broker = {"orm": "default"}

Q_CLUSTER = {
    "name": "streamflix",
    "workers": int(env.text("STREAMFLIX_Q_WORKERS", "2")),
    "timeout": TASK_TIMEOUT_SECONDS,
    "retry": int(env.text("STREAMFLIX_Q_RETRY", str(TASK_TIMEOUT_SECONDS + 60))),
    "max_attempts": 3,
    "catch_up": False,
    **_broker,
    # The transcode cluster: Q_CLUSTER with these keys replaced, in the worker started with
    # Q_CLUSTER_NAME=<STREAMFLIX_TRANSCODE_CLUSTER> (django-q2 needs the key even if empty).
    "ALT_CLUSTERS": {
        STREAMFLIX_MEDIA["TRANSCODE_CLUSTER"] or "transcode": {
            "workers": int(env.text("STREAMFLIX_TRANSCODE_WORKERS", "1")),
        },
    },
}

S3_BUCKET = env.text("STREAMFLIX_S3_BUCKET")
# "default" holds public media (avatars, posters) served under MEDIA_URL; video sources and
# HLS output go to "streamflix_private", which no public URL reaches (signed URLs only).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "streamflix_private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "private", "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    _s3_options = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env.text("STREAMFLIX_S3_ENDPOINT_URL") or None,
        "region_name": env.text("STREAMFLIX_S3_REGION") or None,
        "querystring_auth": True,
        "file_overwrite": False,
        "default_acl": None,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_options,
            "custom_domain": env.text("STREAMFLIX_S3_CUSTOM_DOMAIN") or None,
        },
    }
    # Same bucket, private prefix, always presigned (a custom domain would drop signing).
    STORAGES["streamflix_private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": "private"},
    }

EMAIL_HOST = env.text("DJANGO_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env.text("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env.text("DJANGO_EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env.text("DJANGO_EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env.flag("DJANGO_EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.text("DJANGO_DEFAULT_FROM_EMAIL", "Streamflix <noreply@streamflix.local>")

UNFOLD = {
    "SITE_TITLE": "Streamflix admin",
    "SITE_HEADER": "Streamflix",
    "SITE_SYMBOL": "movie",
    # The index shows every installed plugin's cards (docs/admin.md).
    "DASHBOARD_CALLBACK": "streamflix_core.dashboard.dashboard_callback",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": "streamflix_core.plugins.sidebar_navigation",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
