"""Demo videos: distinct 20-30 s clips from ffmpeg's own test sources, queued for the real
transcode pipeline on the task worker, so the site serves at once and titles become playable
as their transcodes finish.

``STREAMFLIX_DEMO_VIDEOS`` bounds how many clips are made (default ``DEFAULT_COUNT``; ``0``
none). They go, in this order, to: a kids-safe movie with subtitles in two languages, a
second movie, the first three episodes of a series, then more movies."""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.core.files import File

from streamflix_core.maturity import KIDS_LIMIT

from .conf import settings
from .demo_art import font_file
from .models import Episode, Title, VideoAsset
from .services.assets import asset_create_from_upload
from .services.run_leases import asset_enqueue_transcode
from .services.subtitles import subtitle_add
from .transcoding import find_ffmpeg

#: Clips made when ``STREAMFLIX_DEMO_VIDEOS`` is unset: 11 movies and 3 episodes of one
#: series, so 12 titles play.
DEFAULT_COUNT = 14
#: Source size of every clip: a three-rung ladder (240p, 360p, 480p) that 2 cores transcode
#: in seconds per clip.
CLIP_SIZE = "854x480"
CLIP_RATE = 25
#: Clip lengths: ``CLIP_SECONDS[0]`` plus up to ``CLIP_SECONDS[1]`` more, varied per clip.
CLIP_SECONDS = (20, 10)
#: Episodes of the playable series.
SERIES_EPISODES = 3
SUBTITLE_LANGUAGES = (("en", "English"), ("fr", "Français"))


@dataclass(frozen=True)
class ClipSource:
    """One look and sound: a lavfi video source (with an optional filter after it) and a
    lavfi audio source."""

    name: str
    video: str
    audio: str
    filters: str = ""


#: Distinct looks, in the order they are handed out.
SOURCES: tuple[ClipSource, ...] = (
    ClipSource("testsrc2", "testsrc2", "sine=frequency=440:beep_factor=4"),
    ClipSource("mandelbrot", "mandelbrot=maxiter=256", "sine=frequency=220"),
    ClipSource(
        "life",
        "life=mold=10:ratio=0.1:death_color=#1a1040:life_color=#4fc3ff:mold_color=#ff6a3d",
        "aevalsrc=0.15*sin(2*PI*196*t)+0.1*sin(2*PI*294*t)",
    ),
    ClipSource("cellauto", "cellauto=rule=110", "sine=frequency=330:beep_factor=2"),
    ClipSource("gradients", "gradients=speed=0.03:n=5", "aevalsrc=0.2*sin(2*PI*(180+40*sin(t))*t)"),
    ClipSource("zoneplate", "zoneplate=kt2=3:kx2=64:ky2=64", "sine=frequency=523"),
    ClipSource("sierpinski", "sierpinski=type=triangle", "sine=frequency=262:beep_factor=3"),
    ClipSource("rgbtestsrc", "rgbtestsrc", "aevalsrc=0.1*sin(2*PI*392*t)*(1+sin(2*PI*t))"),
    ClipSource("smptehdbars", "smptehdbars", "sine=frequency=1000"),
    ClipSource("colorspectrum", "colorspectrum=type=all", "sine=frequency=349"),
    ClipSource("yuvtestsrc", "yuvtestsrc", "anoisesrc=color=pink:amplitude=0.08"),
    ClipSource("pal75bars", "pal75bars", "sine=frequency=587:beep_factor=6"),
    ClipSource(
        "cellauto-rule30",
        "cellauto=rule=30",
        "sine=frequency=147",
        filters="format=rgb24,colorchannelmixer=rr=1:gg=0.55:bb=0.15",
    ),
    ClipSource(
        "life-glider",
        "life=ratio=0.3:death_color=#102010:life_color=#d4ff3a",
        "aevalsrc=0.15*sin(2*PI*110*t)",
        filters="hue=s=1.5",
    ),
)


@dataclass(frozen=True)
class DemoVideo:
    """A clip planned for a movie's feature or an episode."""

    role: str
    title: Title
    episode: Episode | None
    source: ClipSource
    seconds: int
    subtitles: bool = False

    @property
    def label(self) -> str:
        if self.episode is None:
            return f"{self.title.slug}  {self.title.name}"
        season = self.episode.season
        return (
            f"{self.title.slug}  {self.title.name}, S{season.number:02d}E"
            f"{self.episode.number:02d} {self.episode.name}"
        )

    def existing(self) -> VideoAsset | None:
        if self.episode is not None:
            assets = self.episode.video_assets.all()
        else:
            assets = self.title.video_assets.filter(role=VideoAsset.Role.FEATURE)
        return assets.order_by("-id").first()


def requested_count() -> int:
    """How many clips ``STREAMFLIX_DEMO_VIDEOS`` asks for (``DEFAULT_COUNT`` when unset;
    ``0``/``off`` none; ``1``... that many, at most one per source)."""
    raw = os.environ.get("STREAMFLIX_DEMO_VIDEOS", "").strip().lower()
    if raw in {"", "on", "yes", "true"}:
        return DEFAULT_COUNT
    if raw in {"off", "no", "false"}:
        return 0
    try:
        return max(0, min(int(raw), len(SOURCES)))
    except ValueError:
        raise ValueError(
            f"STREAMFLIX_DEMO_VIDEOS={raw!r}: expected a number of clips (0 for none)."
        ) from None


def plan(count: int) -> list[DemoVideo]:
    """The first ``count`` clips, on published titles the demo viewer's default profile sees
    (the first one also on the kids profile), each with a look of its own. Deterministic for
    a given catalog."""
    if count <= 0:
        return []
    published = Title.objects.filter(status=Title.Status.PUBLISHED)
    movies = list(published.filter(kind=Title.Kind.MOVIE).order_by("-featured", "id"))
    kids_movie = next((m for m in movies if m.maturity_rating <= KIDS_LIMIT), None)
    if kids_movie is not None:
        movies.remove(kids_movie)
        movies.insert(0, kids_movie)
    series = next(
        (
            s
            for s in published.filter(kind=Title.Kind.SERIES).order_by("-featured", "id")
            if Episode.objects.filter(season__title=s).count() >= SERIES_EPISODES
        ),
        None,
    )
    episodes = (
        list(
            Episode.objects.filter(season__title=series)
            .select_related("season")
            .order_by("season__number", "number")[:SERIES_EPISODES]
        )
        if series is not None
        else []
    )
    targets: list[tuple[Title, Episode | None]] = [(m, None) for m in movies[:2]]
    targets += [(series, episode) for episode in episodes if series is not None]
    targets += [(m, None) for m in movies[2:]]
    videos = []
    for index, (title, episode) in enumerate(targets[: min(count, len(SOURCES))]):
        videos.append(
            DemoVideo(
                role=VideoAsset.Role.EPISODE if episode else VideoAsset.Role.FEATURE,
                title=title,
                episode=episode,
                source=SOURCES[index],
                seconds=CLIP_SECONDS[0] + (index * 7) % (CLIP_SECONDS[1] + 1),
                subtitles=index == 0,
            )
        )
    return videos


@functools.cache
def has_drawtext(binary: str) -> bool:
    """Whether this ffmpeg build can draw text (it needs libfreetype)."""
    listing = subprocess.run(
        [binary, "-hide_banner", "-filters"], capture_output=True, text=True, timeout=60
    )
    return any(line.split()[1:2] == ["drawtext"] for line in listing.stdout.splitlines())


def _filter_value(value: str) -> str:
    """``value`` quoted for a filtergraph option."""
    return "'" + value.replace("\\", "\\\\").replace("'", "'\\''").replace(":", "\\:") + "'"


def make_clip(
    binary: str, target: Path, *, source: ClipSource, seconds: int, caption: str = ""
) -> Path:
    """An H.264/AAC clip of ``source`` at ``CLIP_SIZE``, ``caption`` drawn on it (with a
    running clock) when this ffmpeg has ``drawtext`` and a font is at hand."""
    video = f"{source.video}{':' if '=' in source.video else '='}s={CLIP_SIZE}:r={CLIP_RATE}"
    filters = [source.filters] if source.filters else []
    fontfile = font_file()
    if caption and fontfile and has_drawtext(binary):
        # Text from files: no escaping of titles inside the filtergraph.
        caption_file = target.with_suffix(".caption.txt")
        caption_file.write_text(caption, encoding="utf-8")
        clock_file = target.with_suffix(".clock.txt")
        clock_file.write_text("%{pts:hms}", encoding="utf-8")
        common = f"fontfile={_filter_value(fontfile)}:fontcolor=white:box=1:boxcolor=black@0.55"
        filters.append(
            f"drawtext={common}:textfile={_filter_value(str(caption_file))}:fontsize=34"
            ":boxborderw=14:x=(w-text_w)/2:y=h-text_h-48"
        )
        filters.append(
            f"drawtext={common}:textfile={_filter_value(str(clock_file))}:fontsize=22"
            ":boxborderw=8:x=w-text_w-24:y=24"
        )
    args = [binary, "-hide_banner", "-loglevel", "error", "-y"]
    args += ["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", f"{source.audio}:sample_rate=48000"]
    args += ["-t", str(seconds)]
    if filters:
        args += ["-vf", ",".join(filters)]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "28", "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac", "-ac", "2", "-b:a", "96k", str(target)]
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    return target


_LINES = {
    "en": ("Previously, somewhere else.", "Did you hear that?", "We have {n} seconds.",
           "Keep the signal steady.", "Look at the colours!", "This is where it begins."),
    "fr": ("Auparavant, ailleurs.", "Tu as entendu ?", "Nous avons {n} secondes.",
           "Garde le signal stable.", "Regarde les couleurs !", "C'est ici que tout commence."),
}  # fmt: skip


def sample_subtitles(language: str, seconds: int, name: str) -> str:
    """A WebVTT track for a ``seconds``-long clip: the title, then a line every 4 s."""

    def stamp(at: float) -> str:
        return f"00:00:{int(at):02d}.{int(at * 1000) % 1000:03d}"

    lines = _LINES[language]
    cues = [f"1\n{stamp(0.5)} --> {stamp(min(3.5, seconds - 0.1))}\n{name}"]
    for number, start in enumerate(range(4, seconds - 1, 4), start=2):
        text = lines[(number - 2) % len(lines)].format(n=seconds - start)
        cues.append(
            f"{number}\n{stamp(start)} --> {stamp(min(start + 3.5, seconds - 0.1))}\n{text}"
        )
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def subtitle_tracks(video: DemoVideo) -> list[dict[str, Any]]:
    """The sample subtitles of ``video`` (none unless it is the subtitled one)."""
    if not video.subtitles:
        return []
    return [
        {
            "language": language,
            "name": name,
            "data": sample_subtitles(language, video.seconds, video.title.name),
            "default": index == 0,
        }
        for index, (language, name) in enumerate(SUBTITLE_LANGUAGES)
    ]


def _queue(video: DemoVideo, clip: Path) -> VideoAsset:
    with open(clip, "rb") as fh:
        asset = asset_create_from_upload(
            upload=File(fh, name=f"{video.title.slug}-{video.source.name}.mp4"),
            role=video.role,
            title=None if video.episode else video.title,
            episode=video.episode,
            content_type="video/mp4",
            enqueue=False,
        )
    if asset.status == VideoAsset.Status.PENDING:
        asset_enqueue_transcode(asset=asset, subtitles=subtitle_tracks(video))
    return asset


def _complete_subtitles(video: DemoVideo, asset: VideoAsset) -> bool:
    """Publish the sample subtitles a ready asset lacks (its run may have been recovered by
    the plain transcode task); returns whether any were added."""
    if asset.status != VideoAsset.Status.READY:
        return False
    have = set(asset.subtitles.values_list("language", flat=True))
    added = False
    for track in subtitle_tracks(video):
        if track["language"] not in have:
            subtitle_add(asset=asset, **track)
            added = True
    return added


def seed(stdout: TextIO) -> list[DemoVideo]:
    """Make and queue the planned clips that are not there yet (idempotent), then list which
    titles play (or will, once the worker has transcoded them)."""
    count = requested_count()
    if count == 0:
        stdout.write("  videos: skipped (STREAMFLIX_DEMO_VIDEOS=0)\n")
        return []
    videos = plan(count)
    statuses: dict[int, str] = {}
    wanted = []
    for index, video in enumerate(videos):
        asset = video.existing()
        if asset is None:
            wanted.append((index, video))
        else:
            _complete_subtitles(video, asset)
            statuses[index] = asset.status
    if wanted:
        binary = find_ffmpeg(settings().FFMPEG_BINARY)
        stdout.write(f"  videos: making {len(wanted)} clips ({CLIP_SIZE}, 20-30 s each)\n")
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="streamflix-demo-clips-") as tmp:
            for index, video in wanted:
                caption = video.title.name
                if video.episode is not None:
                    caption += f" - S{video.episode.season.number}E{video.episode.number}"
                clip = make_clip(
                    binary,
                    Path(tmp) / f"clip-{index}.mp4",
                    source=video.source,
                    seconds=video.seconds,
                    caption=caption,
                )
                statuses[index] = _queue(video, clip).status
        stdout.write(f"  videos: made in {time.monotonic() - started:.0f} s\n")
    queued = sum(1 for status in statuses.values() if status != VideoAsset.Status.READY)
    stdout.write(
        f"  videos: {len(videos)} clips, {len(videos) - queued} ready, {queued} queued for the"
        " task worker (`manage.py qcluster`, which `make demo` starts); these titles play:\n"
    )
    for index, video in enumerate(videos):
        notes = [statuses[index], video.source.name]
        if video.subtitles:
            notes.append("subtitles " + ", ".join(lang for lang, _ in SUBTITLE_LANGUAGES))
        if video.title.maturity_rating <= KIDS_LIMIT:
            notes.append("kids")
        stdout.write(f"    {video.label}  ({'; '.join(notes)})\n")
    stdout.write(
        "  videos: follow the transcodes in the admin (/admin/streamflix_media/videoasset/,"
        " status and progress) or GET /api/media/assets as staff\n"
    )
    return videos
