"""Reading configuration from environment variables, with the demo's embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
SITE_DIR = Path(__file__).resolve().parents[2]
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def env_file() -> Path:
    """The ``.env`` file read at start: ``STREAMFLIX_ENV_FILE``, else ``.env`` in the directory
    the process starts in, else (in a source checkout) ``sites/demo/.env`` beside ``manage.py``.

    An installed site (``pip install ./sites/demo``) has no checkout around its module, so the
    working directory is where a deployment keeps its ``.env``."""
    named = os.environ.get("STREAMFLIX_ENV_FILE")
    if named:
        return Path(named)
    here = Path.cwd() / ".env"
    if here.is_file() or not (SITE_DIR / "manage.py").is_file():
        return here
    return SITE_DIR / ".env"


def load_env_file() -> None:
    """Read :func:`env_file` into the environment if it exists. A variable already set in the
    environment wins over the file, so a deployment can override any line of it."""
    path = env_file()
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def serves_public_hosts(hosts: list[str]) -> bool:
    """Whether ``ALLOWED_HOSTS`` names any host beyond this machine's loopback names.

    A site only reachable as localhost has no certificate to redirect to, so the HTTPS-only
    defaults stay off for it (the demo, tests and benchmarks run that way)."""
    for host in hosts:
        name = host.lstrip(".")
        if name not in LOOPBACK_HOSTS and not name.endswith(".localhost"):
            return True
    return False


def web_app_dir() -> Path:
    """``STREAMFLIX_WEB_APP_DIR``: the viewer web app's build, by default ``web/dist`` beside
    ``manage.py`` (where ``npm run build`` in ``sites/demo/web`` writes it)."""
    return Path(text("STREAMFLIX_WEB_APP_DIR") or SITE_DIR / "web" / "dist")


def http_worker_timeout() -> int:
    """``STREAMFLIX_HTTP_WORKER_TIMEOUT``: gunicorn's worker timeout and core's
    ``HTTP_WORKER_TIMEOUT_SECONDS``, from one variable so the two always agree."""
    return int(text("STREAMFLIX_HTTP_WORKER_TIMEOUT", "30"))


def flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None or value == "" else value.strip().lower() in TRUE


def text(name: str, default: str = "") -> str:
    return os.environ.get(name, "") or default


def items(name: str, default: list[str] | None = None) -> list[str] | None:
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def data_dir() -> Path:
    path = Path(text("STREAMFLIX_DATA_DIR", str(Path(__file__).resolve().parents[2] / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(debug: bool) -> str:
    key = text("DJANGO_SECRET_KEY")
    if key:
        return key
    if debug:
        return "streamflix-insecure-debug-only-key"
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. `make demo` creates one in "
        "sites/demo/var/secret_key; in production set it from your secret store."
    )


def databases(default_path: Path) -> dict[str, Any]:
    url = text("DATABASE_URL")
    if url:
        import dj_database_url

        return {"default": dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_path),
            # One connection per worker thread, kept between requests: opening one (and its
            # PRAGMAs) cost a signed-in catalog read from the cache about a third of its time.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
