"""One-pass HLS ladder (decode once, split to every rung) vs one ffmpeg run per rendition.

Same 1080p source (a ~20 s clip from ffmpeg's test sources), same rungs, same libx264
settings (preset, capped VBR, aligned keyframes, HLS fMP4 output); video only, so the two
differ only in how often the source is decoded and scaled. Prints wall time, children's CPU
time (rusage), speed as a multiple of real time, and SSIM/PSNR of every rung against the source
scaled to the rung's size, and writes bench/results/ladder.json. The engine's full job
(``transcode()``: ladder + shared audio + trickplay + poster) is timed as well, and again in
four variants (``engine_variants``): a source with one audio track or two (English and German,
each its own audio rendition, encoded once), with or without the DASH manifest step, each with
its wall time and the SSIM of every rung (the audio and the MPD must not change the video).

Run with ``nox -s bench -- ladder`` or ``python bench/bench_ladder.py``.
Environment: ``BENCH_SECONDS`` (clip length, 20), ``BENCH_PRESET`` (x264 preset, veryfast).
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "streamflix-media" / "src"))
sys.path.insert(0, str(ROOT / "packages" / "streamflix-core" / "src"))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(SECRET_KEY=os.urandom(16).hex(), USE_I18N=False)
    django.setup()

from streamflix_media.transcoding import (  # noqa: E402
    TranscodeOptions,
    find_ffmpeg,
    probe,
    transcode,
)
from streamflix_media.transcoding.complexity import PruningOptions  # noqa: E402
from streamflix_media.transcoding.hls import parse_media_playlist  # noqa: E402
from streamflix_media.transcoding.ladder import Rung  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "ladder.json"
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
PRESET = os.environ.get("BENCH_PRESET", "veryfast")
SEGMENT = 6


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(fn):
    cpu0, wall0 = children_cpu(), time.perf_counter()
    value = fn()
    return value, time.perf_counter() - wall0, children_cpu() - cpu0


def ffmpeg(binary: str, args: list[str]) -> str:
    done = subprocess.run(
        [binary, "-hide_banner", "-nostdin", "-y", *args], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return done.stderr


def make_source(binary: str, target: Path) -> None:
    ffmpeg(
        binary,
        [
            "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=25:d={SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:d={SECONDS}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(target),
        ],
    )  # fmt: skip


def add_second_language(binary: str, source: Path, target: Path) -> None:
    """``source`` (video copied, its audio tagged English) plus a German audio stream."""
    ffmpeg(
        binary,
        [
            "-i", str(source),
            "-f", "lavfi", "-i", f"sine=frequency=660:sample_rate=48000:d={SECONDS}",
            "-map", "0:v:0", "-map", "0:a:0", "-map", "1:a:0",
            "-c:v", "copy", "-c:a", "aac", "-shortest",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=deu",
            str(target),
        ],
    )  # fmt: skip


def encoder_args(rung: Rung, index: int | None, gop: int) -> list[str]:
    suffix = f":{index}" if index is not None else ""
    return [
        f"-b:v{suffix}", f"{rung.video_kbps}k",
        f"-maxrate:v{suffix}", f"{rung.maxrate_kbps}k",
        f"-bufsize:v{suffix}", f"{rung.bufsize_kbps}k",
    ]  # fmt: skip


def common_args(gop: int) -> list[str]:
    return [
        "-c:v", "libx264", "-preset", PRESET,
        "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT})",
    ]  # fmt: skip


def hls_args(out: Path, stream_map: str | None) -> list[str]:
    args = [
        "-f", "hls", "-hls_time", str(SEGMENT), "-hls_playlist_type", "vod",
        "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
        "-hls_segment_filename", str(out / "%v" / "seg_%05d.m4s"),
    ]  # fmt: skip
    if stream_map:
        args += ["-var_stream_map", stream_map]
    return [*args, str(out / "%v" / "index.m3u8")]


def one_pass(binary: str, source: Path, rungs: list[Rung], out: Path, gop: int) -> None:
    labels = "".join(f"[s{i}]" for i in range(len(rungs)))
    graph = [f"[0:v:0]split={len(rungs)}{labels}"] + [
        f"[s{i}]scale={r.width}:{r.height}:flags=bicubic,setsar=1,format=yuv420p[o{i}]"
        for i, r in enumerate(rungs)
    ]
    args = ["-i", str(source), "-filter_complex", ";".join(graph)]
    for i in range(len(rungs)):
        args += ["-map", f"[o{i}]"]
    args += common_args(gop)
    for i, rung in enumerate(rungs):
        args += encoder_args(rung, i, gop)
    stream_map = " ".join(f"v:{i},name:{r.name}" for i, r in enumerate(rungs))
    ffmpeg(binary, args + hls_args(out, stream_map))


def per_rendition(binary: str, source: Path, rungs: list[Rung], out: Path, gop: int) -> None:
    for rung in rungs:
        args = ["-i", str(source), "-map", "0:v:0"]
        args += ["-vf", f"scale={rung.width}:{rung.height}:flags=bicubic,setsar=1,format=yuv420p"]
        args += common_args(gop) + encoder_args(rung, None, gop)
        ffmpeg(binary, args + hls_args(out, f"v:0,name:{rung.name}"))


def rung_file(directory: Path) -> Path:
    """The rung's init and media segments joined into one playable MP4."""
    playlist = parse_media_playlist((directory / "index.m3u8").read_text())
    joined = directory / "joined.mp4"
    with joined.open("wb") as fh:
        for uri in playlist.uris():
            fh.write((directory / uri).read_bytes())
    return joined


def quality(binary: str, source: Path, rung: Rung, directory: Path) -> dict[str, float]:
    log = ffmpeg(
        binary,
        [
            "-i", str(rung_file(directory)), "-i", str(source),
            "-lavfi",
            f"[1:v]scale={rung.width}:{rung.height}:flags=bicubic,setsar=1,format=yuv420p,"
            "split=2[r1][r2];[0:v]format=yuv420p,split=2[d1][d2];[d1][r1]ssim;[d2][r2]psnr",
            "-f", "null", "-",
        ],
    )  # fmt: skip
    ssim = re.search(r"SSIM .*All:(\d+\.\d+)", log)
    psnr = re.search(r"PSNR .*average:(\d+\.\d+|inf)", log)
    size = sum(p.stat().st_size for p in directory.glob("seg_*.m4s"))
    return {
        "ssim": float(ssim.group(1)) if ssim else float("nan"),
        "psnr_db": float(psnr.group(1)) if psnr else float("nan"),
        "kbps": round(size * 8 / SECONDS / 1000, 1),
    }


def ssim_spread(variants: dict[str, dict]) -> float:
    """The largest difference in any rung's SSIM between the engine variants."""
    rungs = next(iter(variants.values()))["rungs"]
    return round(
        max(
            max(v["rungs"][r]["ssim"] for v in variants.values())
            - min(v["rungs"][r]["ssim"] for v in variants.values())
            for r in rungs
        ),
        6,
    )


def main() -> None:
    binary = find_ffmpeg(os.environ.get("FFMPEG_BINARY", ""))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-ladder-") as tmp:
        work = Path(tmp)
        source = work / "source_1080p.mp4"
        make_source(binary, source)
        info = probe(source, binary=binary)
        # The full ladder, as the hand-written runs encode it (no per-title pruning).
        options = TranscodeOptions(
            preset=PRESET,
            segment_seconds=SEGMENT,
            timeout_seconds=None,
            pruning=PruningOptions(enabled=False),
        )
        rungs = options.ladder_for(info)
        gop = round((info.video.frame_rate or 25) * SEGMENT)
        duration = info.duration or SECONDS

        runs = {}
        for name, fn in (("one_pass", one_pass), ("per_rendition", per_rendition)):
            out = work / name
            out.mkdir()
            _, wall, cpu = timed(lambda fn=fn, out=out: fn(binary, source, rungs, out, gop))
            runs[name] = {
                "wall_seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "speed_x_realtime": round(duration / wall, 2),
                "rungs": {r.name: quality(binary, source, r, out / r.name) for r in rungs},
            }
        _, engine_wall, engine_cpu = timed(
            lambda: transcode(source, work / "engine", options=options, binary=binary)
        )
        two_languages = work / "source_1080p_eng_deu.mp4"
        add_second_language(binary, source, two_languages)
        variants = {}
        for audio_name, variant_source in (("audio_1", source), ("audio_2", two_languages)):
            for dash in (False, True):
                name = f"{audio_name}_{'dash' if dash else 'hls_only'}"
                out = work / f"engine_{name}"
                variant_options = replace(options, dash=dash)
                done, wall, cpu = timed(
                    lambda s=variant_source, o=out, v=variant_options: transcode(
                        s, o, options=v, binary=binary
                    )
                )
                variants[name] = {
                    "audio_tracks": len(done.audio_tracks),
                    "dash_manifest": done.dash is not None,
                    "wall_seconds": round(wall, 2),
                    "cpu_seconds": round(cpu, 2),
                    "speed_x_realtime": round(duration / wall, 2),
                    "rungs": {r.name: quality(binary, source, r, out / r.name) for r in rungs},
                }

    one, many = runs["one_pass"], runs["per_rendition"]
    result = {
        "source": {"height": 1080, "seconds": duration, "fps": info.video.frame_rate},
        "preset": PRESET,
        "segment_seconds": SEGMENT,
        "rungs": [r.to_dict() for r in rungs],
        "one_pass": one,
        "per_rendition": many,
        "wall_speedup": round(many["wall_seconds"] / one["wall_seconds"], 2),
        "cpu_saving": round(many["cpu_seconds"] / one["cpu_seconds"], 2),
        "target_speedup": 1.5,
        "engine_full_job": {
            "wall_seconds": round(engine_wall, 2),
            "cpu_seconds": round(engine_cpu, 2),
            "speed_x_realtime": round(duration / engine_wall, 2),
            "includes": "ladder + AAC audio rendition + trickplay + poster + master playlist",
        },
        "engine_variants": variants,
        "engine_variants_ssim_spread": ssim_spread(variants),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            # Other work on the machine slows wall times; CPU times are the steadier figure.
            "load_average_1min_before_after": [
                round(load_before[0], 2),
                round(os.getloadavg()[0], 2),
            ],
        },
        "ffmpeg": binary,
    }
    print(f"1080p source, {duration:.0f} s, {len(rungs)} rungs, preset {PRESET}")
    print(f"{'':16}{'wall s':>8}{'cpu s':>8}{'x real':>8}")
    for name in ("one_pass", "per_rendition"):
        r = runs[name]
        print(f"{name:16}{r['wall_seconds']:>8}{r['cpu_seconds']:>8}{r['speed_x_realtime']:>8}")
    print(f"one pass is {result['wall_speedup']}x faster (wall), {result['cpu_saving']}x less CPU")
    print(f"{'rung':8}{'SSIM 1-pass':>12}{'SSIM N-runs':>12}{'PSNR 1-pass':>12}{'PSNR N-runs':>12}")
    for rung in rungs:
        a, b = one["rungs"][rung.name], many["rungs"][rung.name]
        print(
            f"{rung.name:8}{a['ssim']:>12.4f}{b['ssim']:>12.4f}"
            f"{a['psnr_db']:>12.2f}{b['psnr_db']:>12.2f}"
        )
    full = result["engine_full_job"]
    print(f"engine full job: {full['wall_seconds']} s wall, {full['speed_x_realtime']}x real time")
    print(f"{'variant':20}{'tracks':>7}{'MPD':>5}{'wall s':>8}{'cpu s':>8}  SSIM per rung")
    for name, v in variants.items():
        ssims = " ".join(f"{r['ssim']:.4f}" for r in v["rungs"].values())
        print(
            f"{name:20}{v['audio_tracks']:>7}{'yes' if v['dash_manifest'] else 'no':>5}"
            f"{v['wall_seconds']:>8}{v['cpu_seconds']:>8}  {ssims}"
        )
    print(f"largest SSIM difference between variants: {result['engine_variants_ssim_spread']}")
    verdict = "meets" if result["wall_speedup"] >= 1.5 else "MISSES"
    print(f"{verdict} the 1.5x target")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
