"""GET /api/media/titles on the demo server with 10,000 titles: requests/second.

Loads a generated catalog (``manage.py media_sample_catalog``), serves the demo with
gunicorn (2 workers) and loads a few catalog reads from keep-alive connections. Figures go
to bench/results/catalog_list.json. Run with ``nox -s bench -- catalog_list``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_api_servers import free_port, wait_ready
from loadgen import run_load

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "sites" / "demo"
RESULTS = ROOT / "bench" / "results" / "catalog_list.json"
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
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "streamflix_demo.settings",
        "DJANGO_SECRET_KEY": "bench",
        "STREAMFLIX_DATA_DIR": str(data_dir),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(DEMO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run([*manage, "media_sample_catalog", "--titles", str(TITLES)], env=env, check=True)
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
        serve(
            {
                **env,
                "DJANGO_SETTINGS_MODULE": settings_module,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(data_dir), env.get("PYTHONPATH")])),
            },
            variant,
            results,
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "catalog_list",
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "server": "gunicorn, 2 workers, SQLite, local-memory cache",
                "titles": TITLES,
                "load_seconds": round(loaded, 1),
                "concurrency": CONCURRENCY,
                "seconds": SECONDS,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


def serve(env: dict[str, str], variant: str, results: dict[str, dict]) -> None:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
        "streamflix_demo.wsgi:application",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/api/media/genres", server)
        for endpoint in ENDPOINTS:
            run_load(base + endpoint, concurrency=4, seconds=1)
            outcome = run_load(base + endpoint, concurrency=CONCURRENCY, seconds=SECONDS)
            results[f"{variant} {endpoint}"] = outcome.summary()
            print(f"{variant:9} {endpoint:62} {outcome.summary()}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
