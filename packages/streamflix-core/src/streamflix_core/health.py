"""Readiness checks of the runtime parts a site depends on (used by ``GET /api/health``).

Each check does what the site itself does with the part, not a ping that cannot fail:

- ``database``: on every database alias, a row is inserted into ``django_migrations`` inside
  a transaction that is rolled back, with the connection's lock waits cut short (SQLite
  ``busy_timeout``, PostgreSQL ``lock_timeout`` / ``statement_timeout``). A locked,
  read-only or unreachable database fails here, as logins would.
- ``cache``: a value is written, read back and deleted.
- ``task_broker``: what enqueueing a task writes: for the ORM broker a row in its queue table
  (rolled back, same short lock waits), for Redis a key set and deleted; other brokers are
  asked for their ``info()``.
- ``task_worker``: whether a django-q2 cluster has published its status recently (the
  cluster's sentinel refreshes it every half second with a three-second expiry, through the
  broker or the cache it shares with this process). A missing worker is not critical: the
  API keeps serving and tasks wait in the queue, so the site is ``degraded`` (HTTP 200),
  not unready.
- ``storage``: a probe file is written, read back and deleted (or, with
  ``HEALTH_CHECK_STORAGE`` off, an existence check).

Every check runs in its own thread and is given ``HEALTH_CHECK_TIMEOUT_SECONDS``: one that
has not answered by then is reported as failed, so the endpoint answers in about that time
whatever hangs. A check still running from an earlier request is not started a second time
(reported failed at once), so a hanging part cannot pile up threads.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.status import Stat


@dataclass(frozen=True)
class PartStatus:
    """The outcome of one check. A failing ``critical`` part makes the site unready (503);
    a failing non-critical one makes it ``degraded``."""

    name: str
    ok: bool
    latency_ms: float
    error: str = ""
    critical: bool = True


def _limit_lock_waits(connection: Any, seconds: float) -> None:
    """Make this connection give up waiting for a lock after ``seconds``.

    Called before the probe's transaction starts: SQLite may take its write lock when the
    transaction begins (``transaction_mode = IMMEDIATE``). PostgreSQL's limits are
    ``SET LOCAL`` and set inside the transaction (see :func:`_limit_statement`).
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")
    elif connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {max(1, math.ceil(seconds))}")


def _limit_statement(connection: Any, seconds: float) -> None:
    if connection.vendor == "postgresql":
        milliseconds = max(1, int(seconds * 1000))
        with connection.cursor() as cursor:
            # The lock wait gives up first, so a locked table is reported as such.
            cursor.execute(f"SET LOCAL lock_timeout = {max(1, milliseconds // 2)}")
            cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}")


# SQLite has one writer at a time per database file: the database and broker probes of one
# process take turns on the same file rather than report each other as a lock (an in-memory
# shared-cache database does not even wait for a busy writer). Different files do not wait for
# each other, so a locked queue database never makes the main database look broken.
_sqlite_writers: dict[str, threading.Lock] = {}
_sqlite_writers_guard = threading.Lock()


def _sqlite_writer(connection: Any) -> threading.Lock:
    name = str(connection.settings_dict.get("NAME") or connection.alias)
    with _sqlite_writers_guard:
        return _sqlite_writers.setdefault(name, threading.Lock())


def _write_and_roll_back(alias: str, seconds: float, write: Callable[[], Any]) -> None:
    """Run ``write`` on ``alias`` in a transaction that is always rolled back."""
    connection = connections[alias]
    writer = _sqlite_writer(connection) if connection.vendor == "sqlite" else None
    if writer is not None and not writer.acquire(timeout=seconds):
        raise TimeoutError("another health probe of this SQLite database is still writing")
    try:
        _limit_lock_waits(connection, seconds)
        with transaction.atomic(using=alias):
            _limit_statement(connection, seconds)
            write()
            transaction.set_rollback(True, using=alias)
    finally:
        if writer is not None:
            writer.release()


def check_database(timeout: float) -> None:
    """Insert (and roll back) a row on every database alias; read-only aliases are read."""
    from .conf import settings

    read_only = set(settings().HEALTH_CHECK_READ_ONLY_DATABASES)
    aliases = list(connections)
    # The aliases are probed one after another: together they wait at most half the time.
    wait = timeout / 2 / len(aliases)
    failures = []
    for alias in aliases:
        try:
            if alias in read_only:
                with connections[alias].cursor() as cursor:
                    cursor.execute("SELECT 1")
                    cursor.fetchone()
                continue
            recorder = MigrationRecorder.Migration.objects.using(alias)
            _write_and_roll_back(
                alias,
                wait,
                partial(recorder.create, app="streamflix_core.health", name=uuid.uuid4().hex),
            )
        except Exception as exc:  # each alias is reported, the next one still checked
            failures.append(f"{alias}: {type(exc).__name__}: {exc}".strip())
    if failures:
        raise RuntimeError("; ".join(failures))


def check_cache(timeout: float) -> None:
    """Write, read back and delete a value in the default cache."""
    cache = caches["default"]
    key = f"streamflix:health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("a value written to the cache could not be read back")
    cache.delete(key)


def check_task_broker(timeout: float) -> None:
    """Do the write an enqueue does, so a broker that cannot take a task fails."""
    broker = get_broker()
    if isinstance(broker, ORM):
        alias = Conf.ORM
        _write_and_roll_back(
            alias,
            timeout / 2,
            lambda: OrmQ.objects.using(alias).create(
                key=f"streamflix-health-{uuid.uuid4().hex}", payload="", lock=None
            ),
        )
    elif type(broker).__module__ == "django_q.brokers.redis_broker":  # redis is optional
        key = f"streamflix:health:{uuid.uuid4().hex}"
        # A write, not a PING: a full (noeviction) or read-only Redis answers PING fine.
        if not broker.connection.set(key, "1", px=max(1000, int(timeout * 1000))):
            raise RuntimeError("Redis did not store a key")
        broker.connection.delete(key)
    else:
        broker.info()


def check_task_worker(timeout: float) -> None:
    """Fail unless a django-q2 cluster published its status in the last few seconds."""
    running = [stat for stat in Stat.get_all(get_broker()) if stat.status != Conf.STOPPED]
    if not running:
        raise RuntimeError(
            "no task worker (django-q2 cluster) seen in the last few seconds; tasks wait in "
            "the queue"
        )


def check_storage(timeout: float) -> None:
    """Write, read back and delete a probe file in the default storage."""
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


CHECKS: dict[str, Callable[[float], None]] = {
    "database": check_database,
    "cache": check_cache,
    "task_broker": check_task_broker,
    "task_worker": check_task_worker,
    "storage": check_storage,
}
"""Each part's check, called with the seconds it has; it raises when the part is not ready."""

NON_CRITICAL = frozenset({"task_worker"})
"""Parts whose failure makes the site ``degraded`` rather than unready."""


class _Probe:
    """One check running in its own thread, read back against a deadline."""

    _running: dict[str, _Probe] = {}
    _running_lock = threading.Lock()

    def __init__(self, name: str, check: Callable[[float], None], timeout: float) -> None:
        self.name = name
        self.started = time.perf_counter()
        self.error: str | None = None
        self.finished_ms: float | None = None
        self.thread = threading.Thread(
            target=self._run, args=(check, timeout), name=f"health-{name}", daemon=True
        )

    @classmethod
    def start(cls, name: str, check: Callable[[float], None], timeout: float) -> _Probe | str:
        """A started probe, or why none was started (the previous one still hangs)."""
        with cls._running_lock:
            previous = cls._running.get(name)
            if previous is not None and previous.thread.is_alive():
                waited = time.perf_counter() - previous.started
                return f"TimeoutError: the previous check has not answered for {waited:.1f} s"
            probe = cls(name, check, timeout)
            cls._running[name] = probe
        probe.thread.start()
        return probe

    def _run(self, check: Callable[[float], None], timeout: float) -> None:
        try:
            check(timeout)
        except Exception as exc:  # any failure means the part is not ready
            self.error = f"{type(exc).__name__}: {exc}".strip()
        finally:
            self.finished_ms = _ms(self.started)
            # Connections opened by this thread are its own; nobody else would close them.
            connections.close_all()

    def status(self, deadline: float, timeout: float) -> PartStatus:
        self.thread.join(max(0.0, deadline - time.monotonic()))
        critical = self.name not in NON_CRITICAL
        if self.thread.is_alive():
            error = f"TimeoutError: no answer within {timeout:g} s"
            return PartStatus(self.name, False, _ms(self.started), error, critical)
        latency = self.finished_ms if self.finished_ms is not None else _ms(self.started)
        if self.error is not None:
            return PartStatus(self.name, False, latency, self.error[:300], critical)
        return PartStatus(self.name, True, latency, "", critical)


def run_checks() -> list[PartStatus]:
    """Run every check at once, each bounded by ``HEALTH_CHECK_TIMEOUT_SECONDS``; a failing
    part is reported, never raised."""
    from .conf import settings

    timeout = float(settings().HEALTH_CHECK_TIMEOUT_SECONDS)
    deadline = time.monotonic() + timeout
    probes = {name: _Probe.start(name, check, timeout) for name, check in CHECKS.items()}
    results = []
    for name, probe in probes.items():
        if isinstance(probe, str):
            results.append(PartStatus(name, False, 0.0, probe, name not in NON_CRITICAL))
        else:
            results.append(probe.status(deadline, timeout))
    return results


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
