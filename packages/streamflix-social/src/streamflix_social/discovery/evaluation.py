"""Offline measure of a ranking: leave-last-out, hit-rate@k and NDCG@k. No Django."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import TopK


@dataclass(frozen=True)
class Split:
    """Interactions split by leave-last-out: the training rows, and for each profile with at
    least two interactions its last title (``held_out[p]``, ``-1`` for the others)."""

    train_rows: np.ndarray
    train_cols: np.ndarray
    train_weights: np.ndarray
    train_index: np.ndarray
    held_out: np.ndarray


def leave_last_out(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, times: np.ndarray, n_profiles: int
) -> Split:
    """Hold out each profile's most recent interaction (when it has another to learn from).
    ``train_index`` gives the kept interactions' positions in the arguments."""
    order = np.lexsort((times, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    counts = np.bincount(rows, minlength=n_profiles)
    last = np.cumsum(counts) - 1
    eligible = counts >= 2
    held_out = np.full(n_profiles, -1, dtype=np.int64)
    held_out[eligible] = cols[last[eligible]]
    drop = np.zeros(rows.size, dtype=bool)
    drop[last[eligible]] = True
    # The held-out title is gone from training for that profile, repeats included.
    drop |= (held_out[rows] == cols) & eligible[rows]
    return Split(rows[~drop], cols[~drop], weights[~drop], order[~drop], held_out)


def hit_rate_and_ndcg(ranked: TopK, held_out: np.ndarray, k: int = 10) -> tuple[float, float]:
    """Hit-rate@k (share of profiles whose held-out title is in their top k) and NDCG@k
    (the same, discounted by ``1 / log2(rank + 2)``), over profiles with a held-out title."""
    evaluated = held_out >= 0
    if not evaluated.any():
        return 0.0, 0.0
    top = ranked.index[evaluated, :k]
    hits = top == held_out[evaluated, None]
    found = hits.any(axis=1)
    ranks = hits.argmax(axis=1)
    gains = np.where(found, 1.0 / np.log2(ranks + 2.0), 0.0)
    return float(found.mean()), float(gains.mean())
