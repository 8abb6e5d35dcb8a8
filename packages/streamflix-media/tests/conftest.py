"""Fixtures shared by media's tests: a JSON API client, a catalog to read, video assets
with a private per-test storage, real clips made by ffmpeg's test sources, and a moto S3
server over real HTTP. (The fast encoder settings of the engine tests are in
``transcoding/conftest.py``.)"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from streamflix_core.testing.api_client import JsonApi
from streamflix_core.testing.net import free_port, stop, wait_until_listening
from streamflix_media.models import Credit, Episode, Genre, Person, Season, Title
from streamflix_media.transcoding import find_ffmpeg


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db: Any) -> JsonApi:
    return JsonApi()


@pytest.fixture
def staff_api(api: JsonApi, staff_user: Any) -> JsonApi:
    return api.as_user(staff_user)


@pytest.fixture
def make_title(db: Any) -> Callable[..., Title]:
    counter = iter(range(1, 100_000))

    def factory(
        name: str | None = None,
        *,
        genres: list[Genre] = (),  # type: ignore[assignment]
        published: bool = True,
        **fields: Any,
    ) -> Title:
        number = next(counter)
        name = name or f"Title {number}"
        fields.setdefault("slug", name.lower().replace(" ", "-").replace("'", ""))
        fields.setdefault("year", 2000 + number % 20)
        if published:
            fields.setdefault("status", Title.Status.PUBLISHED)
            fields.setdefault("published_at", timezone.now() - dt.timedelta(minutes=number))
        countries = fields.pop("countries", ["US"])
        title = Title(name=name, **fields)
        title.countries = countries
        title.save()
        if genres:
            title.genres.set(genres)
        return title

    return factory


@pytest.fixture
def drama(db: Any) -> Genre:
    return Genre.objects.create(name="Drama", slug="drama")


@pytest.fixture
def comedy(db: Any) -> Genre:
    return Genre.objects.create(name="Comedy", slug="comedy")


@pytest.fixture
def series_with_everything(make_title: Callable[..., Title], drama: Genre) -> Title:
    title = make_title(
        "Harbor Lights", kind=Title.Kind.SERIES, genres=[drama], maturity_rating=13,
        synopsis="Lighthouse keepers.",
    )  # fmt: skip
    for number in (1, 2):
        season = Season.objects.create(title=title, number=number, name=f"Season {number}")
        for episode in (1, 2, 3):
            Episode.objects.create(season=season, number=episode, name=f"Episode {episode}")
    ada = Person.objects.create(name="Ada Lovelace", slug="ada-lovelace")
    ben = Person.objects.create(name="Ben Okafor", slug="ben-okafor")
    Credit.objects.create(title=title, person=ada, role="creator")
    Credit.objects.create(title=title, person=ben, role="actor", character_name="Keeper",
                          billing_order=1)  # fmt: skip
    Credit.objects.create(title=title, person=ada, role="actor", character_name="Ghost",
                          billing_order=2)  # fmt: skip
    return title


@pytest.fixture
def kids_limit(settings: Any) -> int:
    """Anonymous requests get the kids limit (7)."""
    settings.STREAMFLIX_CORE = {**getattr(settings, "STREAMFLIX_CORE", {}),
                                "ANONYMOUS_MATURITY_LIMIT": 7}  # fmt: skip
    return 7


ASSET_SETTINGS = {
    "X264_PRESET": "ultrafast",
    "HLS_SEGMENT_SECONDS": 2,
    "LADDER_HEIGHTS": (240, 360, 720, 1080),
    "PROGRESS_SAVE_SECONDS": 0,
    # The complexity probe has tests of its own; these keep the whole ladder.
    "LADDER_PRUNING": False,
}


@pytest.fixture
def media_settings(settings: Any, tmp_path: Path) -> Path:
    """Fast encoding, and a fresh local storage per test (so "nothing stored" is checkable).

    The tests of video assets use it (``pytest.mark.usefixtures("media_settings")``)."""
    root = tmp_path / "storage"
    base = getattr(settings, "STREAMFLIX_MEDIA", None) or {}
    settings.STREAMFLIX_MEDIA = {**base, **ASSET_SETTINGS}
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
def viewer(make_user: Callable[..., Any], make_profile: Callable[..., Any]) -> Any:
    """A viewer with one profile (their default, no PIN): tokens without a profile claim
    watch as it."""
    user = make_user(email="viewer@example.com")
    make_profile(user, name="Viewer")
    return user


@pytest.fixture
def viewer_api(api: JsonApi, viewer: Any) -> JsonApi:
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


def upload(api: JsonApi, clip: Path, *, name: str | None = None, **fields: Any) -> Any:
    with open(clip, "rb") as fh:
        return api.upload("/api/media/assets", {"file": fh, **fields})


def local_path(url: str) -> str:
    """The path + query of a URL the Django test client can fetch."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def fetch(client: Client, url: str) -> Any:
    return client.get(local_path(url))


@pytest.fixture(scope="package")
def ffmpeg() -> str:
    return find_ffmpeg(os.environ.get("FFMPEG_BINARY", ""))


@pytest.fixture(scope="package")
def clips_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


MakeClip = Callable[..., Path]


@pytest.fixture(scope="package")
def make_clip(ffmpeg: str, clips_dir: Path) -> MakeClip:
    """``make_clip(name, size="640x360", seconds=4, rate=25, audio=True, pattern="testsrc2",
    extra=[...])``: a clip from ffmpeg's lavfi test sources, cached per name."""

    def make(
        name: str,
        *,
        size: str = "640x360",
        seconds: float = 4,
        rate: int = 25,
        audio: bool = True,
        pattern: str = "testsrc2",
        extra: tuple[str, ...] = (),
    ) -> Path:
        target = clips_dir / name
        if target.exists():
            return target
        args = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"]
        args += ["-i", f"{pattern}=s={size}:r={rate}:d={seconds}"]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:d={seconds}"]
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        if audio:
            args += ["-c:a", "aac", "-shortest"]
        args += [*extra, str(target)]
        subprocess.run(args, check=True, capture_output=True, timeout=120)
        return target

    return make


@pytest.fixture(scope="package")
def clip_720(make_clip: MakeClip) -> Path:
    return make_clip("clip720.mp4", size="1280x720", seconds=5)


@pytest.fixture(scope="package")
def truncated_clip(make_clip: MakeClip, clips_dir: Path) -> Path:
    """A clip whose index (moov, first thanks to faststart) promises 6 s but whose media data
    stops after a third: it probes fine and fails while transcoding."""
    whole = make_clip("faststart.mp4", seconds=6, extra=("-movflags", "+faststart"))
    data = whole.read_bytes()
    target = clips_dir / "truncated.mp4"
    target.write_bytes(data[: len(data) // 3])
    return target


@pytest.fixture(scope="package")
def moto_server() -> Iterator[str]:
    """A moto S3 server in a subprocess; yields its endpoint URL."""
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    if not executable:
        pytest.skip("moto[server] is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port, proc, timeout=30, name="moto_server")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture
def s3_storage(moto_server: str):
    """A django-storages S3Storage on a fresh bucket of the moto server (presigned URLs on)."""
    import boto3
    from storages.backends.s3 import S3Storage

    bucket = f"streamflix-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    boto3.client(
        "s3", endpoint_url=moto_server, region_name="us-east-1", **credentials
    ).create_bucket(Bucket=bucket)
    return S3Storage(
        bucket_name=bucket,
        endpoint_url=moto_server,
        region_name="us-east-1",
        access_key="testing",
        secret_key="testing",
        querystring_auth=True,
        signature_version="s3v4",
        file_overwrite=True,
        location="media",
    )


@pytest.fixture
def local_storage(tmp_path: Path):
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=str(tmp_path / "storage"), base_url="/media/")


def ready_result(duration: float, heights: tuple[int, ...] = (240, 720)) -> dict[str, Any]:
    """A transcode result as a run records it (no files behind it): enough for playback
    answers and sessions, not for fetching playlists."""
    renditions = [
        {
            "rung": {"name": f"{h}p", "width": h * 16 // 9, "height": h, "video_kbps": h * 4,
                     "maxrate_kbps": h * 6, "bufsize_kbps": h * 8},
            "playlist": f"{h}p/playlist.m3u8", "codecs": "avc1.64001f",
            "peak_bps": h * 5000, "average_bps": h * 4000, "segment_count": 1,
        }
        for h in heights
    ]  # fmt: skip
    return {
        "duration": duration, "source_width": 1280, "source_height": 720, "frame_rate": 25.0,
        "segment_type": "fmp4", "segment_seconds": 6, "renditions": renditions, "audio": None,
        "poster": "poster.jpg", "trickplay": None, "timestamp_map": "", "subtitles": [],
    }  # fmt: skip


@pytest.fixture
def make_ready_asset(db: Any) -> Callable[..., Any]:
    """``make_ready_asset(title=... | episode=..., duration=100.0, **fields)``: a ready video
    asset recorded without transcoding (its files do not exist)."""
    from streamflix_media.models import VideoAsset

    counter = iter(range(1, 100_000))

    def factory(
        *, title: Any = None, episode: Any = None, duration: float = 100.0, **fields: Any
    ) -> Any:
        from streamflix_media.services import playable_refresh

        number = next(counter)
        role = fields.pop("role", "episode" if episode is not None else "feature")
        asset = VideoAsset.objects.create(
            role=role, title=title, episode=episode, original_filename=f"v{number}.mp4",
            sha256=f"{number:064d}", status=VideoAsset.Status.READY, duration=duration,
            result=ready_result(duration), output_prefix=f"hls/test/{number}/v1",
            ready_at=timezone.now(), **fields,
        )  # fmt: skip
        # What the commit would do (tests run inside a transaction that never commits).
        playable_refresh(
            title_ids=[getattr(title, "pk", None)], episode_ids=[getattr(episode, "pk", None)]
        )
        return asset

    return factory
