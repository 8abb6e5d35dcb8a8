"""What every benchmark shares: a demo environment, a server on a free loopback port, and a
results file with the machine it ran on."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from streamflix_core.testing.net import free_port, stop, wait_until_answers

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "sites" / "demo"
RESULTS_DIR = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent


def demo_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The process environment for a throwaway demo site whose data lives in ``data_dir``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "streamflix_demo.settings",
        # As long as a real key: PyJWT warns (slowly, on every token) about a short one.
        "DJANGO_SECRET_KEY": "bench-" + "k" * 44,
        "STREAMFLIX_DATA_DIR": str(data_dir),
        "DJANGO_LOG_LEVEL": "WARNING",
        **extra,
    }


def fresh_postgres_database(url: str, name: str) -> str:
    """Create an empty database ``name`` on the PostgreSQL server of ``url`` (dropping a
    leftover one first) and return ``url`` naming it; ``psycopg.OperationalError`` when the
    server does not answer."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(DEMO / "manage.py"), *args], env=env, check=True)


SERVERS = {
    "daphne": lambda port: [
        str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port),
        "streamflix_demo.asgi:application",
    ],
    "gunicorn-2-workers": lambda port: [
        str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
        "streamflix_demo.wsgi:application",
    ],
}  # fmt: skip


@contextlib.contextmanager
def serve(server: str, env: dict[str, str], ready_path: str = "/api/plugins") -> Iterator[str]:
    """Run one of ``SERVERS`` on a free port; yields its base URL, stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        SERVERS[server](port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answers(base + ready_path, process, name=server)
        yield base
    finally:
        stop(process, timeout=15)


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` with when and where it ran; print the path."""
    path = RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        **payload,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")
    return path
