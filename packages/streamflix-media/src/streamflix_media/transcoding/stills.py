"""Stills of a transcode: the poster, and the trickplay sprite sheets with their WebVTT index
(thumbnails on a player's seek bar)."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image

from .errors import TranscodeError
from .ffmpeg import run_ffmpeg
from .ladder import Rung, even
from .probe import ProbeResult
from .results import TranscodeOptions, Trickplay


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


def tile_height(tile_width: int, info: ProbeResult) -> int:
    assert info.video is not None
    return even(tile_width / info.video.display_aspect)


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
