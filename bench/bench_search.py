"""Fuzzy search over 100,000 generated titles: latency (p50/p95) and recall@10 per query class.

Query classes (``QUERIES`` each, every query aimed at one generated title, its *target*):

- ``1_typo`` / ``2_typo``: the target's name with one or two random character edits
  (deletion, insertion, substitution, transposition);
- ``partial``: part of the name, lower case: either its beginning typed and left off (whole
  words, possibly the next one cut short) or some of its words in order with others left out.
  A partial that more than ``AMBIGUOUS`` (10) titles contain (every word of the partial a
  word of the title's name or original name, the last one as a prefix) has no single right
  answer, so words of the name are put back, one at a time, until at most 10 titles contain
  it; a target none of whose partials is that specific ("The Silver Lion": "silver lion" is
  in more than 10 names) is skipped for another, and the skips are counted;
- ``reordered``: the name's words, lower case, in another order ("lion silver the").

recall@10 is the share of queries whose target is among the first ten results. The index and
the ranking are the ones the API serves (``streamflix_media.search.SearchIndex``). Each
query is timed in wall-clock time and in the CPU time of the thread (what the search itself
costs, whatever else the machine runs); the growth of the process's resident memory while
the index is built is reported too.

Over HTTP (skipped when ``wrk`` is missing, or with BENCH_SEARCH_HTTP=0): the demo (SQLite,
its shared SQLite cache, DEBUG off) with the same titles (``media_sample_catalog
--names-only``) under gunicorn (2 sync workers); after a warm-up in which each worker builds
its index, ``wrk`` (1 thread, BENCH_SEARCH_CONNECTIONS connections, default 1: one request
at a time, so the figures are latencies, not queueing; with 2, the two workers and wrk
contend for the 2 cores) sends ``GET /api/media/search?q=`` with the queries of every
class, mixed, for BENCH_SECONDS (10) seconds; p50, p95 and p99, and the same for
``GET /hello`` (a plain Django view behind the same middleware) on the same server, the
floor any endpoint there pays.

Figures go to bench/results/search.json. Run with ``nox -s bench -- search``.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import string
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "streamflix-media" / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from harness import demo_env, manage, serve, write_results  # noqa: E402
from wrk_load import wrk_get_paths, wrk_missing  # noqa: E402

from streamflix_media.sample_catalog import generate  # noqa: E402
from streamflix_media.search import SearchIndex, TitleEntry, normalize  # noqa: E402

TITLES = int(os.environ.get("BENCH_SEARCH_TITLES", "100000"))
QUERIES = int(os.environ.get("BENCH_SEARCH_QUERIES", "1000"))
AMBIGUOUS = 10
HTTP = os.environ.get("BENCH_SEARCH_HTTP", "1") != "0"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_SEARCH_CONNECTIONS", "1"))
TARGETS = {"p95_ms": 10, "recall_at_10": 0.99, "http_p95_ms": 20}


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


def reordered(name: str, rng: random.Random) -> str:
    """The name's words, lower case, in another order."""
    words = name.lower().split()
    shuffled = list(words)
    while shuffled == words:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


class Containment:
    """Which titles contain a partial query: each of its words is a word of the title's
    name or original name, its last word the beginning of one."""

    def __init__(self, entries: list[TitleEntry]) -> None:
        self.postings: dict[str, set[int]] = {}
        for entry in entries:
            for name in {entry.name, entry.original_name or entry.name}:
                for word in normalize(name).split():
                    self.postings.setdefault(word, set()).add(entry.id)
        self.vocabulary = sorted(self.postings)

    def count(self, words: list[str]) -> int:
        *whole, last = words
        start = bisect_left(self.vocabulary, last)
        prefixed: set[int] = set()
        for word in self.vocabulary[start:]:
            if not word.startswith(last):
                break
            prefixed |= self.postings[word]
        found = prefixed
        for word in whole:
            found = found & self.postings.get(word, set())
        return len(found)


def partial(name: str, rng: random.Random, containment: Containment) -> str | None:
    """Part of ``name`` that at most ``AMBIGUOUS`` titles contain, or ``None``."""
    words = normalize(name).split()
    if rng.randrange(2):
        # The beginning, typed letter by letter until at most AMBIGUOUS titles contain it.
        text = " ".join(words)
        typed = rng.randrange(2, len(text))
        while typed < len(text):
            if text[typed - 1] != " " and containment.count(text[:typed].split()) <= AMBIGUOUS:
                return text[:typed]
            typed += 1
        return None
    # Some words in order, others left out.
    left_out = set(rng.sample(range(len(words)), rng.randrange(1, len(words))))
    while left_out:
        typed = [w for i, w in enumerate(words) if i not in left_out]
        if containment.count(typed) <= AMBIGUOUS:
            return " ".join(typed)
        left_out.discard(rng.choice(sorted(left_out)))
    return None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def resident_mb() -> float:
    """The process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def http_latency(queries: list[str]) -> dict[str, Any]:
    """p50/p95/p99 of ``GET /api/media/search`` under gunicorn, or why it was skipped."""
    missing = wrk_missing()
    if missing:
        return {"skipped": missing}
    data_dir = Path(tempfile.mkdtemp(prefix="streamflix-bench-search-"))
    env = demo_env(data_dir, DJANGO_DEBUG="0")
    manage(env, "migrate", "-v0")
    started = time.perf_counter()
    manage(env, "media_sample_catalog", "--titles", str(TITLES), "--names-only")
    loaded = time.perf_counter() - started
    # The classes mixed, so a short run meets all of them.
    mixed = random.Random(7).sample(queries, len(queries))
    paths = data_dir / "search_paths.txt"
    paths.write_text("".join(f"/api/media/search?q={quote(q)}\n" for q in mixed))
    with serve("gunicorn-2-workers", env, ready_path="/api/media/search?q=warm") as base:
        # Each worker builds its index on its first search.
        wrk_get_paths(base, paths, seconds=5, threads=1, connections=2)
        summary = wrk_get_paths(base, paths, seconds=SECONDS, threads=1, connections=CONNECTIONS)
        # The same server's floor: a plain Django view behind the same middleware.
        hello = data_dir / "hello_paths.txt"
        hello.write_text("/hello\n")
        floor = wrk_get_paths(base, hello, seconds=SECONDS, threads=1, connections=CONNECTIONS)
    return {
        "server": "gunicorn, 2 sync workers, DEBUG off, SQLite, the shared SQLite cache",
        "load": f"wrk -t1 -c{CONNECTIONS} -d{SECONDS}s over {len(queries)} queries of every class",
        "load_seconds": round(loaded, 1),
        **{k: summary[k] for k in ("requests_per_second", "p50_ms", "p95_ms", "p99_ms")},
        "failed": summary["socket_errors"] + summary["non_2xx"] + summary["not_200"],
        "hello": {k: floor[k] for k in ("requests_per_second", "p50_ms", "p95_ms", "p99_ms")},
    }


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
    memory_before = resident_mb()
    started = time.perf_counter()
    index = SearchIndex(entries)
    built = time.perf_counter() - started
    index_mb = resident_mb() - memory_before
    containment = Containment(entries)
    rng = random.Random(4242)
    index.search("warm up")
    makers: dict[str, Callable[[str], str | None]] = {
        "1_typo": lambda name: with_typos(name, 1, rng),
        "2_typo": lambda name: with_typos(name, 2, rng),
        "partial": lambda name: partial(name, rng, containment),
        "reordered": lambda name: reordered(name, rng),
    }
    only = set(filter(None, os.environ.get("BENCH_SEARCH_CLASSES", "").split(",")))
    results: dict[str, dict[str, float]] = {}
    misses: dict[str, list[str]] = {}
    asked: list[str] = []
    for name, make in makers.items():
        if only and name not in only:
            continue
        latencies: list[float] = []
        cpu: list[float] = []
        found = skipped = 0
        misses[name] = []
        while len(latencies) < QUERIES:
            target = rng.randrange(len(entries))
            query = make(entries[target].name)
            if query is None:
                skipped += 1
                continue
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            hits = index.search(query, limit=10)
            latencies.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.thread_time() - begin_cpu) * 1000)
            asked.append(query)
            hit = any(hit.entry.id == target for hit in hits)
            found += hit
            if not hit:
                misses[name].append(f"{query!r} -> {entries[target].name!r}")
        results[name] = {
            "queries": QUERIES,
            "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(percentile(latencies, 0.95), 2),
            "max_ms": round(max(latencies), 2),
            "cpu_p50_ms": round(statistics.median(cpu), 2),
            "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
            "recall_at_10": round(found / QUERIES, 4),
            **({"targets_skipped_as_ambiguous": skipped} if name == "partial" else {}),
        }
        print(f"{name}: {results[name]}", flush=True)
        for miss in misses[name][:10]:
            print(f"  missed {miss}")
    print(
        f"index of {len(entries)} titles built in {built:.2f} s, about {index_mb:.0f} MB"
        f" (generated in {generated:.2f} s)"
    )
    http = http_latency(asked) if HTTP else {"skipped": "BENCH_SEARCH_HTTP=0"}
    print(f"over HTTP: {http}", flush=True)
    write_results(
        "search",
        {
            "titles": len(entries),
            "index_build_seconds": round(built, 2),
            "index_memory_mb": round(index_mb),
            "targets": TARGETS,
            "results": results,
            "http": http,
            "met": all(
                r["p95_ms"] <= TARGETS["p95_ms"] and r["recall_at_10"] >= TARGETS["recall_at_10"]
                for r in results.values()
            )
            and http.get("p95_ms", TARGETS["http_p95_ms"] + 1) <= TARGETS["http_p95_ms"],
        },
    )


if __name__ == "__main__":
    main()
