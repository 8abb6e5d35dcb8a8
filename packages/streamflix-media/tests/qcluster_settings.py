"""Settings of the real ``qcluster`` processes started by ``tests/test_tasks.py``: the
database, storage, work directory and lease come from the environment the test sets."""

import os

import dj_database_url

from tests.settings import *  # noqa: F403

_url = os.environ["STREAMFLIX_QC_DATABASE_URL"]
DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=0)}
if _url.startswith("sqlite"):
    # Workers, their lease heartbeats and the test's reads share one file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
Q_CLUSTER = {
    "name": os.environ["STREAMFLIX_QC_NAME"],
    "workers": 2,
    "timeout": 300,
    # Far beyond the test: recovery must come from the lease, not from re-delivery.
    "retry": 900,
    "max_attempts": 1,
    "catch_up": False,
    "poll": 0.2,
    **({"redis": os.environ["REDIS_URL"]} if os.environ.get("REDIS_URL") else {"orm": "default"}),
    # The transcode cluster's worker (Q_CLUSTER_NAME=<it>) runs one transcode at a time.
    "ALT_CLUSTERS": {
        os.environ.get("STREAMFLIX_QC_TRANSCODE_CLUSTER") or "transcode": {"workers": 1}
    },
}
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ["STREAMFLIX_QC_STORAGE"], "base_url": "/files/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STREAMFLIX_MEDIA = {
    "X264_PRESET": "ultrafast",
    "HLS_SEGMENT_SECONDS": 2,
    "LADDER_HEIGHTS": (240, 360, 720),
    "PROGRESS_SAVE_SECONDS": 0.5,
    "TRANSCODE_TIMEOUT_SECONDS": 240,
    "PUBLISH_MARGIN_SECONDS": 30,
    "TRANSCODE_LEASE_SECONDS": int(os.environ["STREAMFLIX_QC_LEASE_SECONDS"]),
    "WORK_DIR": os.environ["STREAMFLIX_QC_WORK_DIR"],
    "TRANSCODE_CLUSTER": os.environ.get("STREAMFLIX_QC_TRANSCODE_CLUSTER", ""),
}
SILENCED_SYSTEM_CHECKS = ["streamflix_media.W001"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timed": {"format": "%(asctime)s %(process)d %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timed"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
