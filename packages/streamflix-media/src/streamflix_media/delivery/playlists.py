"""Playlist rewriting for playback: drop rungs above a height, sign every URI inside."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from ..transcoding.hls import parse_attributes

UrlFor = Callable[[str], str]
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


def _is_absolute(uri: str) -> bool:
    return "://" in uri or uri.startswith(("/", "data:"))


def resolve(base_path: str, uri: str) -> str:
    """The storage path of ``uri`` found in the file at ``base_path``."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_path), uri))


def _short_side(resolution: str) -> int:
    width, _, height = resolution.partition("x")
    return min(int(width or 0), int(height or 0))


def filter_master(text: str, max_height: int | None) -> str:
    """``text`` without the variants above ``max_height``, measured on the short side (a
    portrait 1080x1920 variant is 1080).

    When every variant is taller, the lowest one is kept: a viewer limited below the lowest
    rung still gets a picture rather than an unplayable playlist.
    """
    if not max_height:
        return text
    lines = text.splitlines()
    heights = []
    for line in lines:
        if line.startswith("#EXT-X-STREAM-INF:"):
            resolution = parse_attributes(line.split(":", 1)[1]).get("RESOLUTION", "0x0")
            heights.append(_short_side(resolution))
    if not heights:
        return text
    limit = max_height if any(h <= max_height for h in heights) else min(heights)
    out: list[str] = []
    skip_next_uri = False
    for line in lines:
        if line.startswith(("#EXT-X-STREAM-INF:", "#EXT-X-I-FRAME-STREAM-INF:")):
            resolution = parse_attributes(line.split(":", 1)[1]).get("RESOLUTION", "0x0")
            if _short_side(resolution) > limit:
                skip_next_uri = line.startswith("#EXT-X-STREAM-INF:")
                continue
        elif skip_next_uri and line.strip() and not line.startswith("#"):
            skip_next_uri = False
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def rewrite_playlist(text: str, *, path: str, url_for: UrlFor) -> str:
    """Replace every relative URI of the playlist stored at ``path`` with ``url_for(target)``,
    ``target`` being the storage path it points to (URI lines and ``URI="..."`` attributes)."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            out.append(stripped if _is_absolute(stripped) else url_for(resolve(path, stripped)))
        elif "URI=" in line:
            out.append(
                _URI_ATTRIBUTE.sub(
                    lambda m: 'URI="{}"'.format(
                        m.group(1)
                        if _is_absolute(m.group(1))
                        else url_for(resolve(path, m.group(1)))
                    ),
                    line,
                )
            )
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def rewrite_trickplay_vtt(text: str, *, path: str, url_for: UrlFor) -> str:
    """Sign the sprite URIs (``sprite_001.jpg#xywh=...``) of a trickplay WebVTT index."""
    out = []
    for line in text.splitlines():
        uri, hash_, fragment = line.partition("#xywh=")
        if hash_ and uri and not _is_absolute(uri):
            out.append(f"{url_for(resolve(path, uri))}#xywh={fragment}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"
