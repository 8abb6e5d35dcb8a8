"""Readiness checks of the runtime parts a site depends on (used by ``GET /api/health``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections


@dataclass(frozen=True)
class PartStatus:
    name: str
    ok: bool
    latency_ms: float
    error: str = ""


def check_database() -> None:
    for connection in connections.all(initialized_only=False):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()


def check_cache() -> None:
    cache = caches["default"]
    key = f"streamflix:health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("a value written to the cache could not be read back")
    cache.delete(key)


def check_task_broker() -> None:
    from django_q.brokers import get_broker

    broker = get_broker()
    if broker.ping() is False:
        raise RuntimeError(f"{type(broker).__name__} did not answer")


def check_storage() -> None:
    from .conf import settings

    if not settings().HEALTH_CHECK_STORAGE:
        default_storage.exists("streamflix-health")
        return
    name = default_storage.save(f"streamflix-health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                raise RuntimeError("a file written to storage could not be read back")
    finally:
        default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "task_broker": check_task_broker,
    "storage": check_storage,
}


def run_checks() -> list[PartStatus]:
    """Run every check; a failing part is reported, never raised."""
    results = []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # any failure means the part is not ready
            error = f"{type(exc).__name__}: {exc}".strip()
            results.append(PartStatus(name, False, _ms(started), error[:300]))
        else:
            results.append(PartStatus(name, True, _ms(started)))
    return results


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
