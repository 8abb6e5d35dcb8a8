"""Transcode worker sizing: the engine's whole job (``transcode()``: the default five-rung
ladder, the shared audio rendition, trickplay and poster, default settings: libx264
``veryfast``) on a 1080p clip from ffmpeg's test sources, timed on the CPUs this process may
use. Run it under ``taskset`` to pin the core count:

    nice -n 10 taskset -c 0 python bench/bench_transcode_sizing.py
    nice -n 10 taskset -c 0,1 python bench/bench_transcode_sizing.py

Prints wall and CPU time (ffmpeg's, from rusage), speed as a multiple of real time, and the
extrapolation to one hour of 1080p video; appends the figures to
bench/results/transcode_sizing.json. ``BENCH_SECONDS``: clip length (default 30).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "streamflix-media" / "src"))
sys.path.insert(0, str(ROOT / "packages" / "streamflix-core" / "src"))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(SECRET_KEY=os.urandom(16).hex(), USE_I18N=False)
    django.setup()

from streamflix_media.transcoding import TranscodeOptions, find_ffmpeg, transcode  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "transcode_sizing.json"
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    binary = find_ffmpeg("")
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="streamflix-sizing-") as tmp:
        source = Path(tmp) / "source.mp4"
        subprocess.run(
            [binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=25:d={SECONDS}",
             "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:d={SECONDS}",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-shortest", str(source)],
            check=True,
        )  # fmt: skip
        options = TranscodeOptions.from_settings()
        load_before = os.getloadavg()[0]
        cpu0, wall0 = children_cpu(), time.perf_counter()
        result = transcode(source, Path(tmp) / "out", options=options, binary=binary)
        wall, cpu = time.perf_counter() - wall0, children_cpu() - cpu0
        load_after = os.getloadavg()[0]
    figures = {
        "cores": cores,
        "clip_seconds": SECONDS,
        "rungs": [r["rung"]["height"] for r in result.to_dict()["renditions"]],
        "preset": options.preset,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "speed_x_realtime": round(SECONDS / wall, 2),
        "wall_minutes_per_video_hour": round(wall / SECONDS * 60, 1),
        "cpu_minutes_per_video_hour": round(cpu / SECONDS * 60, 1),
        "load_average_1min": [round(load_before, 1), round(load_after, 1)],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(figures, indent=2))
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.write_text(json.dumps([*previous, figures], indent=2) + "\n")


if __name__ == "__main__":
    main()
