"""The demo's HTTP API under daphne (ASGI) and gunicorn (WSGI, 2 workers): GET /api/plugins
and GET /api/health, each as a ratio to the hello view (``/hello``) of the same server.

Load from ``wrk`` (BENCH_SECONDS per run, 2 threads, 16 connections) in BENCH_ROUNDS
interleaved rounds per server, each endpoint's run between two runs of the hello view and
compared with their mean; medians. Figures go to bench/results/api_servers.json. Run
with ``nox -s bench -- api_servers``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from harness import SERVERS, demo_env, manage, serve, write_results
from wrk_load import CONNECTIONS, THREADS, bracketed_rounds, wrk_missing

SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CEILING = "/hello"
ENDPOINTS = ("/api/plugins", "/api/health")


def measure(base: str) -> dict[str, Any]:
    targets = {path: (path, {}) for path in ENDPOINTS}
    figures = bracketed_rounds(base, CEILING, targets, rounds=ROUNDS, seconds=SECONDS)
    figures[CEILING] = figures.pop("ceiling")
    return figures


def main() -> None:
    missing = wrk_missing()
    if missing:
        print(f"bench_api_servers: skipped: {missing}")
        return
    env = demo_env(Path(tempfile.mkdtemp(prefix="streamflix-bench-")), DJANGO_DEBUG="0")
    manage(env, "migrate", "-v0")
    results: dict[str, Any] = {}
    for server in SERVERS:
        with serve(server, env) as base:
            results[server] = measure(base)
        print(f"{server}: {json.dumps(results[server])}", flush=True)
    write_results(
        "api_servers",
        {
            "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s, {ROUNDS} interleaved rounds, "
            "each run between two runs of the ceiling",
            "ceiling_endpoint": f"GET {CEILING}",
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
