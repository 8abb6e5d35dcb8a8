"""The embedded cache: which backend lets several processes share throttles and the catalog
version without a server, and what each costs.

For every option, in fresh processes:
- ``single``: one process, microseconds per ``get`` of a present key, per ``set``, and per
  throttle hit (``streamflix_core.throttles.window_hit``: ``incr``, ``add`` on a new window);
- ``shared``: PROCESSES processes each count HITS throttle hits on one key at once. An
  atomic cache ends at PROCESSES x HITS with every returned count distinct; ``lost`` is
  how many hits the final count misses, ``duplicate_counts`` how many hits saw a count
  another hit also saw (each is a request a throttle let through twice), ``errors`` the
  hits that raised (e.g. "database is locked");
- ``site_db_busy``: throttle hits while another process holds a write transaction on the
  site's SQLite database for HOLD seconds (an import, the demo seed): the worst hit's
  latency shows whether the cache waits for the site's database.

Options: Django's local-memory cache (the old default; each process has its own), its
file-based cache, its database cache on the site's SQLite file and on a separate SQLite
file (both WAL, the demo's connection options), ``streamflix_core.cache.SQLiteCache``, and
``streamflix_core.cache.RedisCache`` when ``REDIS_URL`` is set. Figures go to
bench/results/cache.json. Run with ``nox -s bench -- cache``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "sites" / "demo" / "src"))

PROCESSES = int(os.environ.get("BENCH_CACHE_PROCESSES", "4"))
HITS = int(os.environ.get("BENCH_CACHE_HITS", "300"))
HOLD = float(os.environ.get("BENCH_CACHE_HOLD_SECONDS", "2"))
REDIS_URL = os.environ.get("REDIS_URL", "")

OPTIONS = [
    "locmem",
    "file",
    "database_same_file",
    "database_separate_file",
    "streamflix_sqlite",
    *(["streamflix_redis"] if REDIS_URL else []),
]


class CacheRouter:
    """Sends Django's database cache to the ``cache`` alias (the separate-file option)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return "cache" if model._meta.app_label == "django_cache" else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return (db == "cache") == (app_label == "django_cache")


def configure(option: str, workdir: Path) -> None:
    """Django settings for ``option``, with the site's database as the demo configures it."""
    import django
    from django.conf import settings

    from streamflix_demo import env

    databases = env.databases(workdir / "site.sqlite3")
    caches: dict[str, Any] = {
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "file": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(workdir / "filecache"),
        },
        "database_same_file": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bench_cache",
        },
        "database_separate_file": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bench_cache",
        },
        "streamflix_sqlite": {
            "BACKEND": "streamflix_core.cache.SQLiteCache",
            "LOCATION": str(workdir / "cache.sqlite3"),
        },
        "streamflix_redis": {
            "BACKEND": "streamflix_core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"bench-{workdir.name}",
        },
    }
    if option != "streamflix_redis":
        caches[option]["OPTIONS"] = {"MAX_ENTRIES": 100_000}
    routers = []
    if option == "database_separate_file":
        databases["cache"] = env.databases(workdir / "cache-db.sqlite3")["default"]
        routers = ["bench_cache.CacheRouter"]
    settings.configure(
        DATABASES=databases,
        DATABASE_ROUTERS=routers,
        CACHES={"default": caches[option]},
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()


def per_op_us(operation: Any, count: int) -> float:
    started = time.perf_counter()
    for number in range(count):
        operation(number)
    return round((time.perf_counter() - started) / count * 1e6, 1)


def task_setup(option: str) -> dict[str, Any]:
    from django.core.management import call_command

    for alias in ("default", "cache") if option == "database_separate_file" else ("default",):
        call_command("createcachetable", database=alias)
    with sqlite3.connect(os.environ["BENCH_SITE_DB"]) as site:
        site.execute("CREATE TABLE IF NOT EXISTS site_rows (x)")
    return {}


def task_single(option: str) -> dict[str, Any]:
    from django.core.cache import cache

    from streamflix_core.throttles import window_hit

    body = "x" * 2000  # about a cached list page
    cache.set("page", body, 600)
    return {
        "get_us": per_op_us(lambda n: cache.get("page"), 2000),
        "set_us": per_op_us(lambda n: cache.set(f"page-{n % 50}", body, 600), 500),
        "throttle_hit_us": per_op_us(lambda n: window_hit(cache, "one-ip", seconds=600), 500),
        "throttle_new_window_us": per_op_us(
            lambda n: window_hit(cache, f"ip-{n}", seconds=600), 300
        ),
    }


def task_shared(option: str) -> dict[str, Any]:
    from django.core.cache import cache

    from streamflix_core.throttles import window_hit

    cache.get("warm-up")  # connections open before the clock starts
    start_at = float(os.environ["BENCH_START_AT"])
    while time.time() < start_at:
        time.sleep(0.001)
    counts, errors = [], []
    started = time.perf_counter()
    for _ in range(HITS):
        try:
            counts.append(window_hit(cache, "shared-ip", seconds=600))
        except Exception as exc:  # counted and reported: that is the point
            errors.append(type(exc).__name__ + ": " + str(exc)[:60])
    return {"counts": counts, "errors": errors, "seconds": time.perf_counter() - started}


def task_final(option: str) -> dict[str, Any]:
    from django.core.cache import cache

    return {"final": cache.get("shared-ip")}


def task_busy(option: str) -> dict[str, Any]:
    from django.core.cache import cache

    from streamflix_core.throttles import window_hit

    cache.get("warm-up")
    time.sleep(0.3)  # the holder has its write lock by now
    worst, errors = 0.0, []
    until = time.monotonic() + HOLD
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            window_hit(cache, "busy-ip", seconds=600)
        except Exception as exc:  # reported
            errors.append(type(exc).__name__ + ": " + str(exc)[:60])
        worst = max(worst, time.perf_counter() - started)
        time.sleep(0.05)
    return {"worst_ms": round(worst * 1000, 1), "errors": errors}


def worker(option: str, workdir: str, task: str) -> None:
    configure(option, Path(workdir))
    result = globals()[f"task_{task}"](option)
    print(json.dumps(result))


def run(option: str, workdir: Path, task: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--worker", option, str(workdir), task],
        env={**os.environ, "BENCH_SITE_DB": str(workdir / "site.sqlite3"), **env},
        stdout=subprocess.PIPE,
        text=True,
    )


def result_of(process: subprocess.Popen) -> dict[str, Any]:
    out, _ = process.communicate(timeout=600)
    if process.returncode:
        raise RuntimeError(f"a worker failed ({process.args})")
    return json.loads(out.strip().splitlines()[-1])


def hold_site_database(path: Path) -> None:
    site = sqlite3.connect(path, isolation_level=None)
    site.execute("BEGIN IMMEDIATE")
    site.execute("INSERT INTO site_rows VALUES (1)")
    time.sleep(HOLD + 0.6)
    site.execute("COMMIT")


def measure(option: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-cache-{option}-"))
    result_of(run(option, workdir, "setup"))
    single = result_of(run(option, workdir, "single"))

    start_at = str(time.time() + 3)  # every worker has imported Django by then
    workers = [run(option, workdir, "shared", BENCH_START_AT=start_at) for _ in range(PROCESSES)]
    shared = [result_of(process) for process in workers]
    counts = [count for result in shared for count in result["counts"]]
    errors = [error for result in shared for error in result["errors"]]
    final = result_of(run(option, workdir, "final"))["final"]
    expected = PROCESSES * HITS
    slowest = max(result["seconds"] for result in shared)

    busy = run(option, workdir, "busy")
    hold_site_database(workdir / "site.sqlite3")
    site_busy = result_of(busy)
    return {
        "single_process": single,
        "shared": {
            "processes": PROCESSES,
            "hits": expected,
            "final_count_seen_by_another_process": final,
            "lost": expected - (final or 0),
            "duplicate_counts": len(counts) - len(set(counts)),
            "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "hits_per_second": round(len(counts) / slowest) if slowest else None,
        },
        "site_db_busy": {"hold_seconds": HOLD, **site_busy, "errors": len(site_busy["errors"])},
    }


def main() -> None:
    from harness import write_results

    results = {}
    for option in OPTIONS:
        print(f"{option} ...", flush=True)
        results[option] = measure(option)
        print(json.dumps(results[option]), flush=True)
    write_results(
        "cache",
        {"processes": PROCESSES, "hits_per_process": HITS, "options": results},
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
    else:
        main()
