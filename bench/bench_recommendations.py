"""Discovery, measured offline: a synthetic catalog and audience with planted taste groups and
a long tail of popularity, leave-last-out, hit-rate@10 and NDCG@10 of four strategies
(popularity, content-only, item-item, the blend the site serves), then the wall time and
peak memory of one full refresh computation at 20,000 profiles x 10,000 titles x 1,000,000
interactions.

The strategies and the refresh are the functions the site runs
(``streamflix_social.discovery``), on arrays instead of database rows. The refresh runs in a
child process, so its peak resident memory (``ru_maxrss``) is its own, interpreter included.
Figures go to bench/results/recommendations.json. Run with
``nox -s bench -- recommendations`` (or ``python bench/bench_recommendations.py``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packages" / "streamflix-social" / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from streamflix_social.discovery.evaluation import hit_rate_and_ndcg, leave_last_out  # noqa: E402
from streamflix_social.discovery.model import (  # noqa: E402
    cosine_neighbours,
    interaction_matrix,
    popularity_prior,
    score_profiles,
    trending_scores,
)
from streamflix_social.discovery.pipeline import (  # noqa: E402
    Inputs,
    Tuning,
    compute,
    item_neighbours,
    profile_picks,
)

PROFILES = int(os.environ.get("BENCH_RECS_PROFILES", "20000"))
TITLES = int(os.environ.get("BENCH_RECS_TITLES", "10000"))
INTERACTIONS = int(os.environ.get("BENCH_RECS_INTERACTIONS", "1000000"))
GROUPS = 25
PEOPLE = 2000
IN_GROUP = 0.75
SEED = 13
TARGETS = {"blend_over_popularity_hit_rate": 2.0, "refresh_seconds": 60, "refresh_peak_mib": 2048}
# Event kinds and their implicit weights, as the refresh weighs them (see docs/discovery.md).
EVENTS = np.array([3.0, 2.0, 2.0, 1.0, 0.5], dtype=np.float32)
EVENT_SHARE = np.array([0.5, 0.2, 0.1, 0.1, 0.1])


def generate(profiles: int, titles: int, interactions: int, seed: int = SEED) -> dict:
    """A world: each title belongs to a taste group (its main genre, most of its people),
    popularity falls off as 1/rank; each profile has a group and draws ``IN_GROUP`` of its
    interactions from it (popular ones more often), the rest from the whole catalog."""
    rng = np.random.default_rng(seed)
    title_group = rng.integers(GROUPS, size=titles)
    popularity = 1.0 / np.arange(1, titles + 1) ** 0.9
    popularity = popularity[rng.permutation(titles)]
    second_genre = np.where(rng.random(titles) < 0.3, rng.integers(GROUPS, size=titles), -1)
    person_group = rng.integers(GROUPS, size=PEOPLE)
    people_of = [np.flatnonzero(person_group == g) for g in range(GROUPS)]
    feature_rows, feature_cols, feature_values = [], [], []
    kind = (rng.random(titles) < 0.2).astype(int)
    decade = rng.integers(7, size=titles)
    for t in range(titles):
        g = title_group[t]
        cast = [*rng.choice(people_of[g], size=2), rng.integers(PEOPLE)]
        genres = [g] + ([second_genre[t]] if second_genre[t] >= 0 else [])
        cols = genres + [GROUPS + p for p in cast] + [GROUPS + PEOPLE + kind[t]]
        cols.append(GROUPS + PEOPLE + 2 + decade[t])
        values = [1.0] * len(genres) + [0.5] * len(cast) + [0.3, 0.3]
        feature_rows += [t] * len(cols)
        feature_cols += cols
        feature_values += values
    features = sp.csr_matrix(
        (feature_values, (feature_rows, feature_cols)),
        shape=(titles, GROUPS + PEOPLE + 2 + 7),
        dtype=np.float32,
    )
    features.sum_duplicates()
    genre_rows = np.concatenate([np.arange(titles), np.flatnonzero(second_genre >= 0)])
    genre_cols = np.concatenate([title_group, second_genre[second_genre >= 0]])
    title_genres = sp.csr_matrix(
        (np.ones(genre_rows.size, dtype=np.float32), (genre_rows, genre_cols)),
        shape=(titles, GROUPS),
    )

    profile_group = rng.integers(GROUPS, size=profiles)
    sizes = rng.lognormal(0.0, 1.0, size=profiles)
    sizes = np.maximum(1, np.round(sizes / sizes.sum() * interactions * 1.15)).astype(int)
    # Popular titles repeat: draw until enough distinct (profile, title) pairs remain.
    rows, cols = _draw(rng, sizes, profile_group, title_group, popularity)
    while np.unique(rows * titles + cols).size < interactions and sizes.sum() < 20 * interactions:
        sizes = np.ceil(sizes * 1.3).astype(int)
        rows, cols = _draw(rng, sizes, profile_group, title_group, popularity)
    _, first = np.unique(rows * titles + cols, return_index=True)
    keep = rng.permutation(first)[:interactions]
    keep.sort()
    rows, cols = rows[keep], cols[keep]
    weights = rng.choice(EVENTS, size=rows.size, p=EVENT_SHARE)
    times = rng.random(rows.size)
    allowed = rng.random(titles) >= 0.02  # a few drafts, never recommended
    return {
        "rows": rows, "cols": cols, "weights": weights, "times": times,
        "features": features, "title_genres": title_genres, "allowed": allowed,
    }  # fmt: skip


def _draw(rng, sizes, profile_group, title_group, popularity):  # type: ignore[no-untyped-def]
    titles = title_group.size
    rows = np.repeat(np.arange(sizes.size), sizes)
    in_group = rng.random(rows.size) < IN_GROUP
    cols = np.empty(rows.size, dtype=np.int64)
    everywhere = np.cumsum(popularity / popularity.sum())
    outside = ~in_group
    cols[outside] = np.searchsorted(everywhere, rng.random(outside.sum()) * everywhere[-1])
    for g in range(GROUPS):
        members = np.flatnonzero(title_group == g)
        cumulative = np.cumsum(popularity[members])
        draws = in_group & (profile_group[rows] == g)
        picked = np.searchsorted(cumulative, rng.random(draws.sum()) * cumulative[-1])
        cols[draws] = members[np.minimum(picked, members.size - 1)]
    return rows, np.minimum(cols, titles - 1)


def inputs_for(world: dict, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
               times: np.ndarray, profiles: int, titles: int) -> Inputs:  # fmt: skip
    """What the refresh would read from the database, for these interactions: the last
    tenth of the time span counts as the trending window (7 days)."""
    seen = interaction_matrix(rows, cols, np.ones(rows.size), (profiles, titles))
    profile_genres = sp.csr_matrix((seen @ world["title_genres"]) > 0, dtype=np.float32)
    recent = times >= 0.9
    trending = trending_scores(
        cols[recent], (1.0 - times[recent]) * 70, weights[recent], titles,
        half_life_days=2.0, window_days=7.0,
    )  # fmt: skip
    order = np.lexsort((-times, rows))
    anchors = np.full((profiles, 2), -1, dtype=np.int64)
    starts = np.searchsorted(rows[order], np.arange(profiles))
    counts = np.bincount(rows, minlength=profiles)
    for slot in range(2):
        has = counts > slot
        anchors[has, slot] = cols[order][starts[has] + slot]
    return Inputs(
        n_profiles=profiles, n_titles=titles, rows=rows, cols=cols, weights=weights,
        title_features=world["features"], title_genres=world["title_genres"],
        profile_genres=profile_genres, allowed=world["allowed"],
        popularity=np.bincount(cols, weights=weights, minlength=titles), trending=trending,
        anchors=anchors,
    )  # fmt: skip


def evaluate(world: dict, profiles: int, titles: int, tuning: Tuning) -> dict:
    """Hit-rate@10 and NDCG@10 of each strategy, trained without each profile's last title."""
    split = leave_last_out(world["rows"], world["cols"], world["weights"], world["times"], profiles)
    inputs = inputs_for(
        world, split.train_rows, split.train_cols, split.train_weights,
        world["times"][split.train_index], profiles, titles,
    )  # fmt: skip
    train = interaction_matrix(split.train_rows, split.train_cols, split.train_weights,
                               (profiles, titles))  # fmt: skip
    allowed = world["allowed"]
    strategies = {
        "popularity": lambda: score_profiles(
            train, None, 10, prior=popularity_prior(inputs.popularity), prior_weight=1.0,
            allowed=allowed,
        ),
        "content_only": lambda: score_profiles(
            train, cosine_neighbours(world["features"], tuning.neighbours).to_sparse(titles), 10,
            allowed=allowed,
        ),
        "item_item": lambda: score_profiles(
            train, cosine_neighbours(sp.csr_matrix(train.T), tuning.neighbours).to_sparse(titles),
            10, allowed=allowed,
        ),
        "blend": lambda: profile_picks(
            train, item_neighbours(train, world["features"], tuning), inputs, tuning
        ),
    }  # fmt: skip
    results = {}
    for name, run in strategies.items():
        started = time.perf_counter()
        ranked = run()
        hit_rate, ndcg = hit_rate_and_ndcg(ranked, split.held_out, 10)
        results[name] = {
            "hit_rate_at_10": round(hit_rate, 4),
            "ndcg_at_10": round(ndcg, 4),
            "seconds": round(time.perf_counter() - started, 2),
        }
        print(f"{name:>13}: hit-rate@10 {hit_rate:.4f}  NDCG@10 {ndcg:.4f}")
    results["profiles_evaluated"] = int((split.held_out >= 0).sum())
    return results


def refresh_child(path: str) -> None:
    """The timed part, in its own process: one full computation from arrays."""
    data = np.load(path, allow_pickle=False)
    world = {
        "rows": data["rows"], "cols": data["cols"], "weights": data["weights"],
        "times": data["times"], "allowed": data["allowed"],
        "features": sp.load_npz(path + ".features.npz"),
        "title_genres": sp.load_npz(path + ".genres.npz"),
    }  # fmt: skip
    profiles, titles = int(data["shape"][0]), int(data["shape"][1])
    started = time.perf_counter()
    inputs = inputs_for(world, world["rows"], world["cols"], world["weights"], world["times"],
                        profiles, titles)  # fmt: skip
    outputs = compute(inputs, Tuning())
    seconds = time.perf_counter() - started
    with_picks = int((outputs.picks.index[:, 0] >= 0).sum())
    with_neighbours = int((outputs.neighbours.index[:, 0] >= 0).sum())
    print(f"{seconds:.3f} {with_picks} {with_neighbours}")


def measure_refresh(world: dict, profiles: int, titles: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "world.npz")
        np.savez(
            path, rows=world["rows"], cols=world["cols"], weights=world["weights"],
            times=world["times"], allowed=world["allowed"], shape=np.array([profiles, titles]),
        )  # fmt: skip
        sp.save_npz(path + ".features.npz", world["features"])
        sp.save_npz(path + ".genres.npz", world["title_genres"])
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--refresh-child", path],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        wall = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds, with_picks, with_neighbours = float(out[0]), int(out[1]), int(out[2])
    result = {
        "compute_seconds": round(seconds, 2),
        "process_seconds_with_imports_and_load": round(wall, 2),
        "peak_rss_mib": round(max(peak_kib, before) / 1024, 1),
        "profiles_with_picks": with_picks,
        "titles_with_neighbours": with_neighbours,
    }
    print(f"full refresh: {seconds:.1f} s compute, peak RSS {result['peak_rss_mib']} MiB")
    return result


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--refresh-child":
        refresh_child(sys.argv[2])
        return
    from harness import write_results

    tuning = Tuning()
    started = time.perf_counter()
    world = generate(PROFILES, TITLES, INTERACTIONS)
    print(f"generated {world['rows'].size} interactions in {time.perf_counter() - started:.1f} s")
    quality = evaluate(world, PROFILES, TITLES, tuning)
    refresh = measure_refresh(world, PROFILES, TITLES)
    ratio = quality["blend"]["hit_rate_at_10"] / max(quality["popularity"]["hit_rate_at_10"], 1e-9)
    print(f"blend / popularity hit-rate@10: {ratio:.2f}")
    write_results(
        "recommendations",
        {
            "command": "python bench/bench_recommendations.py",
            "world": {
                "profiles": PROFILES, "titles": TITLES,
                "interactions": int(world["rows"].size), "taste_groups": GROUPS,
                "in_group_share": IN_GROUP, "popularity": "1/rank^0.9", "seed": SEED,
            },
            "tuning": tuning.__dict__,
            "targets": TARGETS,
            "quality_leave_last_out": quality,
            "blend_over_popularity_hit_rate": round(ratio, 2),
            "full_refresh": refresh,
        },
    )  # fmt: skip


if __name__ == "__main__":
    main()
