"""The DASH manifest (MPD) of a published asset, written over the HLS fMP4 segments.

The fMP4 output of the HLS muxer is already what DASH plays (an init segment plus movie
fragments per rendition), so the MPD only lists those same files: one ``SegmentList`` per
representation, with a ``SegmentTimeline`` read from the HLS media playlist's durations. No
second copy of any segment is written. MPEG-TS output gets no MPD.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import hls

MPD_NAMESPACE = "urn:mpeg:dash:schema:mpd:2011"
TIMESCALE = 1000
_ROLE_SCHEME = "urn:mpeg:dash:role:2011"
_CHANNELS_SCHEME = "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"


@dataclass(frozen=True)
class DashVideo:
    playlist: str
    width: int
    height: int
    bandwidth: int
    codecs: str


@dataclass(frozen=True)
class DashAudio:
    playlist: str
    bandwidth: int
    codecs: str
    channels: int
    language: str
    name: str
    default: bool


def iso_duration(seconds: float) -> str:
    """``PT1H2M3.456S`` style duration of ``seconds``."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    return text + f"{rest / 1000:.3f}S"


def _segment_list(parent: ET.Element, playlist_path: str, read_text: Callable[[str], str]) -> None:
    """The ``SegmentList`` of the HLS media playlist at ``playlist_path`` (relative paths)."""
    playlist = hls.parse_media_playlist(read_text(playlist_path))
    if not playlist.map_uri:
        raise ValueError(f"{playlist_path} has no init segment: DASH needs fMP4 output.")
    base = posixpath.dirname(playlist_path)
    segment_list = ET.SubElement(parent, "SegmentList", timescale=str(TIMESCALE))
    ET.SubElement(segment_list, "Initialization", sourceURL=posixpath.join(base, playlist.map_uri))
    timeline = ET.SubElement(segment_list, "SegmentTimeline")
    # Durations are summed before rounding, so the timeline does not drift from the media.
    start = 0
    elapsed = 0.0
    runs: list[list[int]] = []  # [start, duration, repeat]
    for segment in playlist.segments:
        elapsed += segment.duration
        end = round(elapsed * TIMESCALE)
        duration = end - start
        if runs and runs[-1][1] == duration:
            runs[-1][2] += 1
        else:
            runs.append([start, duration, 0])
        start = end
    for first, duration, repeat in runs:
        attrs = {"t": str(first), "d": str(duration)}
        if repeat:
            attrs["r"] = str(repeat)
        ET.SubElement(timeline, "S", attrs)
    for segment in playlist.segments:
        ET.SubElement(segment_list, "SegmentURL", media=posixpath.join(base, segment.uri))


def render_mpd(
    *,
    duration: float,
    segment_seconds: int,
    frame_rate: float | None,
    video: Sequence[DashVideo],
    audio: Sequence[DashAudio],
    read_text: Callable[[str], str],
) -> str:
    """A static (VOD) MPD: one video adaptation set with a representation per rung (lowest
    first), one audio adaptation set per language track (``Role`` main on the default one).

    ``read_text(path)`` returns the HLS media playlist at ``path`` (relative to the asset):
    the segment lists come from there, so the MPD names exactly the HLS segment files.
    """
    mpd = ET.Element(
        "MPD",
        {
            "xmlns": MPD_NAMESPACE,
            "type": "static",
            "profiles": "urn:mpeg:dash:profile:isoff-main:2011",
            "minBufferTime": iso_duration(min(segment_seconds * 2, 10)),
            "mediaPresentationDuration": iso_duration(duration),
        },
    )
    period = ET.SubElement(mpd, "Period", id="0", start="PT0S")
    ordered = sorted(video, key=lambda v: v.height)
    video_set = ET.SubElement(
        period,
        "AdaptationSet",
        {
            "id": "0",
            "contentType": "video",
            "mimeType": "video/mp4",
            "segmentAlignment": "true",
            "startWithSAP": "1",
            "maxWidth": str(max(v.width for v in ordered)),
            "maxHeight": str(max(v.height for v in ordered)),
        },
    )
    if frame_rate:
        video_set.set("frameRate", f"{round(frame_rate * 1000)}/1000")
    for item in ordered:
        representation = ET.SubElement(
            video_set,
            "Representation",
            {
                "id": posixpath.dirname(item.playlist),
                "bandwidth": str(item.bandwidth),
                "width": str(item.width),
                "height": str(item.height),
                "codecs": item.codecs,
            },
        )
        _segment_list(representation, item.playlist, read_text)
    for index, track in enumerate(audio, start=1):
        audio_set = ET.SubElement(
            period,
            "AdaptationSet",
            {
                "id": str(index),
                "contentType": "audio",
                "mimeType": "audio/mp4",
                "lang": track.language,
                "segmentAlignment": "true",
                "startWithSAP": "1",
            },
        )
        ET.SubElement(audio_set, "Label").text = track.name
        ET.SubElement(
            audio_set,
            "Role",
            schemeIdUri=_ROLE_SCHEME,
            value="main" if track.default else "alternate",
        )
        representation = ET.SubElement(
            audio_set,
            "Representation",
            {
                "id": posixpath.dirname(track.playlist),
                "bandwidth": str(track.bandwidth),
                "codecs": track.codecs,
                "audioSamplingRate": "48000",
            },
        )
        ET.SubElement(
            representation,
            "AudioChannelConfiguration",
            schemeIdUri=_CHANNELS_SCHEME,
            value=str(track.channels),
        )
        _segment_list(representation, track.playlist, read_text)
    ET.indent(mpd)
    # ``xmlns`` was set as a plain attribute; ElementTree would otherwise prefix every tag.
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(mpd, encoding="unicode") + "\n"
