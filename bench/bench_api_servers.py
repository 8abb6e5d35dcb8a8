"""The demo's HTTP API under daphne (ASGI) and gunicorn (WSGI, 2 workers).

Prints requests/second and latency for GET /api/plugins and GET /api/health and writes them
to bench/results/api_servers.json. Run with ``nox -s bench -- api_servers``.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from loadgen import run_load

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "sites" / "demo"
RESULTS = ROOT / "bench" / "results" / "api_servers.json"
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("server exited")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="streamflix-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "streamflix_demo.settings",
        "DJANGO_SECRET_KEY": "bench",
        "STREAMFLIX_DATA_DIR": str(data_dir),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, str(DEMO / "manage.py"), "migrate", "-v0"], env=env, check=True)
    bin_dir = Path(sys.executable).parent
    servers = {
        "daphne": lambda port: [
            str(bin_dir / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "streamflix_demo.asgi:application",
        ],
        "gunicorn-2-workers": lambda port: [
            str(bin_dir / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "streamflix_demo.wsgi:application",
        ],
    }
    results: dict[str, dict] = {}
    for name, command in servers.items():
        port = free_port()
        server = subprocess.Popen(
            command(port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base + "/api/plugins", server)
            for endpoint in ("/api/plugins", "/api/health"):
                run_load(base + endpoint, concurrency=4, seconds=1)  # warm up
                outcome = run_load(base + endpoint, concurrency=CONCURRENCY, seconds=SECONDS)
                results[f"{name} {endpoint}"] = outcome.summary()
                print(f"{name:20} {endpoint:14} {outcome.summary()}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=15)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "api_servers",
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "concurrency": CONCURRENCY,
                "seconds": SECONDS,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
