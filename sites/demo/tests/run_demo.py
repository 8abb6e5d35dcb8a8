"""Helpers that run the demo's manage.py in a child process with a chosen environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MANAGE = Path(__file__).resolve().parents[1] / "manage.py"


def manage(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "STREAMFLIX_", "DATABASE_URL", "REDIS_URL"))
    }
    base.update({"DJANGO_SETTINGS_MODULE": "streamflix_demo.settings"})
    base.update(env or {})
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        capture_output=True,
        text=True,
        env=base,
        timeout=120,
        **kwargs,
    )


def settings_value(expression: str, env: dict[str, str]) -> str:
    code = f"from django.conf import settings; print(repr(({expression},)))"
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
