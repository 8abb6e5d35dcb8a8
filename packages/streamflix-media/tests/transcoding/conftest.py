"""Fixtures for the transcoding engine: real clips made by ffmpeg's test sources, a fast
encoder preset, and a moto S3 server over real HTTP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from streamflix_media.transcoding import TranscodeOptions, find_ffmpeg

FAST = {"X264_PRESET": "ultrafast", "HLS_SEGMENT_SECONDS": 2}


@pytest.fixture(scope="package", autouse=True)
def fast_media_settings() -> Iterator[None]:
    """ultrafast x264 and 2 s segments for every test here (a setting, as a site would)."""
    from django.conf import settings

    merged = {**(getattr(settings, "STREAMFLIX_MEDIA", None) or {}), **FAST}
    with override_settings(STREAMFLIX_MEDIA=merged):
        yield


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
def fast_options(fast_media_settings: None) -> TranscodeOptions:
    return TranscodeOptions.from_settings()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="package")
def moto_server() -> Iterator[str]:
    """A moto S3 server in a subprocess; yields its endpoint URL."""
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    if not executable:
        pytest.skip("moto[server] is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)
    try:
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
