"""Extra audio languages added to a published asset: an audio file per language, encoded once
to AAC in the asset's audio group, and the master playlist and DASH manifest rewritten."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

from django.core.files.storage import Storage

from . import hls
from .errors import InvalidAudio
from .ffmpeg import ffmpeg_binary, run_ffmpeg
from .languages import UNDETERMINED, display_name
from .probe import probe
from .publish import publish_files
from .results import MASTER, AudioRendition, TranscodeOptions, TranscodeResult

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def validate_audio_language(language: str) -> str:
    """A BCP 47-style tag (``en``, ``pt-BR``), not ``und``; raise ``InvalidAudio`` if not."""
    language = language.strip()
    if not _LANGUAGE.match(language) or language.lower() == UNDETERMINED:
        raise InvalidAudio(f"{language!r} is not a language tag such as 'en' or 'pt-BR'.")
    return language


def uploaded_directory(language: str) -> str:
    """Where an uploaded track of ``language`` lives (``audio_x_pt-br``): apart from the
    source's own tracks (``audio``, ``audio_1``), so an upload never overwrites one."""
    return f"audio_x_{language.lower()}"


def encode_audio_file(
    source: Path,
    out_dir: Path,
    *,
    result: TranscodeResult,
    language: str,
    name: str | None = None,
    default: bool = False,
    options: TranscodeOptions | None = None,
    binary: str | None = None,
) -> AudioRendition:
    """Encode the first audio stream of ``source`` once, as the asset's other tracks are
    (AAC, same segment length and type), into ``out_dir/<directory>/``; cut at the video's
    duration. Raise ``InvalidAudio`` (or ``CorruptSource``) for a file that is no audio."""
    from .pipeline import audio_kbps, output_channels

    language = validate_audio_language(language)
    options = options or TranscodeOptions.from_settings()
    binary = binary or ffmpeg_binary()
    info = probe(source, binary=binary)
    if info.audio is None:
        raise InvalidAudio("The file has no audio stream.")
    channels = output_channels(info.audio.channel_count, options.audio_max_channels)
    directory = uploaded_directory(language)
    target = out_dir / directory
    target.mkdir(parents=True, exist_ok=True)
    fmp4 = result.segment_type == "fmp4"
    args = ["-i", str(source), "-map", "0:a:0", "-vn", "-sn", "-dn"]
    args += ["-c:a", "aac", "-b:a", f"{audio_kbps(channels, options.audio_kbps)}k"]
    args += ["-ac", str(channels), "-ar", "48000", "-t", f"{result.duration:.3f}"]
    args += ["-f", "hls", "-hls_time", str(result.segment_seconds)]
    args += ["-hls_playlist_type", "vod", "-hls_flags", "independent_segments"]
    args += ["-hls_segment_type", result.segment_type]
    args += ["-hls_segment_filename", str(target / f"seg_%05d.{'m4s' if fmp4 else 'ts'}")]
    if fmp4:
        args += ["-hls_fmp4_init_filename", "init.mp4"]
    args.append(str(target / "index.m3u8"))
    run_ffmpeg(args, binary=binary, duration=result.duration, timeout=options.timeout_seconds)
    _, stats = hls.measure(target / "index.m3u8")
    return AudioRendition(
        playlist=f"{directory}/index.m3u8",
        codecs=hls.AAC_LC,
        peak_bps=stats.peak_bps,
        average_bps=stats.average_bps,
        channels=channels,
        language=language,
        name=name or display_name(language),
        default=default,
        origin="upload",
    )


def publish_audio_file(
    result: TranscodeResult,
    *,
    storage: Storage,
    prefix: str,
    source: Path,
    language: str,
    name: str | None = None,
    default: bool = False,
    options: TranscodeOptions | None = None,
    binary: str | None = None,
) -> TranscodeResult:
    """Add (or replace) the uploaded track of ``language`` of a published asset: its files,
    then the master playlist and DASH manifest that list it. ``default`` makes it the
    default track (the others lose the mark)."""
    with tempfile.TemporaryDirectory(prefix="streamflix-audio-") as tmp:
        out = Path(tmp)
        track = encode_audio_file(
            source, out, result=result, language=language, name=name, default=default,
            options=options, binary=binary,
        )  # fmt: skip
        others = [t for t in result.audio_tracks if t.playlist != track.playlist]
        if default:
            others = [replace(t, default=False) for t in others]
        elif not any(t.default for t in others):
            track = replace(track, default=True)
        if any(t.name == track.name for t in others):
            track = replace(track, name=f"{track.name} ({track.language})")
        directory = track.playlist.rsplit("/", 1)[0]
        new_files = sorted(
            p.relative_to(out).as_posix() for p in (out / directory).rglob("*") if p.is_file()
        )
        kept = {f for f in result.files if not f.startswith(f"{directory}/")}
        updated = replace(
            result,
            audio_tracks=(*others, track),
            files=tuple(sorted(kept | set(new_files))),
        )
        files = [(rel, (out / rel).read_bytes()) for rel in new_files]
        if updated.dash:

            def read_text(rel: str) -> str:
                if (out / rel).is_file():
                    return (out / rel).read_text()
                with storage.open(f"{prefix.strip('/')}/{rel}", "rb") as fh:
                    return fh.read().decode("utf-8")

            files.append((updated.dash, updated.dash_manifest(read_text).encode()))
        files.append((MASTER, updated.master_playlist().encode()))
        publish_files(storage, prefix, files)
    return updated
