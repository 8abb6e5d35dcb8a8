"""GET load from ``wrk`` (Debian's package; ``make bench-deps``), in its own process, so the
load generator never shares the interpreter of what it measures.

Every run goes through ``wrk_heartbeats.lua`` in its plain-GET mode, which prints one JSON
summary line (requests, seconds, socket errors, non-2xx answers, p50 and p99).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

LUA = Path(__file__).with_name("wrk_heartbeats.lua")
PATHS_LUA = Path(__file__).with_name("wrk_paths.lua")
# Few load threads: wrk shares the two cores with the server it measures.
THREADS = 2
CONNECTIONS = 16


def wrk_missing() -> str | None:
    """Why wrk cannot run here, or ``None``."""
    if shutil.which("wrk") is None:
        return "wrk is missing; run `make bench-deps` (installs Debian's wrk with apt)"
    return None


def wrk_get(
    url: str,
    *,
    seconds: int,
    headers: dict[str, str] | None = None,
    threads: int = THREADS,
    connections: int = CONNECTIONS,
) -> dict[str, Any]:
    """GET ``url`` from ``connections`` keep-alive connections for ``seconds``; the summary
    with ``requests_per_second`` added."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(LUA), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("wrk-json "))
    summary: dict[str, Any] = json.loads(line.removeprefix("wrk-json "))
    summary["requests_per_second"] = round(summary["requests"] / summary["seconds"], 1)
    return summary


def wrk_get_paths(
    base: str, paths_file: Path, *, seconds: int, threads: int, connections: int
) -> dict[str, Any]:
    """GET the paths listed in ``paths_file`` (one a line, in turn) from ``base`` over
    ``connections`` keep-alive connections for ``seconds``; the summary (with p95) with
    ``requests_per_second`` added."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
        "-s", str(PATHS_LUA), base, "--", str(paths_file),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("wrk-json "))
    summary: dict[str, Any] = json.loads(line.removeprefix("wrk-json "))
    summary["requests_per_second"] = round(summary["requests"] / summary["seconds"], 1)
    return summary


def bracketed_rounds(
    base: str,
    ceiling: str,
    targets: dict[str, tuple[str, dict[str, str]]],
    *,
    rounds: int,
    seconds: int,
) -> dict[str, dict[str, Any]]:
    """Interleaved rounds of the ``ceiling`` path and every target (name → path, headers):
    each round runs the ceiling, then each target followed by the ceiling again, so every
    target run sits between two ceiling runs and is compared with their mean — drift of
    the machine's speed during a round moves both. Figures per target as
    :func:`against_ceiling` gives them, and the ceiling's own under ``"ceiling"``."""
    for path, headers in [(ceiling, {}), *targets.values()]:
        wrk_get(base + path, seconds=1, headers=headers)  # warm caches and connections
    hellos: list[dict[str, Any]] = []
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    brackets: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for round_ in range(1, rounds + 1):
        before = wrk_get(base + ceiling, seconds=seconds)
        hellos.append(before)
        line = [f"{ceiling} {before['requests_per_second']}/s"]
        for name, (path, headers) in targets.items():
            run = wrk_get(base + path, seconds=seconds, headers=headers)
            after = wrk_get(base + ceiling, seconds=seconds)
            hellos.append(after)
            runs[name].append(run)
            mean = (before["requests_per_second"] + after["requests_per_second"]) / 2
            brackets[name].append({"requests_per_second": mean})
            line.append(f"{name} {run['requests_per_second']}/s")
            line.append(f"{ceiling} {after['requests_per_second']}/s")
            before = after
        print(f"round {round_}: " + ", ".join(line), flush=True)
    figures = {name: against_ceiling(runs[name], brackets[name]) for name in targets}
    figures["ceiling"] = against_ceiling(hellos, hellos)
    return figures


def against_ceiling(runs: list[dict[str, Any]], ceilings: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over interleaved rounds: requests/s, the ratio to the same round's ceiling
    (the hello view of the same server), p50 and p99, and every failed answer."""

    def median(values: list[float]) -> float:
        return round(statistics.median(values), 3)

    return {
        "requests_per_second": median([r["requests_per_second"] for r in runs]),
        "ratio_to_ceiling": median(
            [
                run["requests_per_second"] / ceiling["requests_per_second"]
                for run, ceiling in zip(runs, ceilings, strict=True)
            ]
        ),
        "p50_ms": median([r["p50_ms"] for r in runs]),
        "p99_ms": median([r["p99_ms"] for r in runs]),
        "failed": sum(r["socket_errors"] + r["non_2xx"] for r in runs),
    }
