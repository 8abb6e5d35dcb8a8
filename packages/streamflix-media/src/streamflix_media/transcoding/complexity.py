"""Per-title ladder pruning: a quick complexity probe estimates the bitrate each rung needs,
and a rung that would not differ enough from the one below is dropped.

The probe encodes a few short samples spread across the source, at every rung's size, with
constant quality (x264 CRF, a fast preset) in one ffmpeg run, and reads each rung's bitrate
off the encoded bytes. A flat or static picture needs about the same few kbit/s at every size,
so its rungs collapse; detailed, moving pictures need several times more per step up, so they
keep theirs.

The rule, lowest rung first: a rung is kept when its estimate is at least ``ratio`` times the
estimate of the last kept rung below it, else it is pruned (estimates below the lowest
target, ``MIN_TARGET_KBPS``, count as that). The top rung (the largest the
source gets) is always kept: while it is too close to the kept rung below it, that lower
rung is pruned instead, so a flat source ends with the top rung alone. Each kept rung's
target bitrate is then capped at its estimate (with headroom): a slide needs far less than
the table's figure.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import TranscodeError
from .ffmpeg import run_ffmpeg
from .ladder import Rung
from .probe import ProbeResult

logger = logging.getLogger(__name__)

#: The probe's x264 preset: fast, and close enough to a real encode's bits-per-pixel trend.
PROBE_PRESET = "veryfast"
#: A capped target is this much above the estimate (the samples may miss the hardest scenes).
TARGET_HEADROOM = 1.25
#: No rung's target is capped below this (kbit/s).
MIN_TARGET_KBPS = 64


@dataclass(frozen=True)
class PruningOptions:
    """``LADDER_PRUNING`` and the probe's knobs (see docs/transcoding.md)."""

    enabled: bool = True
    ratio: float = 1.25
    samples: int = 3
    sample_seconds: float = 2.0
    crf: int = 23

    def __post_init__(self) -> None:
        if self.ratio < 1:
            raise ValueError("LADDER_PRUNE_RATIO must be at least 1.")
        if not 1 <= self.samples <= 20 or not 0.5 <= self.sample_seconds <= 30:
            raise ValueError("The complexity probe takes 1-20 samples of 0.5-30 s.")
        if not 0 <= self.crf <= 51:
            raise ValueError("COMPLEXITY_PROBE_CRF must be within 0-51.")


def sample_windows(duration: float, samples: int, seconds: float) -> list[tuple[float, float]]:
    """``(start, length)`` of each sample, spread evenly over the source; a source shorter than
    all of them together is one sample of its whole length."""
    if duration <= samples * seconds:
        return [(0.0, duration)]
    step = duration / samples
    return [(round(step * i + (step - seconds) / 2, 3), seconds) for i in range(samples)]


def estimate_rung_kbps(
    source: Path,
    *,
    info: ProbeResult,
    rungs: Sequence[Rung],
    options: PruningOptions,
    binary: str,
    scratch_dir: Path | None = None,
    timeout: float | None = None,
) -> dict[str, int]:
    """The bitrate (kbit/s) each rung needs at constant quality, measured on samples.

    Raises ``TranscodeError`` when ffmpeg fails or writes nothing.
    """
    assert info.duration is not None
    windows = sample_windows(info.duration, options.samples, options.sample_seconds)
    seconds = sum(length for _, length in windows)
    args: list[str] = []
    for start, length in windows:
        args += ["-ss", f"{start:.3f}", "-t", f"{length:.3f}", "-i", str(source)]
    joined = "".join(f"[{j}:v:0]" for j in range(len(windows)))
    graph = [f"{joined}concat=n={len(windows)}:v=1:a=0[cat]"]
    graph.append(f"[cat]split={len(rungs)}" + "".join(f"[p{i}]" for i in range(len(rungs))))
    for i, rung in enumerate(rungs):
        graph.append(f"[p{i}]scale={rung.width}:{rung.height},setsar=1,format=yuv420p[q{i}]")
    args += ["-filter_complex", ";".join(graph)]
    with tempfile.TemporaryDirectory(prefix="complexity-", dir=scratch_dir) as tmp:
        outputs = [Path(tmp) / f"{i}.h264" for i in range(len(rungs))]
        for i, path in enumerate(outputs):
            args += ["-map", f"[q{i}]", "-c:v", "libx264", "-preset", PROBE_PRESET]
            args += ["-crf", str(options.crf), "-an", "-f", "h264", str(path)]
        run_ffmpeg(args, binary=binary, timeout=timeout)
        estimates = {}
        for rung, path in zip(rungs, outputs, strict=True):
            if not path.is_file() or not path.stat().st_size:
                raise TranscodeError(f"The complexity probe wrote nothing for {rung.name}.")
            estimates[rung.name] = max(1, math.ceil(path.stat().st_size * 8 / seconds / 1000))
    return estimates


def prune_ladder(
    rungs: Sequence[Rung],
    estimates: dict[str, int],
    *,
    ratio: float,
    floor_kbps: int = MIN_TARGET_KBPS,
) -> tuple[list[Rung], list[dict[str, Any]]]:
    """The rungs kept (lowest first) and a record of each pruned one, per the module's rule.

    Estimates below ``floor_kbps`` count as ``floor_kbps``: no target goes below it, so rungs
    that small would not differ at all (and a few kbit/s more is noise, not detail).
    """
    estimates = {name: max(kbps, floor_kbps) for name, kbps in estimates.items()}
    ordered = sorted(rungs, key=lambda r: r.short_side)
    kept: list[Rung] = ordered[:1]
    pruned: list[dict[str, Any]] = []
    if len(ordered) < 2:
        return kept, pruned

    def record(rung: Rung, other: Rung, reason: str) -> dict[str, Any]:
        return {
            "rung": rung.name,
            "estimate_kbps": estimates[rung.name],
            "compared_with": other.name,
            "compared_kbps": estimates[other.name],
            "reason": reason,
        }

    for rung in ordered[1:-1]:
        below = kept[-1]
        if estimates[rung.name] < ratio * estimates[below.name]:
            pruned.append(
                record(
                    rung,
                    below,
                    f"needs ~{estimates[rung.name]} kbit/s, less than {ratio:g}x the "
                    f"~{estimates[below.name]} kbit/s of {below.name} below it",
                )
            )
        else:
            kept.append(rung)
    top = ordered[-1]
    while kept and estimates[top.name] < ratio * estimates[kept[-1].name]:
        lower = kept.pop()
        pruned.append(
            record(
                lower,
                top,
                f"the top rung {top.name} needs only ~{estimates[top.name]} kbit/s, less than "
                f"{ratio:g}x this rung's ~{estimates[lower.name]} kbit/s",
            )
        )
    kept.append(top)
    return kept, sorted(pruned, key=lambda p: [r.name for r in ordered].index(p["rung"]))


def capped_target(rung: Rung, estimate_kbps: int) -> int:
    """The rung's target bitrate capped at its estimate (with headroom and a floor)."""
    return min(rung.video_kbps, max(MIN_TARGET_KBPS, math.ceil(estimate_kbps * TARGET_HEADROOM)))


def plan_ladder(
    source: Path,
    *,
    info: ProbeResult,
    rungs: Sequence[Rung],
    options: PruningOptions,
    maxrate_ratio: float,
    bufsize_ratio: float,
    binary: str,
    scratch_dir: Path | None = None,
    timeout: float | None = None,
) -> tuple[list[Rung], dict[str, Any]]:
    """The rungs to encode and the pruning report (JSON) for the asset.

    A failing probe never fails the transcode: it is logged, the report carries the error,
    and the full ladder is kept with the table's bitrates.
    """
    report: dict[str, Any] = {"enabled": options.enabled, "pruned": []}
    if not options.enabled:
        return list(rungs), report
    report.update(
        ratio=options.ratio,
        probe={
            "samples": options.samples,
            "sample_seconds": options.sample_seconds,
            "crf": options.crf,
            "preset": PROBE_PRESET,
        },
    )
    if len(rungs) < 2:
        report["skipped"] = "one rung: nothing to prune"
        return list(rungs), report
    started = time.monotonic()
    try:
        estimates = estimate_rung_kbps(
            source,
            info=info,
            rungs=rungs,
            options=options,
            binary=binary,
            scratch_dir=scratch_dir,
            timeout=timeout,
        )
    except Exception as exc:
        detail = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
        logger.warning("The complexity probe failed; keeping the full ladder: %s", detail)
        report["error"] = detail
        return list(rungs), report
    report["probe"]["seconds_taken"] = round(time.monotonic() - started, 2)
    kept, pruned = prune_ladder(rungs, estimates, ratio=options.ratio)
    capped = [
        r.with_rates(
            capped_target(r, estimates[r.name]),
            maxrate_ratio=maxrate_ratio,
            bufsize_ratio=bufsize_ratio,
        )
        for r in kept
    ]
    report.update(
        estimates_kbps=estimates,
        targets_kbps={r.name: r.video_kbps for r in capped},
        pruned=pruned,
    )
    return capped, report
