"""A real demo server (migrated, seeded, daphne, django-q2 workers that have transcoded the
seeded sample videos) and a headless Chromium to look at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from streamflix_core.testing.net import (
    ServerDidNotStart,
    free_port,
    stop,
    wait_until,
    wait_until_answers,
)

DEMO = Path(__file__).resolve().parents[1] / "sites" / "demo"
ARTIFACTS = Path(__file__).parent / "artifacts"
#: Sample videos the seed makes for e2e: a kids-safe movie with subtitles (en, fr) and three
#: rungs (240p-480p), a second movie, and the first episode of a series. More cost CI time,
#: not coverage.
E2E_VIDEOS = "3"
#: How long the worker may take to make them playable (three short transcodes take ~30 s).
TRANSCODE_TIMEOUT = 300

# The seed's plan of sample videos, as JSON on the last line.
PLAN = (
    "import json; from streamflix_media.demo_videos import plan, requested_count; "
    "print(json.dumps([{'slug': v.title.slug, 'name': v.title.name, 'kind': v.title.kind, "
    "'episode': v.episode.pk if v.episode else None, 'subtitles': v.subtitles, "
    "'maturity_rating': v.title.maturity_rating} for v in plan(requested_count())]))"
)


def _wait_until_playable(base: str, slugs: list[str], worker: subprocess.Popen, log: Path) -> None:
    """Until every title in ``slugs`` reports ``playable`` (the worker transcoded it)."""
    pending = list(slugs)

    def playable() -> bool:
        while pending:
            with urllib.request.urlopen(f"{base}/api/media/titles/{pending[0]}", timeout=5) as r:  # noqa: S310
                if not json.load(r)["playable"]:
                    return False
            pending.pop(0)
        return True

    try:
        wait_until(playable, worker, timeout=TRANSCODE_TIMEOUT, interval=1, name="qcluster")
    except ServerDidNotStart as exc:
        raise RuntimeError(
            f"The demo's sample videos did not become playable ({exc}); still waiting for "
            f"{pending}. The worker's log ends with:\n{log.read_text()[-4000:]}"
        ) from None


@dataclass(frozen=True)
class DemoSite:
    """A running demo: its base URL and its sample videos (each playable), as dicts of
    ``slug``, ``name``, ``kind``, ``episode`` (an id or None), ``subtitles`` and
    ``maturity_rating``."""

    base: str
    videos: list[dict[str, Any]]


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    # DATABASE_URL (PostgreSQL) and REDIS_URL (cache, broker, channel layer) reach the demo as
    # they are: `nox -s e2e` points DATABASE_URL at a fresh database made for this run.
    data_dir = tmp_path_factory.mktemp("demo-data")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "streamflix_demo.settings",
        "DJANGO_SECRET_KEY": "e2e-secret",
        "STREAMFLIX_DATA_DIR": str(data_dir),
        "STREAMFLIX_DEMO_VIDEOS": os.environ.get("STREAMFLIX_DEMO_VIDEOS", E2E_VIDEOS),
        "STREAMFLIX_DEMO_TITLES": os.environ.get("STREAMFLIX_DEMO_TITLES", "120"),
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
    planned = subprocess.run(
        [*manage, "shell", "--no-imports", "-c", PLAN],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    videos = json.loads(planned.stdout.strip().splitlines()[-1])
    port = free_port()
    daphne = Path(sys.executable).with_name("daphne")
    log = (data_dir / "daphne.log").open("w")
    worker_log = data_dir / "qcluster.log"
    worker = subprocess.Popen(
        [*manage, "qcluster"],
        env=env,
        stdout=worker_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    # The demo's transcodes go to a cluster of their own, with a worker of its own.
    transcode_log = data_dir / "qcluster-transcode.log"
    transcode_name = env.get("STREAMFLIX_TRANSCODE_CLUSTER", "transcode")
    transcode_worker = subprocess.Popen(
        [*manage, "qcluster"],
        env={**env, "Q_CLUSTER_NAME": transcode_name} if transcode_name else env,
        stdout=transcode_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "streamflix_demo.asgi:application"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_answers(base + "/api/health", server, timeout=60, name="daphne")
        except ServerDidNotStart:
            raise RuntimeError((data_dir / "daphne.log").read_text()) from None
        _wait_until_playable(base, [v["slug"] for v in videos], transcode_worker, transcode_log)
        yield DemoSite(base=base, videos=videos)
    finally:
        stop(server, timeout=15)
        stop(worker, timeout=30)
        stop(transcode_worker, timeout=30)


@pytest.fixture(scope="session")
def demo_server(demo_site: DemoSite) -> str:
    """The base URL of the running demo."""
    return demo_site.base


@pytest.fixture(scope="session")
def demo_videos(demo_site: DemoSite) -> list[dict[str, Any]]:
    """The sample videos of the demo (each playable)."""
    return demo_site.videos


@pytest.fixture(scope="session")
def subtitled_movie(demo_videos: list[dict[str, Any]]) -> dict[str, Any]:
    """A playable movie with three rungs (240p, 360p, 480p) and subtitles in English and
    French (English by default); kids-safe."""
    return next(v for v in demo_videos if v["subtitles"])


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
