"""A real demo server (migrated, seeded, daphne) and a headless Chromium to look at it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamflix_core.testing.net import ServerDidNotStart, free_port, stop, wait_until_answers

DEMO = Path(__file__).resolve().parents[1] / "sites" / "demo"
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # DATABASE_URL (PostgreSQL) and REDIS_URL (cache, broker, channel layer) reach the demo as
    # they are: `nox -s e2e` points DATABASE_URL at a fresh database made for this run.
    data_dir = tmp_path_factory.mktemp("demo-data")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "streamflix_demo.settings",
        "DJANGO_SECRET_KEY": "e2e-secret",
        "STREAMFLIX_DATA_DIR": str(data_dir),
    }
    # the viewer web app the server answers / with (a no-op when the build is current)
    subprocess.run([sys.executable, str(DEMO / "web" / "build.py")], check=True, timeout=600)
    manage = [sys.executable, str(DEMO / "manage.py")]
    fresh_cache = [
        "shell",
        "--no-imports",
        "-c",
        "from django.core.cache import cache; cache.clear()",
    ]
    for command in (
        # a Redis cache outlives runs: counters and cached pages of an earlier seed must go
        *([fresh_cache] if env.get("REDIS_URL") else []),
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["demo_seed"],
    ):
        subprocess.run([*manage, *command], env=env, check=True, timeout=600)
    port = free_port()
    daphne = Path(sys.executable).with_name("daphne")
    log = (data_dir / "daphne.log").open("w")
    server = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "streamflix_demo.asgi:application"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(base + "/api/health", server, timeout=60, name="daphne")
    except ServerDidNotStart:
        server.kill()
        raise RuntimeError((data_dir / "daphne.log").read_text()) from None
    yield base
    stop(server, timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
