"""The site caches of ``streamflix_core.cache``: Django's cache semantics, and counting that
stays exact when several real processes increment one key at once."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest

from streamflix_core import cache as cache_module
from streamflix_core.cache import RedisCache, SQLiteCache

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")

PROCESSES = 4
HITS_PER_PROCESS = 50


class Clock:
    """A stand-in for ``time.time`` that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    # Both the backend and Django's BaseCache.get_backend_timeout read time.time().
    monkeypatch.setattr(time, "time", fake)
    return fake


@pytest.fixture
def sqlite_cache(tmp_path: Any) -> SQLiteCache:
    return SQLiteCache(str(tmp_path / "cache.sqlite3"), {})


def _redis_cache(prefix: str) -> RedisCache:
    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    cache = _redis_cache(f"streamflix-test-cache-{secrets.token_hex(4)}")
    yield cache
    client = _redis_client(cache)
    leftovers = client.keys(cache.make_key("*"))
    if leftovers:
        client.delete(*leftovers)


def _redis_client(cache: RedisCache) -> Any:
    return cache._cache.get_client(write=True)


# --- Django cache semantics (SQLiteCache) ---------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        0,
        -7,
        2**63 - 1,
        -(2**63),
        2**64 + 5,  # beyond int64: stored pickled, read back exactly
        -(2**80),
        3.25,
        "",
        "καφές ☕",
        b"\x00bytes",
        {"nested": [1, 2.5, None, {"x": (1, 2)}]},
        [1, "two"],
        True,
        None,
    ],
    ids=repr,
)
def test_a_value_reads_back_as_the_same_value_and_type(sqlite_cache, value):
    sqlite_cache.set("k", value)
    got = sqlite_cache.get("k", default="missing")
    assert got == value and type(got) is type(value)


def test_get_of_a_missing_key_returns_the_default(sqlite_cache):
    assert sqlite_cache.get("nope") is None
    assert sqlite_cache.get("nope", default=42) == 42


def test_set_replaces_the_value_and_the_expiry(sqlite_cache, clock):
    sqlite_cache.set("k", "first", timeout=10)
    sqlite_cache.set("k", "second", timeout=100)
    clock.advance(50)
    assert sqlite_cache.get("k") == "second"


def test_an_entry_expires_after_its_timeout(sqlite_cache, clock):
    sqlite_cache.set("k", "v", timeout=10)
    clock.advance(9.9)
    assert sqlite_cache.get("k") == "v" and sqlite_cache.has_key("k")
    clock.advance(0.2)
    assert sqlite_cache.get("k", "gone") == "gone"
    assert not sqlite_cache.has_key("k")
    assert sqlite_cache.get_many(["k"]) == {}


def test_timeout_none_never_expires_and_zero_expires_at_once(sqlite_cache, clock):
    sqlite_cache.set("forever", 1, timeout=None)
    sqlite_cache.set("now", 1, timeout=0)
    clock.advance(10 * 365 * 86400)
    assert sqlite_cache.get("forever") == 1
    assert sqlite_cache.get("now") is None


def test_the_default_timeout_comes_from_the_cache_params(tmp_path, clock):
    cache = SQLiteCache(str(tmp_path / "c.sqlite3"), {"TIMEOUT": 5})
    cache.set("k", "v")
    clock.advance(4)
    assert cache.get("k") == "v"
    clock.advance(2)
    assert cache.get("k") is None


def test_add_stores_only_when_the_key_is_absent_or_expired(sqlite_cache, clock):
    assert sqlite_cache.add("k", "first", timeout=10) is True
    assert sqlite_cache.add("k", "second", timeout=10) is False
    assert sqlite_cache.get("k") == "first"
    clock.advance(11)
    assert sqlite_cache.add("k", "third", timeout=10) is True
    assert sqlite_cache.get("k") == "third"


def test_add_does_not_replace_an_entry_that_never_expires(sqlite_cache):
    sqlite_cache.set("k", "kept", timeout=None)
    assert sqlite_cache.add("k", "other") is False
    assert sqlite_cache.get("k") == "kept"


def test_touch_moves_the_expiry_of_a_live_entry_only(sqlite_cache, clock):
    sqlite_cache.set("k", "v", timeout=10)
    assert sqlite_cache.touch("k", timeout=100) is True
    clock.advance(50)
    assert sqlite_cache.get("k") == "v"
    assert sqlite_cache.touch("k", timeout=None) is True
    clock.advance(10_000)
    assert sqlite_cache.get("k") == "v"

    sqlite_cache.set("short", "v", timeout=1)
    clock.advance(2)
    assert sqlite_cache.touch("short", timeout=100) is False
    assert sqlite_cache.get("short") is None
    assert sqlite_cache.touch("missing") is False


def test_delete_reports_whether_a_live_entry_was_removed(sqlite_cache, clock):
    sqlite_cache.set("k", "v")
    assert sqlite_cache.delete("k") is True
    assert sqlite_cache.get("k") is None
    assert sqlite_cache.delete("k") is False

    sqlite_cache.set("old", "v", timeout=1)
    clock.advance(2)
    assert sqlite_cache.delete("old") is False


def test_get_many_returns_only_live_keys_under_the_callers_names(sqlite_cache, clock):
    sqlite_cache.set("a", 1)
    sqlite_cache.set("b", {"two": 2})
    sqlite_cache.set("c", "short", timeout=1)
    clock.advance(2)
    assert sqlite_cache.get_many(["a", "b", "c", "missing"]) == {"a": 1, "b": {"two": 2}}
    assert sqlite_cache.get_many([]) == {}


def test_set_many_and_delete_many(sqlite_cache):
    assert sqlite_cache.set_many({"a": 1, "b": 2, "c": 3}) == []
    sqlite_cache.delete_many(["a", "b", "not-there"])
    sqlite_cache.delete_many([])
    assert sqlite_cache.get_many(["a", "b", "c"]) == {"c": 3}


def test_versions_and_key_prefix_keep_entries_apart(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    one = SQLiteCache(path, {"KEY_PREFIX": "one"})
    two = SQLiteCache(path, {"KEY_PREFIX": "two"})
    one.set("k", "one-v1")
    one.set("k", "one-v2", version=2)
    assert two.get("k") is None
    assert one.get("k") == "one-v1" and one.get("k", version=2) == "one-v2"


def test_clear_empties_the_cache(sqlite_cache):
    sqlite_cache.set_many({"a": 1, "b": 2})
    sqlite_cache.clear()
    assert sqlite_cache.get_many(["a", "b"]) == {}


def test_a_key_memcached_would_refuse_gets_djangos_warning(sqlite_cache):
    from django.core.cache.backends.base import CacheKeyWarning

    with pytest.warns(CacheKeyWarning):
        sqlite_cache.set("a key with spaces", 1)


def test_the_file_and_its_table_are_made_on_first_use(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    assert not path.exists()
    SQLiteCache(str(path), {}).set("k", 1)
    assert path.exists()
    # A second cache object (another process's) finds the table already there.
    assert SQLiteCache(str(path), {}).get("k") == 1


def test_the_file_is_in_wal_mode(sqlite_cache):
    sqlite_cache.set("k", 1)
    (mode,) = sqlite_cache._execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


def test_close_keeps_the_cache_usable(sqlite_cache):
    sqlite_cache.set("k", 1)
    sqlite_cache.close()
    assert sqlite_cache.get("k") == 1


# --- incr / decr ------------------------------------------------------------------------


def test_incr_and_decr_change_a_number_and_return_it(sqlite_cache):
    sqlite_cache.set("n", 5)
    assert sqlite_cache.incr("n") == 6
    assert sqlite_cache.incr("n", 10) == 16
    assert sqlite_cache.decr("n") == 15
    assert sqlite_cache.decr("n", 20) == -5
    assert sqlite_cache.get("n") == -5


def test_incr_of_a_float_keeps_it_a_float(sqlite_cache):
    sqlite_cache.set("f", 1.5)
    assert sqlite_cache.incr("f") == 2.5
    assert sqlite_cache.get("f") == 2.5


def test_incr_keeps_the_expiry(sqlite_cache, clock):
    sqlite_cache.set("n", 1, timeout=10)
    sqlite_cache.incr("n")
    clock.advance(11)
    assert sqlite_cache.get("n") is None


@pytest.mark.parametrize("operation", ["incr", "decr"])
def test_incr_and_decr_of_a_missing_key_raise_value_error(sqlite_cache, operation):
    with pytest.raises(ValueError, match="not found"):
        getattr(sqlite_cache, operation)("missing")
    assert not sqlite_cache.has_key("missing")


@pytest.mark.parametrize("operation", ["incr", "decr"])
def test_incr_and_decr_of_an_expired_key_raise_value_error_and_create_nothing(
    sqlite_cache, clock, operation
):
    sqlite_cache.set("n", 3, timeout=1)
    clock.advance(2)
    with pytest.raises(ValueError, match="not found"):
        getattr(sqlite_cache, operation)("n")
    assert sqlite_cache.get("n") is None
    assert sqlite_cache.add("n", 1, timeout=10) is True


@pytest.mark.parametrize("value", ["5", b"5", {"n": 5}, [5], None, True], ids=repr)
def test_incr_of_a_value_that_is_not_a_number_raises_type_error(sqlite_cache, value):
    sqlite_cache.set("v", value)
    with pytest.raises(TypeError):
        sqlite_cache.incr("v")
    assert sqlite_cache.get("v") == value


# --- culling ----------------------------------------------------------------------------


def test_culling_keeps_the_entry_count_near_max_entries(tmp_path, monkeypatch, clock):
    monkeypatch.setattr(cache_module, "CULL_EVERY", 10)
    cache = SQLiteCache(
        str(tmp_path / "c.sqlite3"), {"OPTIONS": {"MAX_ENTRIES": 20, "CULL_FREQUENCY": 2}}
    )
    for n in range(200):
        cache.set(f"k{n}", n, timeout=1000 + n)
    (count,) = cache._execute("SELECT COUNT(*) FROM streamflix_cache").fetchone()
    # Culled every 10 writes down to half of what it held: never far above the limit.
    assert count <= 20 + 10
    # The entries that expire soonest went first; the newest are still there.
    assert cache.get("k199") == 199
    assert cache.get("k0") is None


def test_culling_removes_expired_entries_and_keeps_those_without_expiry(
    tmp_path, monkeypatch, clock
):
    monkeypatch.setattr(cache_module, "CULL_EVERY", 5)
    cache = SQLiteCache(
        str(tmp_path / "c.sqlite3"), {"OPTIONS": {"MAX_ENTRIES": 3, "CULL_FREQUENCY": 2}}
    )
    cache.set("keep", "v", timeout=None)
    cache.set("old", "v", timeout=1)
    clock.advance(2)
    for n in range(3):
        cache.set(f"k{n}", n, timeout=100)
    (expired,) = cache._execute(
        "SELECT COUNT(*) FROM streamflix_cache WHERE cache_key LIKE '%old'"
    ).fetchone()
    assert expired == 0
    assert cache.get("keep") == "v"


def test_cull_frequency_zero_clears_the_cache_when_full(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "CULL_EVERY", 5)
    cache = SQLiteCache(
        str(tmp_path / "c.sqlite3"), {"OPTIONS": {"MAX_ENTRIES": 3, "CULL_FREQUENCY": 0}}
    )
    for n in range(5):
        cache.set(f"k{n}", n)
    assert cache.get_many([f"k{n}" for n in range(5)]) == {}


def test_below_max_entries_nothing_is_culled(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "CULL_EVERY", 1)
    cache = SQLiteCache(str(tmp_path / "c.sqlite3"), {"OPTIONS": {"MAX_ENTRIES": 50}})
    for n in range(50):
        cache.set(f"k{n}", n)
    assert len(cache.get_many([f"k{n}" for n in range(50)])) == 50


# --- several real processes -------------------------------------------------------------


def _make_cache(spec: tuple[str, str]) -> Any:
    kind, where = spec
    if kind == "sqlite":
        return SQLiteCache(where, {})
    return RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": where})


def _count_in_child(spec, key, how, hits, start, results) -> None:
    """Run in a spawned process: wait for the others, then count ``hits`` times."""
    from streamflix_core.throttles import window_hit

    cache = _make_cache(spec)
    counts, errors = [], []
    start.wait(timeout=60)
    for _ in range(hits):
        try:
            if how == "incr":
                counts.append(int(cache.incr(key)))
            else:
                counts.append(window_hit(cache, key, seconds=300))
        except Exception as error:  # reported to the parent, which fails on it
            errors.append(repr(error))
    results.put((os.getpid(), counts, errors))


def _count_in_processes(spec: tuple[str, str], key: str, how: str) -> list[int]:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    children = [
        context.Process(
            target=_count_in_child, args=(spec, key, how, HITS_PER_PROCESS, start, results)
        )
        for _ in range(PROCESSES)
    ]
    for child in children:
        child.start()
    try:
        reports = [results.get(timeout=120) for _ in children]
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
    assert len({pid for pid, _, _ in reports}) == PROCESSES
    assert [errors for _, _, errors in reports] == [[]] * PROCESSES
    return [count for _, counts, _ in reports for count in counts]


def _assert_exact(counts: list[int], final: int) -> None:
    total = PROCESSES * HITS_PER_PROCESS
    assert len(counts) == total
    # Every hit got its own count (no two processes read the same value) and none was lost.
    assert sorted(counts) == list(range(1, total + 1))
    assert final == total


@pytest.mark.parametrize("how", ["incr", "window_hit"])
def test_sqlite_counts_from_several_processes_are_exact(tmp_path, how):
    path = str(tmp_path / "shared.sqlite3")
    cache = SQLiteCache(path, {})
    if how == "incr":
        cache.set("hits", 0, timeout=None)
    counts = _count_in_processes(("sqlite", path), "hits", how)
    _assert_exact(counts, cache.get("hits"))


@needs_redis
@pytest.mark.parametrize("how", ["incr", "window_hit"])
def test_redis_counts_from_several_processes_are_exact(redis_cache, how):
    if how == "incr":
        redis_cache.set("hits", 0, timeout=None)
    counts = _count_in_processes(("redis", redis_cache.key_prefix), "hits", how)
    _assert_exact(counts, redis_cache.get("hits"))


# --- RedisCache -------------------------------------------------------------------------


@needs_redis
def test_redis_incr_and_decr_work_on_a_live_key(redis_cache):
    redis_cache.set("n", 5, timeout=60)
    assert redis_cache.incr("n", 3) == 8
    assert redis_cache.decr("n") == 7
    assert 0 < _redis_client(redis_cache).ttl(redis_cache.make_key("n")) <= 60


@needs_redis
def test_redis_incr_of_a_missing_key_raises_value_error(redis_cache):
    with pytest.raises(ValueError, match="not found"):
        redis_cache.incr("missing")
    assert not redis_cache.has_key("missing")


@needs_redis
def test_redis_incr_of_an_expired_key_raises_and_leaves_no_key_without_ttl(redis_cache):
    client = _redis_client(redis_cache)
    stored = redis_cache.make_key("n")
    redis_cache.set("n", 3, timeout=60)
    client.pexpire(stored, 20)
    time.sleep(0.1)
    with pytest.raises(ValueError, match="not found"):
        redis_cache.incr("n")
    # Django's own check-then-INCRBY could re-create the key as 1 with no TTL (ttl -1).
    assert client.ttl(stored) == -2 and not client.exists(stored)
    # The next window opens normally, with its expiry.
    assert redis_cache.add("n", 1, timeout=60) is True
    assert 0 < client.ttl(stored) <= 60


@needs_redis
def test_redis_cache_keeps_djangos_semantics_for_other_operations(redis_cache):
    assert redis_cache.add("k", {"a": 1}, timeout=60) is True
    assert redis_cache.add("k", "other", timeout=60) is False
    assert redis_cache.get("k") == {"a": 1}
    redis_cache.set("big", 2**70)
    assert redis_cache.get("big") == 2**70
    assert redis_cache.delete("k") is True and redis_cache.get("k") is None
