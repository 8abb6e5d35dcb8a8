"""The one-pass transcode: decode once, split to every rung, HLS + poster + trickplay, then a
master playlist written from measured segments.

Each audio stream of the source is encoded once, as its own HLS audio rendition
(``EXT-X-MEDIA TYPE=AUDIO``, one per language) of the group every video rung references,
instead of being muxed into each rung: ffmpeg gives every output stream its own encoder, so
muxing would encode (and store) the same audio once per rung. Every current player (AVPlayer,
ExoPlayer, hls.js, Shaka) plays demuxed audio. With fMP4 segments a DASH manifest is written
over the same files.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.files.storage import Storage

from . import hls
from .complexity import plan_ladder
from .encoders import EncoderChoice
from .errors import NotAVideo, TranscodeError, TranscodeTimeout
from .ffmpeg import ffmpeg_binary, run_ffmpeg
from .ladder import Rung
from .languages import display_name, normalise_language
from .probe import ProbeResult, probe
from .publish import delete_prefix, publish_directory, publish_files
from .results import (
    AUDIO_GROUP,
    MASTER,
    MIN_COMPLETE_RATIO,
    MPD,
    AudioRendition,
    ProgressCallback,
    Rendition,
    SubtitleInput,
    SubtitleTrack,
    TranscodeOptions,
    TranscodeResult,
)
from .stills import build_trickplay, tile_height, write_poster
from .subtitles import language_name, to_webvtt, validate_language

logger = logging.getLogger(__name__)
#: The complexity probe may take at most this fraction of ``TRANSCODE_TIMEOUT_SECONDS``.
PROBE_TIMEOUT_SHARE = 10


@dataclass(frozen=True)
class AudioPlan:
    """How one audio stream of the source is encoded: once, into its own rendition."""

    stream: int
    directory: str
    channels: int
    kbps: int
    language: str
    name: str
    default: bool

    def measure(self, out: Path) -> AudioRendition:
        """The rendition ffmpeg wrote under ``out``, with its measured bitrates."""
        playlist = f"{self.directory}/index.m3u8"
        if not (out / playlist).is_file():
            raise TranscodeError(f"ffmpeg wrote no playlist for {self.directory}.")
        _, stats = hls.measure(out / playlist)
        return AudioRendition(
            playlist=playlist,
            codecs=hls.AAC_LC,
            peak_bps=stats.peak_bps,
            average_bps=stats.average_bps,
            channels=self.channels,
            language=self.language,
            name=self.name,
            default=self.default,
        )


def output_channels(source_channels: int, max_channels: int) -> int:
    """Mono stays mono, stereo stereo, 5.1 and wider become 5.1 (when ``max_channels``
    allows it); the odd layouts in between are downmixed to stereo."""
    if source_channels <= 1:
        return 1
    if source_channels >= 6 and max_channels >= 6:
        return 6
    return 2


def audio_kbps(channels: int, stereo_kbps: int) -> int:
    """The AAC bitrate of a track: ``AUDIO_BITRATE_KBPS`` for stereo, scaled by channels."""
    return {1: max(32, stereo_kbps // 2), 2: stereo_kbps}.get(channels, stereo_kbps * 5 // 2)


def audio_plan(info: ProbeResult, options: TranscodeOptions) -> list[AudioPlan]:
    """One rendition per audio stream of the source (``audio/``, ``audio_1/``, ...).

    The default track is the stream the container marks as default, else the first. Names
    are the language's own name (``Deutsch``), made unique with the stream's title (or a
    number) when two streams share a language.
    """
    streams = info.audios or ((info.audio,) if info.audio else ())
    if not streams:
        return []
    default = next((i for i, a in enumerate(streams) if a.default), 0)
    languages = [normalise_language(a.language) for a in streams]
    names = [display_name(lang) for lang in languages]
    plans = []
    for i, stream in enumerate(streams):
        name = names[i]
        if names.count(name) > 1 and i != names.index(name):
            name = f"{name} ({stream.title})" if stream.title else f"{name} {i + 1}"
        channels = output_channels(stream.channel_count, options.audio_max_channels)
        plans.append(
            AudioPlan(
                stream=i,
                directory="audio" if i == 0 else f"audio_{i}",
                channels=channels,
                kbps=audio_kbps(channels, options.audio_kbps),
                language=languages[i],
                name=name,
                default=i == default,
            )
        )
    return plans


def build_command(
    source: Path,
    out_dir: Path,
    *,
    info: ProbeResult,
    rungs: Sequence[Rung],
    options: TranscodeOptions,
    encoders: Mapping[str, EncoderChoice] | None = None,
) -> list[str]:
    """The ffmpeg arguments of the one-pass run (without the binary and the progress flags).

    Each rung is encoded by the encoder of its codec family in ``encoders`` (default: the
    software profiles of ``options``), with per-stream arguments (``-c:v:i``, ``-preset:v:i``).
    """
    assert info.video is not None and info.duration is not None
    choices = encoders or options.software_encoders()
    used = [choices[rung.codec] for rung in rungs]
    seg = options.segment_seconds
    fps = info.video.frame_rate or 30.0
    gop = max(1, round(fps * seg))
    ext = "m4s" if options.segment_type == "fmp4" else "ts"
    branches = [f"[v{i}]" for i in range(len(rungs))] + ["[thumbs_in]"]
    graph = [f"[0:v:0]split={len(branches)}{''.join(branches)}"]
    for i, rung in enumerate(rungs):
        upload = f",{used[i].upload_filter}" if used[i].upload_filter else ""
        graph.append(
            f"[v{i}]scale={rung.width}:{rung.height}:flags=bicubic,setsar=1,format=yuv420p"
            f"{upload}[out{i}]"
        )
    tile_h = tile_height(options.trickplay_tile_width, info)
    # The first frame, then the first one at least an interval later: the thumbnail output
    # starts at once (ffmpeg reports progress only after every output has started).
    graph.append(
        "[thumbs_in]select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,"
        f"{options.trickplay_interval - 0.001})',"
        f"scale={options.trickplay_tile_width}:{tile_h},setsar=1,format=yuvj420p[thumbs]"
    )
    device_args = [a for c in {c.encoder: c for c in used}.values() for a in c.device_args]
    args = [*device_args, "-i", str(source), "-filter_complex", ";".join(graph)]
    for i in range(len(rungs)):
        args += ["-map", f"[out{i}]"]
    audio = audio_plan(info, options)
    for track in audio:
        args += ["-map", f"0:a:{track.stream}"]
    for i, rung in enumerate(rungs):
        args += used[i].stream_args(i, rung)
    args += [
        "-g",
        str(gop),
        "-keyint_min",
        str(gop),
        "-sc_threshold",
        "0",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{seg})",
    ]
    stream_map = [f"v:{i},name:{rung.name}" for i, rung in enumerate(rungs)]
    if audio:
        args += ["-c:a", "aac", "-ar", "48000"]
        for k, track in enumerate(audio):
            args += [f"-b:a:{k}", f"{track.kbps}k", f"-ac:a:{k}", str(track.channels)]
        stream_map = [f"{m},agroup:{AUDIO_GROUP}" for m in stream_map]
        stream_map += [
            f"a:{k},name:{t.directory},agroup:{AUDIO_GROUP},language:{t.language}"
            for k, t in enumerate(audio)
        ]
    args += [
        "-max_muxing_queue_size",
        "4096",
        "-f",
        "hls",
        "-hls_time",
        str(seg),
        "-hls_playlist_type",
        "vod",
        "-hls_flags",
        "independent_segments",
        "-hls_segment_type",
        options.segment_type,
        "-hls_segment_filename",
        str(out_dir / "%v" / f"seg_%05d.{ext}"),
        "-var_stream_map",
        " ".join(stream_map),
    ]
    if options.segment_type == "fmp4":
        args += ["-hls_fmp4_init_filename", "init.mp4"]
    args.append(str(out_dir / "%v" / "index.m3u8"))
    (out_dir / "trickplay").mkdir(parents=True, exist_ok=True)
    args += ["-map", "[thumbs]", "-fps_mode", "vfr", "-c:v", "mjpeg", "-q:v", "5"]
    args += ["-start_number", "0"]
    args += ["-f", "image2", str(out_dir / "trickplay" / "thumb_%05d.jpg")]
    return args


def transcode(
    source: str | Path,
    out_dir: str | Path,
    *,
    options: TranscodeOptions | None = None,
    info: ProbeResult | None = None,
    subtitles: Sequence[SubtitleInput] = (),
    on_progress: ProgressCallback | None = None,
    binary: str | None = None,
    scratch_dir: Path | None = None,
) -> TranscodeResult:
    """Transcode ``source`` into ``out_dir`` (which must be empty or absent) in one ffmpeg run.

    Produces one HLS media playlist per rung (``<height>p/index.m3u8``), one audio rendition
    per audio stream of the source (``audio/index.m3u8``, ``audio_1/index.m3u8``, ...),
    ``poster.jpg``, trickplay sprites with ``trickplay/thumbnails.vtt``, converted subtitles,
    ``master.m3u8`` written from the measured segments, and (fMP4 with ``options.dash``)
    ``manifest.mpd`` over the same segments. Progress (0-100) goes to ``on_progress``.
    Raises ``TranscodeError`` (``TranscodeTimeout`` after ``options.timeout_seconds``) or
    ``InvalidSubtitles``.
    Scratch files go to ``scratch_dir`` (default: the system temporary directory).
    """
    source = Path(source)
    out = Path(out_dir)
    options = options or TranscodeOptions.from_settings()
    binary = binary or ffmpeg_binary()
    info = info or probe(source, binary=binary)
    if info.video is None or not info.duration:
        raise NotAVideo("The source has no video stream with a duration.")
    prepared_subtitles = [(validate_language(s.language), to_webvtt(s.data), s) for s in subtitles]
    if out.exists() and any(out.iterdir()):
        raise TranscodeError(f"{out} is not empty.")
    out.mkdir(parents=True, exist_ok=True)
    h264_rungs, pruning = plan_ladder(
        source,
        info=info,
        rungs=options.ladder_for(info),
        options=options.pruning,
        maxrate_ratio=options.maxrate_ratio,
        bufsize_ratio=options.bufsize_ratio,
        binary=binary,
        scratch_dir=scratch_dir,
        # The probe is an estimate: it may not eat the run's time budget.
        timeout=options.timeout_seconds / PROBE_TIMEOUT_SHARE if options.timeout_seconds else None,
    )
    rungs = [*h264_rungs, *options.extra_rungs(h264_rungs)]
    encoders = options.choose_encoders([r.codec for r in rungs], binary=binary)
    duration, frame_rate = info.duration, info.video.frame_rate

    def encode(encoders: Mapping[str, EncoderChoice]) -> None:
        args = build_command(
            source, out, info=info, rungs=rungs, options=options, encoders=encoders
        )
        run_ffmpeg(
            args,
            binary=binary,
            duration=duration,
            total_frames=round(duration * frame_rate) if frame_rate else None,
            on_progress=on_progress,
            timeout=options.timeout_seconds,
        )

    try:
        encode(encoders)
    except TranscodeTimeout:
        raise
    except TranscodeError as exc:
        if not any(choice.hardware for choice in encoders.values()):
            raise
        # A hardware encoder that passed its probe may still fail on the real source (a size
        # or profile it does not support): hardware is never required, so encode in software.
        logger.warning("Hardware encoding failed, encoding in software: %s", exc.detail)
        encoders = {
            family: choice.software_fallback(exc.detail) if choice.hardware else choice
            for family, choice in encoders.items()
        }
        shutil.rmtree(out)
        out.mkdir(parents=True)
        encode(encoders)
    renditions = []
    for rung in rungs:
        playlist_path = out / rung.name / "index.m3u8"
        if not playlist_path.is_file():
            raise TranscodeError(f"ffmpeg wrote no playlist for {rung.name}.")
        playlist, stats = hls.measure(playlist_path)
        if stats.duration < info.duration * MIN_COMPLETE_RATIO - 0.5:
            raise TranscodeError(
                f"The source ends after {stats.duration:.1f} s of its stated "
                f"{info.duration:.1f} s: it is truncated or corrupt.",
                code="source_truncated",
            )
        codec_file = playlist.map_uri or playlist.segments[0].uri
        renditions.append(
            Rendition(
                rung=rung,
                playlist=f"{rung.name}/index.m3u8",
                codecs=hls.video_codec_from_file(playlist_path.parent / codec_file, rung.codec),
                peak_bps=stats.peak_bps,
                average_bps=stats.average_bps,
                segment_count=stats.segment_count,
            )
        )
    audio_tracks = tuple(track.measure(out) for track in audio_plan(info, options))
    write_poster(
        source, out / "poster.jpg", info=info, rung=h264_rungs[-1], options=options, binary=binary
    )
    trickplay = build_trickplay(out / "trickplay", duration=info.duration, options=options)
    timestamp_map = _timestamp_map(out / renditions[0].playlist, binary, scratch_dir)
    tracks = []
    for language, vtt, item in prepared_subtitles:
        track, track_files = subtitle_files(
            language,
            vtt,
            duration=info.duration,
            timestamp_map=timestamp_map,
            name=item.name,
            default=item.default,
        )
        for rel, data in track_files:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)
        tracks.append(track)
    result = TranscodeResult(
        duration=round(info.duration, 3),
        source_width=info.video.width,
        source_height=info.video.height,
        frame_rate=info.video.frame_rate,
        segment_type=options.segment_type,
        segment_seconds=options.segment_seconds,
        renditions=tuple(renditions),
        audio_tracks=audio_tracks,
        poster="poster.jpg",
        trickplay=trickplay,
        timestamp_map=timestamp_map,
        subtitles=tuple(tracks),
        encoders={family: choice.report() for family, choice in encoders.items()},
        ladder_pruning=pruning,
    )
    if options.dash and options.segment_type == "fmp4":
        result = replace(result, dash=MPD)
        (out / MPD).write_text(result.dash_manifest(lambda rel: (out / rel).read_text()))
    (out / MASTER).write_text(result.master_playlist())
    files = tuple(sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()))
    return replace(result, files=files)


def _timestamp_map(playlist_path: Path, binary: str, scratch_dir: Path | None = None) -> str:
    """``X-TIMESTAMP-MAP`` for WebVTT: the first video segment's start in 90 kHz ticks.

    MPEG-TS segments start at the muxer's preload delay (not 0), and players line subtitle
    cues up with the video using this map.
    """
    from .probe import probe as probe_file

    playlist = hls.parse_media_playlist(playlist_path.read_text())
    first = playlist_path.parent / playlist.segments[0].uri
    with tempfile.TemporaryDirectory(dir=scratch_dir) as tmp:
        sample = Path(tmp) / ("sample.mp4" if playlist.map_uri else "sample.ts")
        init = (playlist_path.parent / playlist.map_uri).read_bytes() if playlist.map_uri else b""
        sample.write_bytes(init + first.read_bytes())
        start = probe_file(sample, binary=binary).start
    return f"MPEGTS:{round(max(start, 0) * 90000)},LOCAL:00:00:00.000"


def subtitle_files(
    language: str,
    data: bytes | str,
    *,
    duration: float,
    timestamp_map: str,
    name: str | None = None,
    default: bool = False,
) -> tuple[SubtitleTrack, list[tuple[str, bytes]]]:
    """A subtitle track and its files (``subtitles/<lang>.vtt`` and ``.m3u8``), not written."""
    language = validate_language(language)
    vtt = to_webvtt(data, timestamp_map=timestamp_map)
    track = SubtitleTrack(
        language=language,
        name=name or language_name(language),
        playlist=f"subtitles/{language}.m3u8",
        vtt=f"subtitles/{language}.vtt",
        default=default,
    )
    playlist = hls.render_single_file_playlist(f"{language}.vtt", duration)
    return track, [(track.vtt, vtt.encode()), (track.playlist, playlist.encode())]


def transcode_and_publish(
    source: str | Path,
    *,
    storage: Storage,
    prefix: str,
    options: TranscodeOptions | None = None,
    info: ProbeResult | None = None,
    subtitles: Sequence[SubtitleInput] = (),
    on_progress: ProgressCallback | None = None,
    binary: str | None = None,
    work_dir: Path | None = None,
) -> TranscodeResult:
    """Transcode in a temporary directory (inside ``work_dir`` when given, else the system
    temporary directory), then publish everything under ``prefix``.

    Returns only after every file is written (``master.m3u8`` last), so the caller may mark
    the asset ready. On any failure nothing is left under ``prefix`` and the error is
    re-raised. Progress: 0-95 while ffmpeg runs, 100 once published.
    """

    def scaled(percent: float) -> None:
        if on_progress:
            on_progress(round(percent * 0.95, 1))

    with tempfile.TemporaryDirectory(prefix="streamflix-transcode-", dir=work_dir) as tmp:
        try:
            result = transcode(
                source,
                Path(tmp) / "out",
                options=options,
                info=info,
                subtitles=subtitles,
                on_progress=scaled,
                binary=binary,
                scratch_dir=Path(tmp),
            )
            publish_directory(Path(tmp) / "out", storage=storage, prefix=prefix)
        except BaseException:
            # The original error is the one worth raising; the temporary directory goes anyway.
            with contextlib.suppress(Exception):
                delete_prefix(storage, prefix)
            raise
    if on_progress:
        on_progress(100.0)
    return result


def publish_subtitle(
    result: TranscodeResult,
    *,
    storage: Storage,
    prefix: str,
    subtitle: SubtitleInput,
) -> TranscodeResult:
    """Add or replace one subtitle language of a published asset and rewrite its master."""
    track, files = subtitle_files(
        subtitle.language,
        subtitle.data,
        duration=result.duration,
        timestamp_map=result.timestamp_map,
        name=subtitle.name,
        default=subtitle.default,
    )
    tracks = (*tuple(t for t in result.subtitles if t.language != track.language), track)
    updated = replace(
        result,
        subtitles=tracks,
        files=tuple(sorted(set(result.files) | {rel for rel, _ in files})),
    )
    publish_files(storage, prefix, [*files, (MASTER, updated.master_playlist().encode())])
    return updated
