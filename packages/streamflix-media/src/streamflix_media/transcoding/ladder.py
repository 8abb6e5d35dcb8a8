"""The bitrate ladder: which renditions a source gets, their sizes and rate caps.

Rungs are chosen by the picture's short side (the height of a landscape source, the width of
a portrait one), so a 1080x1920 phone video gets the same "1080p" ... "240p" rungs a
1920x1080 one does, each the right way up.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

#: Target video bitrates (kbit/s) for H.264 at up to 30 fps; other heights are interpolated.
DEFAULT_BITRATES_KBPS: dict[int, int] = {
    240: 400,
    360: 800,
    480: 1400,
    720: 2800,
    1080: 5000,
    1440: 9000,
    2160: 16000,
}
MAX_RUNG_HEIGHT = 2160
MIN_RUNG_HEIGHT = 64


@dataclass(frozen=True)
class Rung:
    """One rendition of the ladder: its size and capped-VBR rates (kbit/s)."""

    name: str
    width: int
    height: int
    video_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    #: Codec family of the rendition: ``h264`` (every rung), ``hevc`` or ``av1`` (extra rungs).
    codec: str = "h264"

    @property
    def short_side(self) -> int:
        """The rung's class ("720p" is 720): its height, or its width when portrait."""
        return min(self.width, self.height)

    def with_rates(self, video_kbps: int, *, maxrate_ratio: float, bufsize_ratio: float) -> Rung:
        """This rung with another target bitrate (and maxrate/bufsize in the same ratios)."""
        return replace(
            self,
            video_kbps=video_kbps,
            maxrate_kbps=round(video_kbps * maxrate_ratio),
            bufsize_kbps=round(video_kbps * bufsize_ratio),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rung:
        return cls(**data)


def even(value: float) -> int:
    """``value`` rounded to the nearest even integer, at least 2 (H.264 with 4:2:0 needs it)."""
    return max(2, math.floor(value / 2 + 0.5) * 2)


def bitrate_for_height(height: int, table: Mapping[int, int] | None = None) -> int:
    """The target bitrate for ``height``: from ``table``, linearly interpolated between rows."""
    rows = sorted((int(h), int(k)) for h, k in (table or DEFAULT_BITRATES_KBPS).items())
    if height <= rows[0][0]:
        return max(1, round(rows[0][1] * height / rows[0][0]))
    for (h0, k0), (h1, k1) in itertools.pairwise(rows):
        if h0 <= height <= h1:
            return round(k0 + (k1 - k0) * (height - h0) / (h1 - h0))
    return round(rows[-1][1] * height / rows[-1][0])


def build_ladder(
    *,
    source_height: int,
    display_aspect: float,
    heights: Sequence[int] = (240, 360, 480, 720, 1080),
    bitrates_kbps: Mapping[int, int] | None = None,
    maxrate_ratio: float = 1.5,
    bufsize_ratio: float = 2.0,
) -> list[Rung]:
    """The rungs for a source, lowest first.

    ``heights`` are rung classes measured on the short side: the height of a landscape (or
    square) picture, the width of a portrait one; a rung is named after it (``"720p"``) and its
    bitrate is looked up by it. Rungs larger than the source's short side are dropped (never
    upscale); a source smaller than every rung gets one rung at its own (even) short side.
    The long side is even and keeps ``display_aspect`` (display width / height, so anamorphic
    sources come out with square pixels). ``maxrate`` and ``bufsize`` are ``maxrate_ratio``
    and ``bufsize_ratio`` times the target.
    """
    if not heights:
        raise ValueError("The ladder needs at least one rung height.")
    for height in heights:
        if not MIN_RUNG_HEIGHT <= height <= MAX_RUNG_HEIGHT or height % 2:
            raise ValueError(
                f"Rung height {height} must be even and within {MIN_RUNG_HEIGHT}-{MAX_RUNG_HEIGHT}."
            )
    if maxrate_ratio < 1 or bufsize_ratio <= 0:
        raise ValueError("maxrate_ratio must be >= 1 and bufsize_ratio > 0.")
    portrait = display_aspect < 1
    source_short = source_height * display_aspect if portrait else source_height
    chosen = sorted({h for h in heights if h <= round(source_short)})
    if not chosen:
        chosen = [max(2, math.floor(source_short) - math.floor(source_short) % 2)]
    rungs = []
    for short in chosen:
        kbps = bitrate_for_height(short, bitrates_kbps)
        if portrait:
            width, height = short, even(short / display_aspect)
        else:
            width, height = even(short * display_aspect), short
        rungs.append(
            Rung(
                name=f"{short}p",
                width=width,
                height=height,
                video_kbps=kbps,
                maxrate_kbps=round(kbps * maxrate_ratio),
                bufsize_kbps=round(kbps * bufsize_ratio),
            )
        )
    return rungs
