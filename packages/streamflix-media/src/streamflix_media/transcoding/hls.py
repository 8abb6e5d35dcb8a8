"""HLS playlists: a small strict parser, codec strings read from the bitstream, measured
bandwidth, and the master playlist writer."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import TranscodeError

_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^",]*)')


def parse_attributes(text: str) -> dict[str, str]:
    """``A=1,B="x,y"`` -> ``{"A": "1", "B": "x,y"}``."""
    return {k: v.strip('"') for k, v in _ATTRIBUTE.findall(text)}


@dataclass
class Segment:
    uri: str
    duration: float


@dataclass
class MediaPlaylist:
    """A parsed VOD media playlist."""

    target_duration: int
    segments: list[Segment]
    map_uri: str | None
    ended: bool

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)

    def uris(self) -> list[str]:
        return ([self.map_uri] if self.map_uri else []) + [s.uri for s in self.segments]


@dataclass
class Variant:
    attributes: dict[str, str]
    uri: str


@dataclass
class MasterPlaylist:
    """A parsed master (multivariant) playlist."""

    variants: list[Variant]
    media: list[dict[str, str]] = field(default_factory=list)

    def uris(self) -> list[str]:
        return [v.uri for v in self.variants] + [m["URI"] for m in self.media if "URI" in m]


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise ValueError("A playlist must start with #EXTM3U.")
    return lines


def parse_media_playlist(text: str) -> MediaPlaylist:
    """Parse a media playlist; raise ``ValueError`` when it is malformed."""
    lines = _lines(text)
    target: int | None = None
    segments: list[Segment] = []
    map_uri = None
    ended = False
    pending: float | None = None
    for line in lines[1:]:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MAP:"):
            map_uri = parse_attributes(line.split(":", 1)[1])["URI"]
        elif line.startswith("#EXTINF:"):
            pending = float(line.split(":", 1)[1].split(",")[0])
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line.startswith("#EXT-X-STREAM-INF"):
            raise ValueError("This is a master playlist.")
        elif not line.startswith("#"):
            if pending is None:
                raise ValueError(f"URI {line!r} has no #EXTINF.")
            segments.append(Segment(line, pending))
            pending = None
    if target is None:
        raise ValueError("#EXT-X-TARGETDURATION is missing.")
    if pending is not None:
        raise ValueError("The last #EXTINF has no URI.")
    for segment in segments:
        if round(segment.duration) > target:
            raise ValueError(f"{segment.uri} lasts longer than the target duration.")
    return MediaPlaylist(target, segments, map_uri, ended)


def parse_master_playlist(text: str) -> MasterPlaylist:
    """Parse a master playlist; raise ``ValueError`` when it is malformed."""
    lines = _lines(text)
    variants: list[Variant] = []
    media: list[dict[str, str]] = []
    pending: dict[str, str] | None = None
    for line in lines[1:]:
        if line.startswith("#EXT-X-STREAM-INF:"):
            pending = parse_attributes(line.split(":", 1)[1])
            if "BANDWIDTH" not in pending:
                raise ValueError("#EXT-X-STREAM-INF without BANDWIDTH.")
        elif line.startswith("#EXT-X-MEDIA:"):
            media.append(parse_attributes(line.split(":", 1)[1]))
        elif line.startswith("#EXTINF"):
            raise ValueError("This is a media playlist.")
        elif not line.startswith("#"):
            if pending is None:
                raise ValueError(f"URI {line!r} has no #EXT-X-STREAM-INF.")
            variants.append(Variant(pending, line))
            pending = None
    if not variants:
        raise ValueError("A master playlist needs at least one variant.")
    return MasterPlaylist(variants, media)


def is_master(text: str) -> bool:
    return "#EXT-X-STREAM-INF:" in text


@dataclass(frozen=True)
class StreamStats:
    """Measured from the segments on disk (bit/s)."""

    peak_bps: int
    average_bps: int
    duration: float
    segment_count: int


def measure(playlist_path: Path) -> tuple[MediaPlaylist, StreamStats]:
    """Parse a media playlist on disk and measure its peak and average segment bitrates.

    The init segment (fMP4) is counted with the first media segment, because a player fetches
    both before it can play.
    """
    playlist = parse_media_playlist(playlist_path.read_text())
    base = playlist_path.parent
    if not playlist.segments:
        raise TranscodeError(f"{playlist_path.name} lists no segments.")
    missing = [u for u in playlist.uris() if not (base / u).is_file()]
    if missing:
        raise TranscodeError(f"{playlist_path.name} references missing files: {missing[:3]}")
    init_bytes = (base / playlist.map_uri).stat().st_size if playlist.map_uri else 0
    peak = 0.0
    total_bits = init_bytes * 8
    for index, segment in enumerate(playlist.segments):
        bits = (base / segment.uri).stat().st_size * 8 + (init_bytes * 8 if index == 0 else 0)
        total_bits += bits - (init_bytes * 8 if index == 0 else 0)
        # A very short trailing segment would overstate the peak; players judge it over >= 1 s.
        peak = max(peak, bits / max(segment.duration, 1.0))
    duration = playlist.duration
    return playlist, StreamStats(
        peak_bps=math.ceil(peak),
        average_bps=math.ceil(total_bits / duration) if duration else 0,
        duration=duration,
        segment_count=len(playlist.segments),
    )


def avc_codec_string(profile_idc: int, constraints: int, level_idc: int) -> str:
    return f"avc1.{profile_idc:02x}{constraints:02x}{level_idc:02x}"


def avc_codec_from_file(path: Path) -> str:
    """``avc1.PPCCLL`` read from an fMP4 init segment (``avcC`` box) or a TS segment (SPS)."""
    data = path.read_bytes()
    box = data.find(b"avcC")
    if box >= 0 and len(data) >= box + 8:
        return avc_codec_string(data[box + 5], data[box + 6], data[box + 7])
    for start in (m.end() for m in re.finditer(b"\x00\x00\x01", data)):
        if start + 3 < len(data) and data[start] & 0x1F == 7:
            return avc_codec_string(data[start + 1], data[start + 2], data[start + 3])
    raise TranscodeError(f"No H.264 parameter set found in {path.name}.")


def hevc_codec_string(config: bytes, sample_entry: str = "hvc1") -> str:
    """``hvc1.<space><profile>.<compat>.<tier><level>[.<constraints>]`` (RFC 6381 / ISO
    14496-15 annex E) from an ``HEVCDecoderConfigurationRecord``."""
    if len(config) < 13:
        raise TranscodeError("The HEVC configuration record is too short.")
    space = ("", "A", "B", "C")[config[1] >> 6]
    tier = "H" if config[1] & 0x20 else "L"
    profile = config[1] & 0x1F
    compat = int.from_bytes(config[2:6], "big")
    reversed_compat = int(f"{compat:032b}"[::-1], 2)
    constraints = list(config[6:12])
    while constraints and constraints[-1] == 0:
        constraints.pop()
    parts = [sample_entry, f"{space}{profile}", f"{reversed_compat:X}", f"{tier}{config[12]}"]
    parts += [f"{b:02X}" for b in constraints]
    return ".".join(parts)


def av1_codec_string(config: bytes) -> str:
    """``av01.<profile>.<level><tier>.<bitdepth>`` from an ``AV1CodecConfigurationRecord``."""
    if len(config) < 4 or not config[0] & 0x80:
        raise TranscodeError("The AV1 configuration record is invalid.")
    profile = config[1] >> 5
    level = config[1] & 0x1F
    tier = "H" if config[2] & 0x80 else "M"
    high_bitdepth = bool(config[2] & 0x40)
    twelve_bit = bool(config[2] & 0x20)
    depth = (12 if twelve_bit else 10) if high_bitdepth else 8
    return f"av01.{profile}.{level:02d}{tier}.{depth:02d}"


def _box_payload(data: bytes, box_type: bytes) -> bytes | None:
    """The payload of the first ``box_type`` box found in ``data`` (a flat search)."""
    at = data.find(box_type)
    if at < 4:
        return None
    size = int.from_bytes(data[at - 4 : at], "big")
    if size < 8 or at - 4 + size > len(data):
        return None
    return data[at + 4 : at - 4 + size]


def video_codec_from_file(path: Path, codec: str = "h264") -> str:
    """The CODECS string of a rendition read from its fMP4 init segment (or, for H.264, a
    TS segment): ``avc1...`` from ``avcC``, ``hvc1...``/``hev1...`` from ``hvcC``, ``av01...``
    from ``av1C``."""
    if codec == "h264":
        return avc_codec_from_file(path)
    data = path.read_bytes()
    if codec == "hevc":
        config = _box_payload(data, b"hvcC")
        if config is None:
            raise TranscodeError(f"No HEVC configuration (hvcC) in {path.name}.")
        entry = "hev1" if b"hev1" in data and b"hvc1" not in data else "hvc1"
        return hevc_codec_string(config, entry)
    if codec == "av1":
        config = _box_payload(data, b"av1C")
        if config is None:
            raise TranscodeError(f"No AV1 configuration (av1C) in {path.name}.")
        return av1_codec_string(config)
    raise TranscodeError(f"Unknown codec family {codec!r}.")


AAC_LC = "mp4a.40.2"


@dataclass(frozen=True)
class MasterVariant:
    uri: str
    bandwidth: int
    average_bandwidth: int
    width: int
    height: int
    codecs: str
    frame_rate: float | None


@dataclass(frozen=True)
class MasterMedia:
    """An ``EXT-X-MEDIA`` rendition (the shared audio, a subtitle track)."""

    type: str
    group_id: str
    name: str
    uri: str
    language: str | None = None
    default: bool = False
    autoselect: bool = True
    channels: str | None = None


def _quoted(value: str) -> str:
    if '"' in value or "\n" in value:
        raise ValueError(f"{value!r} cannot be quoted in a playlist.")
    return f'"{value}"'


def render_master_playlist(
    variants: Sequence[MasterVariant],
    media: Iterable[MasterMedia] = (),
    *,
    audio_group: str | None = None,
    subtitles_group: str | None = None,
) -> str:
    """The master playlist text, variants in the order given (lowest first is conventional)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for item in media:
        attrs = [
            f"TYPE={item.type}",
            f"GROUP-ID={_quoted(item.group_id)}",
            f"NAME={_quoted(item.name)}",
        ]
        if item.language:
            attrs.append(f"LANGUAGE={_quoted(item.language)}")
        attrs.append(f"DEFAULT={'YES' if item.default else 'NO'}")
        attrs.append(f"AUTOSELECT={'YES' if item.autoselect else 'NO'}")
        if item.channels:
            attrs.append(f"CHANNELS={_quoted(item.channels)}")
        attrs.append(f"URI={_quoted(item.uri)}")
        lines.append("#EXT-X-MEDIA:" + ",".join(attrs))
    for variant in variants:
        attrs = [
            f"BANDWIDTH={variant.bandwidth}",
            f"AVERAGE-BANDWIDTH={variant.average_bandwidth}",
            f"RESOLUTION={variant.width}x{variant.height}",
            f"CODECS={_quoted(variant.codecs)}",
        ]
        if variant.frame_rate:
            attrs.append(f"FRAME-RATE={variant.frame_rate:.3f}")
        if audio_group:
            attrs.append(f"AUDIO={_quoted(audio_group)}")
        if subtitles_group:
            attrs.append(f"SUBTITLES={_quoted(subtitles_group)}")
        attrs.append("CLOSED-CAPTIONS=NONE")
        lines.append("#EXT-X-STREAM-INF:" + ",".join(attrs))
        lines.append(variant.uri)
    return "\n".join(lines) + "\n"


def render_single_file_playlist(uri: str, duration: float) -> str:
    """A VOD media playlist with one segment covering ``duration`` (a WebVTT subtitle track)."""
    return (
        "\n".join(
            [
                "#EXTM3U",
                "#EXT-X-VERSION:3",
                f"#EXT-X-TARGETDURATION:{max(1, math.ceil(duration))}",
                "#EXT-X-MEDIA-SEQUENCE:0",
                "#EXT-X-PLAYLIST-TYPE:VOD",
                f"#EXTINF:{duration:.3f},",
                uri,
                "#EXT-X-ENDLIST",
            ]
        )
        + "\n"
    )
