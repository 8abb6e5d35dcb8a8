"""Fuzzy search over 100,000 generated titles: latency (p50/p95) and recall@10.

Queries are generated titles with one or two random character edits (deletion, insertion,
substitution, transposition). The index and the ranking are the ones the API serves
(``streamflix_media.search.SearchIndex``). Figures go to bench/results/search.json.
Run with ``nox -s bench -- search``.
"""

from __future__ import annotations

import os
import random
import statistics
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "streamflix-media" / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from harness import write_results  # noqa: E402

from streamflix_media.sample_catalog import generate  # noqa: E402
from streamflix_media.search import SearchIndex, TitleEntry  # noqa: E402

TITLES = int(os.environ.get("BENCH_SEARCH_TITLES", "100000"))
QUERIES = int(os.environ.get("BENCH_SEARCH_QUERIES", "1000"))


def with_typos(text: str, edits: int, rng: random.Random) -> str:
    for _ in range(edits):
        i = rng.randrange(len(text))
        letter = rng.choice(string.ascii_lowercase)
        operation = rng.randrange(4)
        if operation == 0 and len(text) > 1:
            text = text[:i] + text[i + 1 :]
        elif operation == 1:
            text = text[:i] + letter + text[i:]
        elif operation == 2:
            text = text[:i] + letter + text[i + 1 :]
        elif i < len(text) - 1:
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    started = time.perf_counter()
    catalog = generate(titles=TITLES, details=False)
    generated = time.perf_counter() - started
    entries = [
        TitleEntry(
            id=number,
            slug=t.slug,
            name=t.name,
            kind=t.kind,
            year=t.year,
            maturity_rating=t.maturity_rating,
            original_name=t.original_name if t.original_name != t.name else "",
        )
        for number, t in enumerate(catalog.titles)
    ]
    started = time.perf_counter()
    index = SearchIndex(entries)
    built = time.perf_counter() - started
    rng = random.Random(4242)
    index.search("warm up")
    results: dict[str, dict[str, float]] = {}
    for edits in (1, 2):
        latencies: list[float] = []
        found = 0
        for _ in range(QUERIES):
            target = rng.randrange(len(entries))
            query = with_typos(entries[target].name, edits, rng)
            begin = time.perf_counter()
            hits = index.search(query, limit=10)
            latencies.append((time.perf_counter() - begin) * 1000)
            found += any(hit.entry.id == target for hit in hits)
        results[f"{edits}_typo"] = {
            "queries": QUERIES,
            "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(percentile(latencies, 0.95), 2),
            "max_ms": round(max(latencies), 2),
            "recall_at_10": round(found / QUERIES, 4),
        }
        print(f"{edits} typo(s): {results[f'{edits}_typo']}", flush=True)
    print(f"index of {len(entries)} titles built in {built:.2f} s (generated in {generated:.2f} s)")
    write_results(
        "search",
        {
            "titles": len(entries),
            "index_build_seconds": round(built, 2),
            "targets": {"p95_ms": 25, "recall_at_10": 0.95},
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
