"""The demo's HTTP API under daphne (ASGI) and gunicorn (WSGI, 2 workers).

Prints requests/second and latency for GET /api/plugins and GET /api/health and writes them
to bench/results/api_servers.json. Run with ``nox -s bench -- api_servers``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import SERVERS, demo_env, manage, serve, write_results
from loadgen import run_load

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
ENDPOINTS = ("/api/plugins", "/api/health")


def main() -> None:
    env = demo_env(Path(tempfile.mkdtemp(prefix="streamflix-bench-")))
    manage(env, "migrate", "-v0")
    results: dict[str, dict] = {}
    for server in SERVERS:
        with serve(server, env) as base:
            for endpoint in ENDPOINTS:
                run_load(base + endpoint, concurrency=4, seconds=1)  # warm up
                outcome = run_load(base + endpoint, concurrency=CONCURRENCY, seconds=SECONDS)
                results[f"{server} {endpoint}"] = outcome.summary()
                print(f"{server:20} {endpoint:14} {outcome.summary()}", flush=True)
    write_results(
        "api_servers", {"concurrency": CONCURRENCY, "seconds": SECONDS, "results": results}
    )


if __name__ == "__main__":
    main()
