"""Fixtures of the asset tests: real clips and the moto server (shared with the transcoding
tests), a private per-test storage, fast encoder settings, and API helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from streamflix_media.models import Episode, Season, Title
from tests.catalog.conftest import Api
from tests.transcoding.conftest import (  # noqa: F401 (fixtures)
    clip_720,
    clips_dir,
    ffmpeg,
    make_clip,
    moto_server,
    truncated_clip,
)

FAST = {
    "X264_PRESET": "ultrafast",
    "HLS_SEGMENT_SECONDS": 2,
    "LADDER_HEIGHTS": (240, 360, 720, 1080),
    "PROGRESS_SAVE_SECONDS": 0,
}


@pytest.fixture(autouse=True)
def media_settings(settings: Any, tmp_path: Path) -> Path:
    """Fast encoding, and a fresh local storage per test (so "nothing stored" is checkable)."""
    root = tmp_path / "storage"
    settings.STREAMFLIX_MEDIA = {**(getattr(settings, "STREAMFLIX_MEDIA", None) or {}), **FAST}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/files/"},
        },
    }
    return root


@pytest.fixture
def storage_root(media_settings: Path) -> Path:
    return media_settings


def stored(root: Path, under: str = "") -> list[str]:
    base = root / under
    if not base.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file())


@pytest.fixture
def api(db: Any) -> Api:
    return Api(Client())


@pytest.fixture
def staff_api(api: Api, staff_user: Any) -> Api:
    return api.as_user(staff_user)


@pytest.fixture
def viewer(make_user: Callable[..., Any]) -> Any:
    return make_user(email="viewer@example.com")


@pytest.fixture
def viewer_api(api: Api, viewer: Any) -> Api:
    return api.as_user(viewer)


@pytest.fixture
def movie(db: Any) -> Title:
    return Title.objects.create(
        name="Night Train",
        slug="night-train",
        kind=Title.Kind.MOVIE,
        status=Title.Status.PUBLISHED,
        published_at=timezone.now(),
        maturity_rating=13,
    )


@pytest.fixture
def episode(db: Any) -> Episode:
    series = Title.objects.create(
        name="Harbor",
        slug="harbor",
        kind=Title.Kind.SERIES,
        status=Title.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    season = Season.objects.create(title=series, number=1)
    return Episode.objects.create(season=season, number=1, name="Pilot")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with run_on_commit(): ...`` runs the on-commit callbacks (the sync django-q2 task)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload(api: Api, clip: Path, *, name: str | None = None, **fields: Any) -> Any:
    with open(clip, "rb") as fh:
        return api.upload("/api/media/assets", {"file": fh, **fields})


def local_path(url: str) -> str:
    """The path + query of a URL the Django test client can fetch."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def fetch(client: Client, url: str) -> Any:
    return client.get(local_path(url))
