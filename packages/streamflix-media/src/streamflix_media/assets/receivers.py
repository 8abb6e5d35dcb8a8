"""Receivers of django-q2's worker signals: a transcode worker that starts cleans up after
the runs that died before it (their scratch files, and their assets, re-queued)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection

from .runs import lease_seconds, runs_recover, runs_recover_when_due
from .workdir import work_dir_sweep

logger = logging.getLogger(__name__)


def _recover_in_background() -> None:
    try:
        runs_recover()
        # Leases of runs that died just before this start are still live: catch them as
        # they expire rather than at the next scheduled sweep.
        runs_recover_when_due(within=lease_seconds() + 1)
    except Exception:
        logger.exception("Recovering dead transcode runs failed")
    finally:
        connection.close()


def on_worker_spawn(sender: Any = None, **kwargs: Any) -> None:
    """At each django-q2 worker start: remove dead runs' scratch files from ``WORK_DIR`` and
    re-queue the assets whose run died (in a thread, so the worker starts at once)."""
    try:
        work_dir_sweep()
    except Exception:
        logger.exception("Sweeping the transcode work directory failed")
    threading.Thread(
        target=_recover_in_background, name="streamflix-media-recover", daemon=True
    ).start()


def connect() -> None:
    """Connect the receivers (from ``AppConfig.ready()``)."""
    from django_q.signals import post_spawn

    post_spawn.connect(on_worker_spawn, dispatch_uid="streamflix_media_worker_spawn")
