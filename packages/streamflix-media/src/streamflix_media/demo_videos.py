"""Demo videos: short clips from ffmpeg's test sources, run through the real pipeline."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import TextIO

from django.core.files import File

from .conf import settings
from .models import Episode, Title, VideoAsset
from .services.assets import asset_create_from_upload, asset_transcode
from .transcoding import TranscodeOptions, find_ffmpeg

#: (file name, size, seconds, test pattern)
CLIPS = (
    ("demo-1080p.mp4", "1920x1080", 3, "testsrc2"),
    ("demo-720p.mp4", "1280x720", 3, "smptehdbars"),
)


def make_clip(binary: str, target: Path, *, size: str, seconds: int, pattern: str) -> Path:
    """An H.264/AAC clip of ``pattern`` (a lavfi test source) with a tone."""
    source = f"{pattern}=s={size}:r=25:d={seconds}"
    tone = f"sine=frequency=440:sample_rate=48000:d={seconds}"
    args = [binary, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source]
    args += ["-f", "lavfi", "-i", tone, "-c:v", "libx264", "-preset", "ultrafast"]
    args += ["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(target)]
    subprocess.run(
        args,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def _attach(path: Path, *, role: str, title: Title | None = None, episode: Episode | None = None):
    with open(path, "rb") as fh:
        asset = asset_create_from_upload(
            upload=File(fh, name=path.name),
            role=role,
            title=title,
            episode=episode,
            content_type="video/mp4",
            enqueue=False,
        )
    if asset.status == VideoAsset.Status.PENDING:
        # Test patterns need no quality: the fastest preset keeps the seed quick.
        options = TranscodeOptions.from_settings(preset="ultrafast")
        asset = asset_transcode(asset_id=asset.pk, options=options) or asset
    return asset


def seed(stdout: TextIO) -> None:
    """Attach a 1080p clip to a published movie (feature), a 720p clip to the first episode
    of a published series, and that 720p clip as the movie's trailer (same bytes: shared
    output, no second transcode). Idempotent; ``STREAMFLIX_DEMO_VIDEOS=0`` skips it."""
    if os.environ.get("STREAMFLIX_DEMO_VIDEOS", "1").lower() in {"0", "false", "no", "off"}:
        stdout.write("  videos: skipped (STREAMFLIX_DEMO_VIDEOS=0)\n")
        return
    published = Title.objects.filter(status=Title.Status.PUBLISHED).order_by(
        "maturity_rating", "id"
    )
    movie = published.filter(kind=Title.Kind.MOVIE).first()
    episode = (
        Episode.objects.filter(season__title__in=published.filter(kind=Title.Kind.SERIES))
        .order_by("season__title__maturity_rating", "season__title_id", "season__number", "number")
        .first()
    )
    wanted: list[tuple[str, int, Title | None, Episode | None]] = []
    if movie is not None and not movie.video_assets.filter(role="feature").exists():
        wanted.append(("feature", 0, movie, None))
    if episode is not None and not episode.video_assets.exists():
        wanted.append(("episode", 1, None, episode))
    if movie is not None and not movie.video_assets.filter(role="trailer").exists():
        wanted.append(("trailer", 1, movie, None))
    if not wanted:
        stdout.write("  videos: already there\n")
        return
    binary = find_ffmpeg(settings().FFMPEG_BINARY)
    with tempfile.TemporaryDirectory(prefix="streamflix-demo-clips-") as tmp:
        clips: dict[int, Path] = {}
        done = []
        for role, index, title, ep in wanted:
            if index not in clips:
                name, size, seconds, pattern = CLIPS[index]
                clips[index] = make_clip(
                    binary, Path(tmp) / name, size=size, seconds=seconds, pattern=pattern
                )
            asset = _attach(clips[index], role=role, title=title, episode=ep)
            done.append(f"{role} {asset.status} ({', '.join(f'{h}p' for h in asset.rungs)})")
    stdout.write(f"  videos: {'; '.join(done)}\n")
