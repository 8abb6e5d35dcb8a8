"""The engine's values: the options of a transcode, and the result it records (renditions,
audio, subtitles, trickplay), which writes the master playlist and round-trips through JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from . import dash, hls
from .complexity import PruningOptions
from .encoders import (
    CODEC_FAMILIES,
    FMP4_ONLY,
    EncoderChoice,
    EncoderProfile,
    choose_encoder,
    resolve_profiles,
    software_choice,
)
from .ladder import Rung, build_ladder
from .probe import ProbeResult

ProgressCallback = Callable[[float], Any]
AUDIO_GROUP = "audio"
SUBTITLES_GROUP = "subs"
MASTER = "master.m3u8"
MPD = "manifest.mpd"
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
    audio_max_channels: int = 6
    dash: bool = True
    segment_seconds: int = 6
    segment_type: str = "fmp4"
    preset: str = "veryfast"
    timeout_seconds: float | None = 4 * 3600
    poster_position: float = 0.1
    trickplay_interval: int = 10
    trickplay_tile_width: int = 160
    trickplay_columns: int = 5
    trickplay_rows: int = 5
    #: Software encoder per codec family; ``None``: the built-in profiles with ``preset``.
    encoder_profiles: Mapping[str, EncoderProfile] | None = None
    #: Extra rungs in other codecs: family -> rung classes (short sides) of the H.264 ladder.
    extra_ladders: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    #: Hardware encoders to try first, by preference (each is probed once per process).
    hardware_encoders: tuple[str, ...] = ()
    vaapi_device: str = "/dev/dri/renderD128"
    pruning: PruningOptions = field(default_factory=PruningOptions)

    def __post_init__(self) -> None:
        if self.segment_type not in {"fmp4", "mpegts"}:
            raise ValueError("segment_type must be 'fmp4' or 'mpegts'.")
        for family in self.extra_ladders:
            if family not in FMP4_ONLY:
                raise ValueError(
                    f"Extra ladders may be {' or '.join(sorted(FMP4_ONLY))}, not {family!r}."
                )
            if self.segment_type != "fmp4":
                raise ValueError(
                    f"{family.upper()} rungs need fMP4 segments: HLS in MPEG-TS carries only "
                    "H.264 here (set HLS_SEGMENT_TYPE to 'fmp4')."
                )
        if not 1 <= self.segment_seconds <= 10:
            raise ValueError("segment_seconds must be within 1-10.")
        if self.audio_max_channels not in {2, 6}:
            raise ValueError("audio_max_channels must be 2 (stereo) or 6 (5.1).")
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
            "audio_max_channels": s.AUDIO_MAX_CHANNELS,
            "dash": s.DASH_MANIFEST,
            "segment_seconds": s.HLS_SEGMENT_SECONDS,
            "segment_type": s.HLS_SEGMENT_TYPE,
            "preset": s.X264_PRESET,
            "timeout_seconds": s.TRANSCODE_TIMEOUT_SECONDS or None,
            "poster_position": s.POSTER_POSITION,
            "trickplay_interval": s.TRICKPLAY_INTERVAL_SECONDS,
            "trickplay_tile_width": s.TRICKPLAY_TILE_WIDTH,
            "trickplay_columns": s.TRICKPLAY_COLUMNS,
            "trickplay_rows": s.TRICKPLAY_ROWS,
            "encoder_profiles": resolve_profiles(s.VIDEO_ENCODERS, x264_preset=s.X264_PRESET),
            "extra_ladders": {k: tuple(v) for k, v in s.EXTRA_LADDERS.items()},
            "hardware_encoders": tuple(s.HARDWARE_ENCODERS),
            "vaapi_device": s.VAAPI_DEVICE,
            "pruning": PruningOptions(
                enabled=s.LADDER_PRUNING,
                ratio=s.LADDER_PRUNE_RATIO,
                samples=s.COMPLEXITY_PROBE_SAMPLES,
                sample_seconds=s.COMPLEXITY_PROBE_SECONDS,
                crf=s.COMPLEXITY_PROBE_CRF,
            ),
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

    def profiles(self) -> Mapping[str, EncoderProfile]:
        """The software encoder profile of each codec family."""
        return self.encoder_profiles or resolve_profiles(None, x264_preset=self.preset)

    def extra_rungs(self, h264_rungs: Sequence[Rung]) -> list[Rung]:
        """The HEVC/AV1 rungs: each configured class that the H.264 ladder has, at the H.264
        rung's size and (capped) target scaled by the family's ``bitrate_factor``."""
        profiles = self.profiles()
        extra = []
        for family in CODEC_FAMILIES:
            classes = set(self.extra_ladders.get(family, ()))
            for rung in h264_rungs:
                if rung.short_side not in classes:
                    continue
                kbps = max(1, round(rung.video_kbps * profiles[family].bitrate_factor))
                extra.append(
                    replace(rung, name=f"{rung.name}-{family}", codec=family).with_rates(
                        kbps, maxrate_ratio=self.maxrate_ratio, bufsize_ratio=self.bufsize_ratio
                    )
                )
        return extra

    def software_encoders(self) -> dict[str, EncoderChoice]:
        """Every family's software encoder (no hardware probe)."""
        return {family: software_choice(p) for family, p in self.profiles().items()}

    def choose_encoders(self, families: Sequence[str], *, binary: str) -> dict[str, EncoderChoice]:
        """The encoder of each family in ``families``: a hardware one whose probe encode
        succeeds (in ``hardware_encoders`` order), else the software profile's."""
        profiles = self.profiles()
        return {
            family: choose_encoder(
                profiles[family],
                hardware=self.hardware_encoders,
                binary=binary,
                vaapi_device=self.vaapi_device,
            )
            for family in dict.fromkeys(families)
        }


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
    """One audio track (a language) of the shared audio group, encoded once for every rung."""

    playlist: str
    codecs: str
    peak_bps: int
    average_bps: int
    channels: int
    language: str = "und"
    name: str = "Main"
    default: bool = True
    #: ``source`` (a stream of the source file) or ``upload`` (a file added afterwards).
    origin: str = "source"

    def describe(self) -> dict[str, Any]:
        """What the API shows of the track."""
        return {
            "language": self.language,
            "name": self.name,
            "default": self.default,
            "channels": self.channels,
            "origin": self.origin,
        }


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
    audio_tracks: tuple[AudioRendition, ...]
    poster: str
    trickplay: Trickplay | None
    timestamp_map: str
    subtitles: tuple[SubtitleTrack, ...] = ()
    master: str = MASTER
    #: The DASH manifest over the same fMP4 segments (None for MPEG-TS output).
    dash: str | None = None
    files: tuple[str, ...] = field(default=())
    #: Per codec family: the encoder used and the hardware encoders probed (``report()``).
    encoders: dict[str, Any] = field(default_factory=dict)
    #: The complexity probe's estimates and the rungs it pruned (``complexity.plan_ladder``).
    ladder_pruning: dict[str, Any] = field(default_factory=dict)

    @property
    def max_height(self) -> int:
        """The largest rung class (short side: a portrait 1080x1920 rung is 1080)."""
        return max(r.rung.short_side for r in self.renditions)

    @property
    def audio(self) -> AudioRendition | None:
        """The default audio track (None when the video is silent)."""
        return next((a for a in self.audio_tracks if a.default), None) or (
            self.audio_tracks[0] if self.audio_tracks else None
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TranscodeResult:
        data = dict(data)
        data["renditions"] = tuple(
            Rendition(**{**r, "rung": Rung.from_dict(r["rung"])}) for r in data["renditions"]
        )
        # Results recorded before several languages kept one track under "audio".
        legacy = data.pop("audio", None)
        tracks = data.get("audio_tracks") or ([legacy] if legacy else [])
        data["audio_tracks"] = tuple(AudioRendition(**a) for a in tracks)
        if data.get("trickplay"):
            data["trickplay"] = Trickplay(
                **{**data["trickplay"], "sprites": tuple(data["trickplay"]["sprites"])}
            )
        data["subtitles"] = tuple(SubtitleTrack(**s) for s in data.get("subtitles", ()))
        data["files"] = tuple(data.get("files", ()))
        data["encoders"] = dict(data.get("encoders") or {})
        data["ladder_pruning"] = dict(data.get("ladder_pruning") or {})
        return cls(**data)

    def master_playlist(self) -> str:
        """The master playlist: one variant per rung with measured BANDWIDTH (peak, including
        the most demanding audio track) and AVERAGE-BANDWIDTH, one ``EXT-X-MEDIA`` per audio
        track of the shared audio group, and the subtitles."""
        tracks = self.audio_tracks
        audio = max(tracks, key=lambda a: a.peak_bps) if tracks else None
        default = self.audio
        media: list[hls.MasterMedia] = [
            hls.MasterMedia(
                type="AUDIO",
                group_id=AUDIO_GROUP,
                name=track.name,
                uri=track.playlist,
                language=track.language,
                default=track is default,
                autoselect=True,
                channels=str(track.channels),
            )
            for track in tracks
        ]
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
            for r in sorted(self.renditions, key=_variant_order)
        ]
        return hls.render_master_playlist(
            variants,
            media,
            audio_group=AUDIO_GROUP if audio else None,
            subtitles_group=SUBTITLES_GROUP if self.subtitles else None,
        )

    def dash_manifest(self, read_text: Callable[[str], str]) -> str:
        """The DASH MPD over the same fMP4 segments as the HLS playlists (``read_text(path)``
        returns the media playlist at ``path``): video representations with the same
        measured bandwidth (the H.264 rungs), one audio adaptation set per track."""
        return dash.render_mpd(
            duration=self.duration,
            segment_seconds=self.segment_seconds,
            frame_rate=self.frame_rate,
            video=[
                dash.DashVideo(
                    playlist=r.playlist,
                    width=r.rung.width,
                    height=r.rung.height,
                    bandwidth=r.peak_bps,
                    codecs=r.codecs,
                )
                for r in self.renditions
                # H.264 only: one adaptation set of one codec, which every DASH player takes
                # (HEVC and AV1 rungs are for HLS players that pick by CODECS).
                if r.rung.codec == "h264"
            ],
            audio=[
                dash.DashAudio(
                    playlist=a.playlist,
                    bandwidth=a.peak_bps,
                    codecs=a.codecs,
                    channels=a.channels,
                    language=a.language,
                    name=a.name,
                    default=a is self.audio,
                )
                for a in self.audio_tracks
            ],
            read_text=read_text,
        )


def _variant_order(rendition: Rendition) -> tuple[int, int]:
    """H.264 variants first (every player has it), each family lowest first."""
    codec = rendition.rung.codec
    family = CODEC_FAMILIES.index(codec) if codec in CODEC_FAMILIES else len(CODEC_FAMILIES)
    return family, rendition.rung.short_side


@dataclass(frozen=True)
class SubtitleInput:
    """A subtitle file to attach: ``data`` is SRT or WebVTT."""

    language: str
    data: bytes | str
    name: str | None = None
    default: bool = False
