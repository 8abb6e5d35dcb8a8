"""Reading configuration from environment variables, with the demo's embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}


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
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
