"""Gather every benchmark's results file (bench/results/<name>.json) into one document,
bench/results/all.json, keyed by benchmark, each with when it ran. ``nox -s bench`` runs it
after the benchmarks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import RESULTS_DIR, write_results

COLLECTED = "all"


def main() -> None:
    found = {
        path.stem: json.loads(path.read_text())
        for path in sorted(RESULTS_DIR.glob("*.json"))
        if path.stem != COLLECTED
    }
    write_results(COLLECTED, {"benchmarks": found})


if __name__ == "__main__":
    main()
