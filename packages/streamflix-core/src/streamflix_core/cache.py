"""Cache backends for a site that always runs several processes (HTTP workers, daphne,
qcluster, management commands), so every process must see one cache.

``SQLiteCache`` is the embedded default: one SQLite file in WAL mode that every process on
the machine opens, with no server. ``RedisCache`` is the at-scale choice: Django's Redis
backend with an ``incr`` that never re-creates an expired key.

Both increment atomically, which throttles (and anything else that counts across processes)
rely on. Django's database and file caches increment with a read and then a write, so two
processes can both read 4 and both write 5; the figures are in ``bench/bench_cache.py``.
"""

from __future__ import annotations

import functools
import os
import pickle
import sqlite3
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.base import (
    DEFAULT_TIMEOUT,
    MEMCACHE_MAX_KEY_LENGTH,
    BaseCache,
)
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

# Numbers are stored as SQLite numbers (so ``incr`` is one UPDATE); everything else pickled.
_NATIVE = (int, float)
_INT64 = range(-(2**63), 2**63)
# Culling counts the table, so it runs every this many writes of a process, not on each.
CULL_EVERY = 200


def _encode(value: Any) -> Any:
    if type(value) is float or (type(value) is int and value in _INT64):
        return value
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _decode(stored: Any) -> Any:
    return pickle.loads(stored) if isinstance(stored, bytes) else stored  # noqa: S301 - own file


@functools.lru_cache(maxsize=64)
def _many_sql(count: int) -> str:
    """Reading ``count`` keys: a join of the keys (a list of values) with the table, one
    primary-key lookup each — SQLite answers it in about three quarters of the time it takes
    over ``cache_key IN (...)``. Only ``?`` placeholders are formatted in."""
    keys = ", ".join(["(?)"] * count)
    return (
        f"WITH wanted(cache_key) AS (VALUES {keys}) "  # noqa: S608
        "SELECT cache_key, value FROM wanted CROSS JOIN streamflix_cache USING (cache_key) "
        "WHERE expires IS NULL OR expires > ?"
    )


class QuickKeyCheck(BaseCache):
    """Django's key check (a warning for a key memcached would refuse) on the keys that
    might fail it: a plain test of the key's length and characters passes the rest without
    the check's generator and lazily compiled pattern, on every key of every read."""

    def validate_key(self, key: str) -> None:
        if len(key) > MEMCACHE_MAX_KEY_LENGTH or " " in key or not key.isprintable():
            super().validate_key(key)


class SQLiteCache(QuickKeyCheck):
    """A cache in one SQLite file shared by every process of the site on this machine.

    ``LOCATION`` is the file's path (its directory must exist); the file and its table are
    created on first use, so a fresh machine needs no ``createcachetable``. ``OPTIONS``:
    ``MAX_ENTRIES`` and ``CULL_FREQUENCY`` as for Django's backends (entries that expire
    soonest go first, entries without expiry last), ``BUSY_TIMEOUT`` (seconds a write waits
    for another process's write, default 5).

    The file is separate from the site's database: every operation is one short
    autocommit statement on its own connection, so a cache write never joins (or waits for)
    a transaction of the site's database, and WAL lets reads go on during writes.
    ``add``, ``incr``/``decr`` and ``touch`` are single statements, hence atomic across
    processes.
    """

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.path = str(location)
        self.busy_timeout = float(params.get("OPTIONS", {}).get("BUSY_TIMEOUT", 5))
        self._local = threading.local()
        self._writes = 0

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and process: a SQLite connection must not cross a fork
        # (gunicorn --preload, multiprocessing), so a child opens its own.
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.connection = self._connect()
            local.pid = os.getpid()
        return local.connection

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                # Switching to WAL needs a moment alone with the file; processes starting
                # together may find it busy, and the busy handler does not cover it.
                connection.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS streamflix_cache "
            "(cache_key TEXT PRIMARY KEY, value, expires REAL) WITHOUT ROWID"
        )
        connection.execute(
            "CREATE INDEX IF NOT EXISTS streamflix_cache_expires ON streamflix_cache (expires)"
        )
        return connection

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._connection().execute(sql, tuple(params))

    def _wrote_entry(self) -> None:
        self._writes += 1
        if self._writes % CULL_EVERY == 0:
            self._cull()

    def _cull(self) -> None:
        self._execute("DELETE FROM streamflix_cache WHERE expires <= ?", (time.time(),))
        (count,) = self._execute("SELECT COUNT(*) FROM streamflix_cache").fetchone()
        if count <= self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        self._execute(
            "DELETE FROM streamflix_cache WHERE cache_key IN "
            "(SELECT cache_key FROM streamflix_cache ORDER BY expires IS NULL, expires LIMIT ?)",
            (count // self._cull_frequency,),
        )

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        # Inserts, or replaces an expired entry; a live entry makes the upsert change nothing.
        cursor = self._execute(
            "INSERT INTO streamflix_cache (cache_key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, "
            "expires = excluded.expires WHERE streamflix_cache.expires <= ?",
            (key, _encode(value), self.get_backend_timeout(timeout), time.time()),
        )
        self._wrote_entry()
        return cursor.rowcount == 1

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        row = self._execute(
            "SELECT value FROM streamflix_cache WHERE cache_key = ? "
            "AND (expires IS NULL OR expires > ?)",
            (key, time.time()),
        ).fetchone()
        return default if row is None else _decode(row[0])

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not key_map:
            return {}
        rows = self._execute(_many_sql(len(key_map)), (*key_map, time.time())).fetchall()
        return {key_map[stored_key]: _decode(value) for stored_key, value in rows}

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        self._execute(
            "INSERT INTO streamflix_cache (cache_key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, "
            "expires = excluded.expires",
            (key, _encode(value), self.get_backend_timeout(timeout)),
        )
        self._wrote_entry()

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        cursor = self._execute(
            "UPDATE streamflix_cache SET expires = ? WHERE cache_key = ? "
            "AND (expires IS NULL OR expires > ?)",
            (self.get_backend_timeout(timeout), key, time.time()),
        )
        return cursor.rowcount == 1

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        deleted = self._execute(
            "DELETE FROM streamflix_cache WHERE cache_key = ? RETURNING expires", (key,)
        ).fetchall()
        return any(expires is None or expires > time.time() for (expires,) in deleted)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        if made:
            placeholders = ", ".join("?" * len(made))
            sql = f"DELETE FROM streamflix_cache WHERE cache_key IN ({placeholders})"  # noqa: S608
            self._execute(sql, made)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        row = self._execute(
            "SELECT 1 FROM streamflix_cache WHERE cache_key = ? "
            "AND (expires IS NULL OR expires > ?)",
            (key, time.time()),
        ).fetchone()
        return row is not None

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        """Add ``delta`` to a live numeric entry in one statement (atomic across processes);
        ``ValueError`` when the key is missing or expired, as Django's backends do."""
        made = self.make_and_validate_key(key, version=version)
        while True:
            # fetchall: the statement must finish to end its implicit transaction (and lock).
            rows = self._execute(
                "UPDATE streamflix_cache SET value = value + ? WHERE cache_key = ? "
                "AND (expires IS NULL OR expires > ?) "
                "AND typeof(value) IN ('integer', 'real') RETURNING value",
                (delta, made, time.time()),
            ).fetchall()
            if rows:
                return rows[0][0]
            # Nothing updated: missing, not a number, or added by another process since.
            row = self._execute(
                "SELECT typeof(value) FROM streamflix_cache WHERE cache_key = ? "
                "AND (expires IS NULL OR expires > ?)",
                (made, time.time()),
            ).fetchone()
            if row is None:
                raise ValueError(f"Key {key!r} not found.")
            if row[0] not in ("integer", "real"):
                raise TypeError(f"The value of {key!r} is not a number.")

    def clear(self) -> None:
        self._execute("DELETE FROM streamflix_cache")

    def close(self, **kwargs: Any) -> None:
        """Django calls this after every request; the connection is kept for the next one."""


class _AtomicIncrRedisClient(RedisCacheClient):
    # Django checks EXISTS and then sends INCRBY; a key expiring in between would come back
    # from INCRBY without a TTL (a throttle counter that never resets). One script instead.
    _INCR_IF_EXISTS = (
        "if redis.call('EXISTS', KEYS[1]) == 1 then "
        "return redis.call('INCRBY', KEYS[1], ARGV[1]) end return false"
    )

    def incr(self, key: Any, delta: int) -> int:
        client = self.get_client(key, write=True)
        value = client.eval(self._INCR_IF_EXISTS, 1, key, delta)
        if value is None:
            raise ValueError(f"Key {key!r} not found.")
        return int(value)


class RedisCache(QuickKeyCheck, DjangoRedisCache):
    """Django's Redis cache whose ``incr`` is one server-side step that never re-creates an
    expired key (use it wherever ``REDIS_URL`` replaces the embedded cache)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _AtomicIncrRedisClient
