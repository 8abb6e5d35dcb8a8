"""The one-pass transcode: decode once, split to every rung, HLS + poster + trickplay, then a
master playlist written from measured segments.

Audio is encoded once, as a separate HLS audio rendition (``EXT-X-MEDIA TYPE=AUDIO``) that
every video rung references, instead of being muxed into each rung: ffmpeg gives every output
stream its own encoder, so muxing would encode (and store) the same audio once per rung. Every
current player (AVPlayer, ExoPlayer, hls.js, Shaka) plays demuxed audio, and a second language
later is just another ``EXT-X-MEDIA`` entry.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage
from PIL import Image

from . import hls
from .errors import NotAVideo, TranscodeError
from .ffmpeg import ffmpeg_binary, run_ffmpeg
from .ladder import Rung, build_ladder, even
from .probe import ProbeResult, probe
from .publish import delete_prefix, publish_directory, publish_files
from .subtitles import language_name, to_webvtt, validate_language

ProgressCallback = Callable[[float], Any]
AUDIO_GROUP = "audio"
SUBTITLES_GROUP = "subs"
MASTER = "master.m3u8"
#: A rendition shorter than this share of the probed duration means the source is truncated.
MIN_COMPLETE_RATIO = 0.9


@dataclass(frozen=True)
class TranscodeOptions:
    """Everything a run needs besides the source; ``from_settings()`` reads the media settings."""

    heights: tuple[int, ...] = (240, 360, 480, 720, 1080)
    bitrates_kbps: Mapping[int, int] | None = None
    maxrate_ratio: float = 1.5
    bufsize_ratio: float = 2.0
    audio_kbps: int = 128
    segment_seconds: int = 6
    segment_type: str = "fmp4"
    preset: str = "veryfast"
    timeout_seconds: float | None = 4 * 3600
    poster_position: float = 0.1
    trickplay_interval: int = 10
    trickplay_tile_width: int = 160
    trickplay_columns: int = 5
    trickplay_rows: int = 5

    def __post_init__(self) -> None:
        if self.segment_type not in {"fmp4", "mpegts"}:
            raise ValueError("segment_type must be 'fmp4' or 'mpegts'.")
        if not 1 <= self.segment_seconds <= 10:
            raise ValueError("segment_seconds must be within 1-10.")
        if not 0 <= self.poster_position < 1:
            raise ValueError("poster_position is a fraction of the duration, within [0, 1).")

    @classmethod
    def from_settings(cls, **overrides: Any) -> TranscodeOptions:
        from ..conf import settings

        s = settings()
        values: dict[str, Any] = {
            "heights": tuple(s.LADDER_HEIGHTS),
            "bitrates_kbps": {int(k): int(v) for k, v in s.LADDER_BITRATES_KBPS.items()},
            "maxrate_ratio": s.LADDER_MAXRATE_RATIO,
            "bufsize_ratio": s.LADDER_BUFSIZE_RATIO,
            "audio_kbps": s.AUDIO_BITRATE_KBPS,
            "segment_seconds": s.HLS_SEGMENT_SECONDS,
            "segment_type": s.HLS_SEGMENT_TYPE,
            "preset": s.X264_PRESET,
            "timeout_seconds": s.TRANSCODE_TIMEOUT_SECONDS or None,
            "poster_position": s.POSTER_POSITION,
            "trickplay_interval": s.TRICKPLAY_INTERVAL_SECONDS,
            "trickplay_tile_width": s.TRICKPLAY_TILE_WIDTH,
            "trickplay_columns": s.TRICKPLAY_COLUMNS,
            "trickplay_rows": s.TRICKPLAY_ROWS,
        }
        values.update(overrides)
        return cls(**values)

    def ladder_for(self, source: ProbeResult) -> list[Rung]:
        assert source.video is not None
        return build_ladder(
            source_height=source.video.height,
            display_aspect=source.video.display_aspect,
            heights=self.heights,
            bitrates_kbps=self.bitrates_kbps,
            maxrate_ratio=self.maxrate_ratio,
            bufsize_ratio=self.bufsize_ratio,
        )


@dataclass(frozen=True)
class Rendition:
    """A video rung as written: playlist path (relative to the asset prefix) and measurements."""

    rung: Rung
    playlist: str
    codecs: str
    peak_bps: int
    average_bps: int
    segment_count: int


@dataclass(frozen=True)
class AudioRendition:
    playlist: str
    codecs: str
    peak_bps: int
    average_bps: int
    channels: int


@dataclass(frozen=True)
class SubtitleTrack:
    language: str
    name: str
    playlist: str
    vtt: str
    default: bool = False


@dataclass(frozen=True)
class Trickplay:
    """Sprite sheets plus a WebVTT index (``sprite_001.jpg#xywh=x,y,w,h`` per cue)."""

    vtt: str
    sprites: tuple[str, ...]
    interval: int
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int


@dataclass(frozen=True)
class TranscodeResult:
    """What a run produced; every path is relative to the asset's output prefix.

    ``to_dict()`` / ``from_dict()`` round-trip through JSON, so a model can keep it and
    re-render the master playlist (``master_playlist()``) when subtitles change.
    """

    duration: float
    source_width: int
    source_height: int
    frame_rate: float | None
    segment_type: str
    segment_seconds: int
    renditions: tuple[Rendition, ...]
    audio: AudioRendition | None
    poster: str
    trickplay: Trickplay | None
    timestamp_map: str
    subtitles: tuple[SubtitleTrack, ...] = ()
    master: str = MASTER
    files: tuple[str, ...] = field(default=())

    @property
    def max_height(self) -> int:
        return max(r.rung.height for r in self.renditions)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TranscodeResult:
        data = dict(data)
        data["renditions"] = tuple(
            Rendition(**{**r, "rung": Rung.from_dict(r["rung"])}) for r in data["renditions"]
        )
        data["audio"] = AudioRendition(**data["audio"]) if data.get("audio") else None
        if data.get("trickplay"):
            data["trickplay"] = Trickplay(
                **{**data["trickplay"], "sprites": tuple(data["trickplay"]["sprites"])}
            )
        data["subtitles"] = tuple(SubtitleTrack(**s) for s in data.get("subtitles", ()))
        data["files"] = tuple(data.get("files", ()))
        return cls(**data)

    def master_playlist(self) -> str:
        """The master playlist: one variant per rung with measured BANDWIDTH (peak, including
        the audio rendition) and AVERAGE-BANDWIDTH, the shared audio group and the subtitles."""
        audio = self.audio
        media: list[hls.MasterMedia] = []
        if audio:
            media.append(
                hls.MasterMedia(
                    type="AUDIO",
                    group_id=AUDIO_GROUP,
                    name="Main",
                    uri=audio.playlist,
                    default=True,
                    channels=str(audio.channels),
                )
            )
        for track in self.subtitles:
            media.append(
                hls.MasterMedia(
                    type="SUBTITLES",
                    group_id=SUBTITLES_GROUP,
                    name=track.name,
                    language=track.language,
                    uri=track.playlist,
                    default=track.default,
                )
            )
        variants = [
            hls.MasterVariant(
                uri=r.playlist,
                bandwidth=r.peak_bps + (audio.peak_bps if audio else 0),
                average_bandwidth=r.average_bps + (audio.average_bps if audio else 0),
                width=r.rung.width,
                height=r.rung.height,
                codecs=f"{r.codecs},{audio.codecs}" if audio else r.codecs,
                frame_rate=self.frame_rate,
            )
            for r in sorted(self.renditions, key=lambda r: r.rung.height)
        ]
        return hls.render_master_playlist(
            variants,
            media,
            audio_group=AUDIO_GROUP if audio else None,
            subtitles_group=SUBTITLES_GROUP if self.subtitles else None,
        )


@dataclass(frozen=True)
class SubtitleInput:
    """A subtitle file to attach: ``data`` is SRT or WebVTT."""

    language: str
    data: bytes | str
    name: str | None = None
    default: bool = False


def build_command(
    source: Path,
    out_dir: Path,
    *,
    info: ProbeResult,
    rungs: Sequence[Rung],
    options: TranscodeOptions,
) -> list[str]:
    """The ffmpeg arguments of the one-pass run (without the binary and the progress flags)."""
    assert info.video is not None and info.duration is not None
    seg = options.segment_seconds
    fps = info.video.frame_rate or 30.0
    gop = max(1, round(fps * seg))
    ext = "m4s" if options.segment_type == "fmp4" else "ts"
    branches = [f"[v{i}]" for i in range(len(rungs))] + ["[thumbs_in]"]
    graph = [f"[0:v:0]split={len(branches)}{''.join(branches)}"]
    for i, rung in enumerate(rungs):
        graph.append(
            f"[v{i}]scale={rung.width}:{rung.height}:flags=bicubic,setsar=1,format=yuv420p[out{i}]"
        )
    tile_h = _tile_height(options.trickplay_tile_width, info)
    # The first frame, then the first one at least an interval later: the thumbnail output
    # starts at once (ffmpeg reports progress only after every output has started).
    graph.append(
        "[thumbs_in]select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,"
        f"{options.trickplay_interval - 0.001})',"
        f"scale={options.trickplay_tile_width}:{tile_h},setsar=1,format=yuvj420p[thumbs]"
    )
    args = ["-i", str(source), "-filter_complex", ";".join(graph)]
    for i in range(len(rungs)):
        args += ["-map", f"[out{i}]"]
    if info.audio:
        args += ["-map", "0:a:0"]
    args += ["-c:v", "libx264", "-preset", options.preset]
    for i, rung in enumerate(rungs):
        args += [
            f"-b:v:{i}",
            f"{rung.video_kbps}k",
            f"-maxrate:v:{i}",
            f"{rung.maxrate_kbps}k",
            f"-bufsize:v:{i}",
            f"{rung.bufsize_kbps}k",
        ]
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
    if info.audio:
        args += ["-c:a", "aac", "-b:a", f"{options.audio_kbps}k", "-ac", "2", "-ar", "48000"]
        stream_map = [f"{m},agroup:{AUDIO_GROUP}" for m in stream_map]
        stream_map.append(f"a:0,name:audio,agroup:{AUDIO_GROUP}")
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


def write_poster(
    source: Path,
    target: Path,
    *,
    info: ProbeResult,
    rung: Rung,
    options: TranscodeOptions,
    binary: str,
) -> None:
    """A JPEG poster at the top rung's size, from ``poster_position`` into the video.

    A separate, input-seeking ffmpeg call decodes only a second or two, whereas a branch of
    the main run would hold back its progress reports until the poster time is reached.
    The ``thumbnail`` filter picks the most representative of the next frames, so the poster
    is not a fade or a black frame.
    """
    assert info.duration is not None
    at = info.duration * options.poster_position
    args = ["-ss", f"{at:.3f}", "-i", str(source), "-map", "0:v:0", "-frames:v", "1"]
    args += ["-vf", f"thumbnail=25,scale={rung.width}:{rung.height},setsar=1,format=yuvj420p"]
    args += ["-update", "1", "-c:v", "mjpeg", "-q:v", "3", str(target)]
    run_ffmpeg(args, binary=binary, timeout=options.timeout_seconds)
    if not target.is_file():
        raise TranscodeError("ffmpeg wrote no poster frame.")


def _tile_height(tile_width: int, info: ProbeResult) -> int:
    assert info.video is not None
    return even(tile_width / info.video.display_aspect)


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

    Produces one HLS media playlist per rung (``<height>p/index.m3u8``), the shared audio
    rendition (``audio/index.m3u8``), ``poster.jpg``, trickplay sprites with
    ``trickplay/thumbnails.vtt``, converted subtitles, and ``master.m3u8`` written from the
    measured segments. Progress (0-100) goes to ``on_progress``. Raises ``TranscodeError``
    (``TranscodeTimeout`` after ``options.timeout_seconds``) or ``InvalidSubtitles``.
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
    rungs = options.ladder_for(info)
    args = build_command(source, out, info=info, rungs=rungs, options=options)
    run_ffmpeg(
        args,
        binary=binary,
        duration=info.duration,
        total_frames=(
            round(info.duration * info.video.frame_rate) if info.video.frame_rate else None
        ),
        on_progress=on_progress,
        timeout=options.timeout_seconds,
    )
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
                codecs=hls.avc_codec_from_file(playlist_path.parent / codec_file),
                peak_bps=stats.peak_bps,
                average_bps=stats.average_bps,
                segment_count=stats.segment_count,
            )
        )
    audio = None
    if info.audio:
        _, audio_stats = hls.measure(out / "audio" / "index.m3u8")
        audio = AudioRendition(
            playlist="audio/index.m3u8",
            codecs=hls.AAC_LC,
            peak_bps=audio_stats.peak_bps,
            average_bps=audio_stats.average_bps,
            channels=2,
        )
    write_poster(
        source, out / "poster.jpg", info=info, rung=rungs[-1], options=options, binary=binary
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
        audio=audio,
        poster="poster.jpg",
        trickplay=trickplay,
        timestamp_map=timestamp_map,
        subtitles=tuple(tracks),
    )
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


def build_trickplay(
    thumbs_dir: Path, *, duration: float, options: TranscodeOptions
) -> Trickplay | None:
    """Pack the per-interval thumbnails ffmpeg wrote into sprite sheets and a WebVTT index."""
    thumbs = sorted(thumbs_dir.glob("thumb_*.jpg"))
    interval = options.trickplay_interval
    count = min(len(thumbs), max(1, math.ceil(duration / interval)))
    if not count:
        return None
    with Image.open(thumbs[0]) as first:
        tile_w, tile_h = first.size
    cols, rows = options.trickplay_columns, options.trickplay_rows
    per_sheet = cols * rows
    sprites: list[str] = []
    cues = ["WEBVTT", ""]
    from .subtitles import format_timestamp

    for sheet_index in range(math.ceil(count / per_sheet)):
        batch = thumbs[sheet_index * per_sheet : min(count, (sheet_index + 1) * per_sheet)]
        used_rows = math.ceil(len(batch) / cols)
        sheet = Image.new("RGB", (tile_w * min(cols, len(batch)), tile_h * used_rows))
        for i, thumb in enumerate(batch):
            with Image.open(thumb) as image:
                sheet.paste(image.convert("RGB"), ((i % cols) * tile_w, (i // cols) * tile_h))
        name = f"sprite_{sheet_index + 1:03d}.jpg"
        sheet.save(thumbs_dir / name, "JPEG", quality=70, optimize=True)
        sprites.append(f"trickplay/{name}")
        for i in range(len(batch)):
            n = sheet_index * per_sheet + i
            start, end = n * interval, min((n + 1) * interval, duration)
            x, y = (i % cols) * tile_w, (i // cols) * tile_h
            cues.append(f"{format_timestamp(start)} --> {format_timestamp(end)}")
            cues.append(f"{name}#xywh={x},{y},{tile_w},{tile_h}")
            cues.append("")
    for thumb in thumbs:
        thumb.unlink()
    (thumbs_dir / "thumbnails.vtt").write_text("\n".join(cues))
    return Trickplay(
        vtt="trickplay/thumbnails.vtt",
        sprites=tuple(sprites),
        interval=interval,
        tile_width=tile_w,
        tile_height=tile_h,
        columns=cols,
        rows=rows,
        count=count,
    )


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
