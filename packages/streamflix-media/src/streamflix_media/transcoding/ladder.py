"""The bitrate ladder: which renditions a source gets, their sizes and rate caps."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
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

    Rungs taller than the source are dropped (never upscale); a source shorter than every
    rung gets one rung at its own (even) height. Widths are even and keep ``display_aspect``
    (display width / height, so anamorphic sources come out with square pixels).
    ``maxrate`` and ``bufsize`` are ``maxrate_ratio`` and ``bufsize_ratio`` times the target.
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
    chosen = sorted({h for h in heights if h <= source_height})
    if not chosen:
        chosen = [max(2, source_height - source_height % 2)]
    rungs = []
    for height in chosen:
        kbps = bitrate_for_height(height, bitrates_kbps)
        rungs.append(
            Rung(
                name=f"{height}p",
                width=even(height * display_aspect),
                height=height,
                video_kbps=kbps,
                maxrate_kbps=round(kbps * maxrate_ratio),
                bufsize_kbps=round(kbps * bufsize_ratio),
            )
        )
    return rungs
