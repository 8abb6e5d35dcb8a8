"""Source validation: size, container sniffing, probing, limits, and the content hash.

Probing reads the stream summary ``ffmpeg -i`` prints rather than ffprobe or PyAV: the
imageio-ffmpeg build has no ffprobe, PyAV would ship a second copy of the FFmpeg libraries
(tens of MB) whose demuxers could disagree with the binary that transcodes, and the summary
lines (``Duration:``, ``Stream #0:0: Video: ...``) have been stable across FFmpeg releases for
over a decade. The same binary that will transcode the file decides whether it is readable.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from .errors import (
    CorruptSource,
    NotAVideo,
    SourceEmpty,
    SourceResolutionTooHigh,
    SourceTooLarge,
    SourceTooLong,
    SourceTypeMismatch,
    UnsupportedSourceType,
)
from .ffmpeg import ffmpeg_binary, last_error

#: Container families: accepted file extensions and declared content types of each.
CONTAINERS: dict[str, dict[str, frozenset[str]]] = {
    "isobmff": {
        "extensions": frozenset({".mp4", ".m4v", ".mov"}),
        "content_types": frozenset({"video/mp4", "video/quicktime", "video/x-m4v"}),
    },
    "matroska": {
        "extensions": frozenset({".mkv", ".webm"}),
        "content_types": frozenset({"video/x-matroska", "video/webm", "video/matroska"}),
    },
    "avi": {
        "extensions": frozenset({".avi"}),
        "content_types": frozenset({"video/x-msvideo", "video/avi", "video/msvideo"}),
    },
    "mpegts": {
        "extensions": frozenset({".ts", ".m2ts", ".mts"}),
        "content_types": frozenset({"video/mp2t", "video/mp2ts"}),
    },
    "mpegps": {
        "extensions": frozenset({".mpg", ".mpeg"}),
        "content_types": frozenset({"video/mpeg"}),
    },
}

_ISOBMFF_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
SNIFF_BYTES = 4096


def sniff_container(head: bytes) -> str | None:
    """The container family (a key of ``CONTAINERS``) from a file's first bytes, or None."""
    if len(head) >= 8 and head[4:8] in _ISOBMFF_BOXES:
        return "isobmff"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpegps"
    for packet in (188, 192):  # plain TS, and M2TS with a 4-byte timecode before each packet
        offset = 0 if packet == 188 else 4
        if len(head) >= offset + packet * 3 and all(
            head[offset + i * packet] == 0x47 for i in range(3)
        ):
            return "mpegts"
    return None


def container_for_extension(filename: str) -> str | None:
    ext = os.path.splitext(filename)[1].lower()
    return next((k for k, v in CONTAINERS.items() if ext in v["extensions"]), None)


def container_for_content_type(content_type: str) -> str | None:
    base = content_type.split(";")[0].strip().lower()
    return next((k for k, v in CONTAINERS.items() if base in v["content_types"]), None)


@dataclass(frozen=True)
class VideoStream:
    codec: str
    width: int
    height: int
    frame_rate: float | None
    #: Display width / height after the sample aspect ratio and rotation are applied.
    display_aspect: float


@dataclass(frozen=True)
class AudioStream:
    codec: str
    sample_rate: int | None
    channels: str
    #: The stream's language tag as the container states it (``eng``), else None.
    language: str | None = None
    #: The container marks it as the default audio.
    default: bool = False
    title: str | None = None

    @property
    def channel_count(self) -> int:
        """How many channels the layout has (``stereo`` 2, ``5.1(side)`` 6, ``7.1`` 8)."""
        layout = self.channels.split("(")[0].strip()
        named = {"mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "quad": 4, "4.0": 4, "4.1": 5}
        if layout in named:
            return named[layout]
        if m := re.match(r"^(\d+)\.(\d+)$", layout):
            return int(m.group(1)) + int(m.group(2))
        if m := re.match(r"^(\d+) channels$", layout):
            return int(m.group(1))
        return 2


@dataclass(frozen=True)
class ProbeResult:
    """What ffmpeg reads from a file."""

    format_names: tuple[str, ...]
    duration: float | None
    start: float
    bitrate_kbps: int | None
    video: VideoStream | None
    audio: AudioStream | None
    streams: tuple[str, ...] = field(default=())
    #: Every audio stream, in order (``audio`` is the first).
    audios: tuple[AudioStream, ...] = field(default=())


@dataclass(frozen=True)
class SourceInfo:
    """A validated source: its container family, probe, size and sha256."""

    container: str
    probe: ProbeResult
    size: int
    sha256: str | None

    @property
    def duration(self) -> float:
        assert self.probe.duration is not None
        return self.probe.duration


_DURATION = re.compile(
    r"Duration: (?:(\d+):(\d\d):(\d\d(?:\.\d+)?)|N/A)"
    r"(?:, start: (-?\d+(?:\.\d+)?))?(?:, bitrate: (\d+) kb/s)?"
)
_INPUT = re.compile(r"^Input #0, (.+?), from ")
_STREAM = re.compile(
    r"^\s*Stream #0:(\d+)(?:\[\w+\])?(?:\((\w+)\))?\S*: "
    r"(Video|Audio|Subtitle|Data|Attachment): (.*)$"
)
_TITLE = re.compile(r"^\s+(?:title|name)\s*: (.*)$")
_SIZE = re.compile(r"(?:^|[ ,])(\d{2,5})x(\d{2,5})(?: \[SAR (\d+):(\d+) DAR \d+:\d+\])?")
_FPS = re.compile(r"(\d+(?:\.\d+)?)(k?) (?:fps|tbr)\b")
_ROTATION = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")
_TIME = re.compile(r"time=(\d+):(\d\d):(\d\d(?:\.\d+)?)")


def parse_probe(log: str) -> ProbeResult:
    """Parse ``ffmpeg -i`` output (only input #0 is read)."""
    format_names: tuple[str, ...] = ()
    duration: float | None = None
    start = 0.0
    bitrate: int | None = None
    video: VideoStream | None = None
    audios: list[AudioStream] = []
    streams: list[str] = []
    video_rotation = 0.0
    in_video = False
    in_audio = False
    for line in log.splitlines():
        if line.startswith("Output #") or line.startswith("Stream mapping"):
            break
        if m := _INPUT.match(line):
            format_names = tuple(m.group(1).split(","))
        elif m := _DURATION.search(line):
            if m.group(1) is not None:
                duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            start = float(m.group(4) or 0)
            bitrate = int(m.group(5)) if m.group(5) else None
        elif m := _STREAM.match(line):
            kind, desc = m.group(3), m.group(4)
            streams.append(kind.lower())
            in_video = in_audio = False
            if kind == "Video" and video is None and "(attached pic)" not in desc:
                video = _parse_video(desc)
                in_video = video is not None
            elif kind == "Audio":
                audios.append(_parse_audio(desc, language=m.group(2)))
                in_audio = True
        elif in_video and (m := _ROTATION.search(line)):
            video_rotation = float(m.group(1))
        elif in_audio and (m := _TITLE.match(line)):
            audios[-1] = replace(audios[-1], title=m.group(1).strip() or None)
    if video and round(abs(video_rotation)) % 180 == 90:
        video = VideoStream(
            codec=video.codec,
            width=video.height,
            height=video.width,
            frame_rate=video.frame_rate,
            display_aspect=1 / video.display_aspect,
        )
    return ProbeResult(
        format_names,
        duration,
        start,
        bitrate,
        video,
        audios[0] if audios else None,
        tuple(streams),
        tuple(audios),
    )


def _parse_video(desc: str) -> VideoStream | None:
    size = _SIZE.search(desc)
    if not size:
        return None
    width, height = int(size.group(1)), int(size.group(2))
    if not width or not height:
        return None
    sar = (int(size.group(3)), int(size.group(4))) if size.group(3) else (1, 1)
    sar_ratio = sar[0] / sar[1] if sar[0] and sar[1] else 1.0
    frame_rate = None
    if fps := _FPS.search(desc):
        frame_rate = float(fps.group(1)) * (1000 if fps.group(2) else 1)
    return VideoStream(
        codec=desc.split()[0].rstrip(","),
        width=width,
        height=height,
        frame_rate=frame_rate,
        display_aspect=width * sar_ratio / height,
    )


def _parse_audio(desc: str, *, language: str | None = None) -> AudioStream:
    rate = re.search(r"(\d+) Hz", desc)
    parts = [p.strip() for p in desc.split(",")]
    channels = parts[2] if len(parts) > 2 else ""
    return AudioStream(
        codec=desc.split()[0].rstrip(","),
        sample_rate=int(rate.group(1)) if rate else None,
        channels=channels,
        language=language if language and language != "und" else None,
        default="(default)" in desc,
    )


def probe(path: str | os.PathLike[str], *, binary: str | None = None) -> ProbeResult:
    """Read ``path``'s container and streams with ffmpeg. Raise ``CorruptSource`` if unreadable.

    When the container states no duration (some live-recorded Matroska/TS files), it is
    measured by remuxing the video stream to the null muxer, which reads but does not decode.
    """
    binary = binary or ffmpeg_binary()
    log = _ffmpeg_stderr(binary, ["-i", os.fspath(path)])
    result = parse_probe(log)
    if not result.format_names:
        raise CorruptSource(f"The file could not be read as media: {last_error(log)}")
    if result.video is not None and result.duration is None:
        measured = _ffmpeg_stderr(
            binary, ["-i", os.fspath(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
        )
        times = _TIME.findall(measured)
        if times:
            h, m, s = times[-1]
            result = replace(result, duration=int(h) * 3600 + int(m) * 60 + float(s))
    return result


def _ffmpeg_stderr(binary: str, args: list[str]) -> str:
    done = subprocess.run(
        [binary, "-hide_banner", "-nostdin", *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    return done.stderr


def content_hash(source: str | os.PathLike[str] | IO[bytes], *, chunk_size: int = 1 << 20) -> str:
    """The sha256 hex digest of a file (path or binary file object), read in chunks.

    A file object is read from its current position and rewound there afterwards.
    """
    digest = hashlib.sha256()
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            while chunk := fh.read(chunk_size):
                digest.update(chunk)
        return digest.hexdigest()
    position = source.tell()
    while chunk := source.read(chunk_size):
        digest.update(chunk)
    source.seek(position)
    return digest.hexdigest()


def validate_source(
    path: str | os.PathLike[str],
    *,
    filename: str,
    content_type: str | None = None,
    compute_hash: bool = True,
    limits: Any = None,
    binary: str | None = None,
) -> SourceInfo:
    """Check a source file before it is accepted; raise a ``SourceRejected`` subclass if not.

    In order: not empty and at most ``MAX_UPLOAD_BYTES``; the extension of ``filename`` is a
    known video container; the file's magic bytes sniff as that same container family; the
    declared ``content_type`` (when given) names that family too; ffmpeg reads it; it has a
    video stream with a duration of at most ``MAX_DURATION_SECONDS`` and a resolution within
    ``MAX_WIDTH`` x ``MAX_HEIGHT``. ``limits`` defaults to the media settings (any object with
    those attributes will do).
    """
    if limits is None:
        from ..conf import settings

        limits = settings()
    size = Path(path).stat().st_size
    if size == 0:
        raise SourceEmpty("The uploaded file is empty.")
    if size > limits.MAX_UPLOAD_BYTES:
        raise SourceTooLarge(
            f"The file is {size} bytes; the limit is {limits.MAX_UPLOAD_BYTES} bytes."
        )
    by_extension = container_for_extension(filename)
    if by_extension is None:
        allowed = sorted(e for v in CONTAINERS.values() for e in v["extensions"])
        raise UnsupportedSourceType(
            f"{os.path.splitext(filename)[1] or 'No extension'!s} is not an accepted video "
            f"file type (accepted: {', '.join(allowed)})."
        )
    with open(path, "rb") as fh:
        sniffed = sniff_container(fh.read(SNIFF_BYTES))
    if sniffed != by_extension:
        what = f"a {sniffed} file" if sniffed else "not a recognised video container"
        raise SourceTypeMismatch(f"The file name says {by_extension} but its content is {what}.")
    if content_type is not None and container_for_content_type(content_type) != by_extension:
        raise SourceTypeMismatch(
            f"The declared content type {content_type!r} does not match a {by_extension} file."
        )
    result = probe(path, binary=binary)
    if result.video is None:
        raise NotAVideo("The file has no video stream.")
    if result.duration is None or result.duration <= 0:
        raise CorruptSource("The video has no readable duration.")
    if result.duration > limits.MAX_DURATION_SECONDS:
        raise SourceTooLong(
            f"The video lasts {result.duration:.0f} s; the limit is "
            f"{limits.MAX_DURATION_SECONDS} s."
        )
    if result.video.height > limits.MAX_HEIGHT or result.video.width > limits.MAX_WIDTH:
        raise SourceResolutionTooHigh(
            f"The video is {result.video.width}x{result.video.height}; the limit is "
            f"{limits.MAX_WIDTH}x{limits.MAX_HEIGHT}."
        )
    return SourceInfo(
        container=sniffed,
        probe=result,
        size=size,
        sha256=content_hash(path) if compute_hash else None,
    )
