"""Locating and running ffmpeg: one subprocess, progress from ``-progress pipe:1``, a timeout.

The binary is the ``FFMPEG_BINARY`` setting when set, else ``ffmpeg`` on PATH, else the static
build shipped in the ``imageio-ffmpeg`` wheel (it has libx264, AAC and the HLS muxer), so a
fresh machine needs no system package. That build has no ffprobe, so probing
(:mod:`.probe`) reads ``ffmpeg -i`` instead.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import FfmpegNotFound, TranscodeError, TranscodeTimeout

ProgressCallback = Callable[[float], None]


def find_ffmpeg(configured: str = "") -> str:
    """The ffmpeg executable: ``configured`` if given, else PATH, else imageio-ffmpeg's."""
    if configured:
        found = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        if not found:
            raise FfmpegNotFound(f"FFMPEG_BINARY {configured!r} does not exist.")
        return found
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise FfmpegNotFound("No ffmpeg on PATH and imageio-ffmpeg is not installed.") from exc
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise FfmpegNotFound(f"No usable ffmpeg: {exc}") from exc


def ffmpeg_binary() -> str:
    """The ffmpeg executable per the media settings (``FFMPEG_BINARY``)."""
    from django.conf import settings as django_settings

    configured = ""
    if django_settings.configured:
        from ..conf import settings

        configured = settings().FFMPEG_BINARY
    return find_ffmpeg(configured)


@functools.lru_cache(maxsize=8)
def ffmpeg_capabilities(binary: str) -> frozenset[str]:
    """Encoder and muxer names the binary offers (cached per binary)."""
    names: set[str] = set()
    for listing in ("-encoders", "-muxers"):
        out = subprocess.run(
            [binary, "-hide_banner", listing], capture_output=True, text=True, timeout=30
        ).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] != "=" and not parts[0].startswith("-"):
                names.add(parts[1])
    return frozenset(names)


def check_ffmpeg(binary: str | None = None) -> list[str]:
    """What the pipeline needs and ``binary`` lacks (empty when it is usable)."""
    binary = binary or ffmpeg_binary()
    have = ffmpeg_capabilities(binary)
    return [name for name in ("libx264", "aac", "mjpeg", "hls") if name not in have]


def run_ffmpeg(
    args: Sequence[str],
    *,
    binary: str | None = None,
    duration: float | None = None,
    total_frames: int | None = None,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = None,
) -> str:
    """Run ``ffmpeg <args>``; return its stderr (the log). Raise ``TranscodeError`` on failure.

    With ``on_progress``, ffmpeg's ``-progress`` stream is read and ``on_progress(percent)``
    is called each time the whole percent grows: encoded frames of the first video output over
    ``total_frames`` when given (exact even when other outputs, such as thumbnails, run ahead
    in time), else ``out_time`` over ``duration``. It never goes backwards and reaches 100
    only when ffmpeg succeeds.
    After ``timeout`` seconds the process is killed and ``TranscodeTimeout`` is raised.
    """
    binary = binary or ffmpeg_binary()
    argv = [binary, "-hide_banner", "-nostdin", "-y", "-nostats", "-progress", "pipe:1", *args]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    stderr_lines: list[str] = []
    reader = threading.Thread(target=lambda: stderr_lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    started = time.monotonic()
    reported = -1.0
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if not on_progress or not (total_frames or duration):
                continue
            try:
                if total_frames and key == "frame":
                    fraction = int(value) / total_frames
                elif not total_frames and duration and key == "out_time_us":
                    fraction = int(value) / 1_000_000 / duration
                else:
                    continue
            except ValueError:
                continue  # "N/A" before the first frame
            percent = float(max(0, min(99, int(100 * fraction))))
            if percent > reported:
                reported = percent
                on_progress(percent)
        proc.wait()
    finally:
        if timer:
            timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
    log = "".join(stderr_lines)
    if timed_out.is_set():
        raise TranscodeTimeout(
            f"ffmpeg was stopped after {time.monotonic() - started:.0f} s (timeout {timeout} s)."
        )
    if proc.returncode != 0:
        raise TranscodeError(f"ffmpeg failed (exit {proc.returncode}): {last_error(log)}")
    if on_progress and (duration or total_frames) and reported < 100:
        on_progress(100.0)
    return log


def last_error(log: str) -> str:
    """The most telling line of an ffmpeg log, for an error message."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for line in reversed(lines):
        lowered = line.lower()
        if any(word in lowered for word in ("error", "invalid", "not found", "no such")):
            return line[:500]
    return lines[-1][:500] if lines else "no output"
