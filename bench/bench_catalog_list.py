"""GET /api/media/titles on the demo server with 10,000 titles: requests/second.

Loads a generated catalog (``manage.py media_sample_catalog``), serves the demo with
gunicorn (2 workers) and loads a few catalog reads from keep-alive connections. Figures go
to bench/results/catalog_list.json. Run with ``nox -s bench -- catalog_list``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import demo_env, manage, serve, write_results
from loadgen import run_load

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
TITLES = int(os.environ.get("BENCH_CATALOG_TITLES", "10000"))
ENDPOINTS = (
    "/api/media/titles",
    "/api/media/titles?page_size=50&ordering=views",
    "/api/media/titles?genre=drama&year_from=1990&ordering=rating",
    "/api/media/home",
)


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="streamflix-bench-catalog-"))
    env = demo_env(data_dir)
    manage(env, "migrate", "-v0")
    started = time.perf_counter()
    manage(env, "media_sample_catalog", "--titles", str(TITLES))
    loaded = time.perf_counter() - started
    # A second settings module turns the page caches off, to measure the uncached path too.
    (data_dir / "bench_uncached_settings.py").write_text(
        "from streamflix_demo.settings import *  # noqa: F403\n"
        "STREAMFLIX_MEDIA = {**globals().get('STREAMFLIX_MEDIA', {}),"
        " 'LIST_CACHE_SECONDS': 0, 'HOME_CACHE_SECONDS': 0}\n"
    )
    results: dict[str, dict] = {}
    for variant, settings_module in (
        ("cached", "streamflix_demo.settings"),
        ("uncached", "bench_uncached_settings"),
    ):
        measure(
            {
                **env,
                "DJANGO_SETTINGS_MODULE": settings_module,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(data_dir), env.get("PYTHONPATH")])),
            },
            variant,
            results,
        )
    write_results(
        "catalog_list",
        {
            "server": "gunicorn, 2 workers, SQLite, local-memory cache",
            "titles": TITLES,
            "load_seconds": round(loaded, 1),
            "concurrency": CONCURRENCY,
            "seconds": SECONDS,
            "results": results,
        },
    )


def measure(env: dict[str, str], variant: str, results: dict[str, dict]) -> None:
    with serve("gunicorn-2-workers", env, ready_path="/api/media/genres") as base:
        for endpoint in ENDPOINTS:
            run_load(base + endpoint, concurrency=4, seconds=1)
            outcome = run_load(base + endpoint, concurrency=CONCURRENCY, seconds=SECONDS)
            results[f"{variant} {endpoint}"] = outcome.summary()
            print(f"{variant:9} {endpoint:62} {outcome.summary()}", flush=True)


if __name__ == "__main__":
    main()
