"""Recommendation arithmetic on numpy arrays and scipy sparse matrices; no Django.

Rows and columns are dense indexes (profile ``0..P-1``, title ``0..T-1``); the refresh maps
database ids to them and back. Memory stays bounded whatever the catalog: every product is
computed in chunks of rows, each chunk made dense only long enough to pick its top ``k``
with ``argpartition``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

Progress = Callable[[str], None]
CHUNK = 1024


@dataclass(frozen=True)
class TopK:
    """The best ``k`` columns of each row, best first: ``index`` (``-1`` where a row has
    fewer than ``k`` candidates) and ``score`` (``0`` there)."""

    index: np.ndarray
    score: np.ndarray

    @property
    def k(self) -> int:
        return int(self.index.shape[1])

    def to_sparse(self, n_columns: int) -> sp.csr_matrix:
        """The rows as a sparse ``rows x n_columns`` matrix of scores."""
        rows, slots = np.nonzero(self.index >= 0)
        return sp.csr_matrix(
            (self.score[rows, slots], (rows, self.index[rows, slots])),
            shape=(self.index.shape[0], n_columns),
            dtype=np.float32,
        )


def interaction_matrix(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """A ``profiles x titles`` matrix of implicit feedback; repeated pairs add up."""
    matrix = sp.csr_matrix(
        (np.asarray(weights, dtype=np.float32), (rows, cols)), shape=shape, dtype=np.float32
    )
    matrix.sum_duplicates()
    return matrix


def _normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ matrix)


def top_k_dense(block: np.ndarray, k: int) -> TopK:
    """The ``k`` largest entries of each row of ``block``; entries ``<= 0`` or ``-inf`` are
    not candidates."""
    n_rows, n_cols = block.shape
    k_eff = min(k, n_cols)
    index = np.full((n_rows, k), -1, dtype=np.int32)
    score = np.zeros((n_rows, k), dtype=np.float32)
    if k_eff == 0 or n_rows == 0:
        return TopK(index, score)
    part = np.argpartition(-block, k_eff - 1, axis=1)[:, :k_eff]
    values = np.take_along_axis(block, part, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    keep = np.isfinite(values) & (values > 0)
    index[:, :k_eff] = np.where(keep, part, -1)
    score[:, :k_eff] = np.where(keep, values, 0.0)
    return TopK(index, score)


def cosine_neighbours(
    features: sp.csr_matrix, k: int, *, chunk: int = CHUNK, progress: Progress | None = None
) -> TopK:
    """Each row's ``k`` most similar other rows by cosine of ``features`` (``items x
    anything``: profiles for co-engagement, genres/people/kind/decade for content)."""
    normalised = _normalise_rows(sp.csr_matrix(features, dtype=np.float32))
    transposed = sp.csc_matrix(normalised.T)
    n_items = normalised.shape[0]
    index = np.full((n_items, k), -1, dtype=np.int32)
    score = np.zeros((n_items, k), dtype=np.float32)
    for start in range(0, n_items, chunk):
        stop = min(start + chunk, n_items)
        block = (normalised[start:stop] @ transposed).toarray()
        block[np.arange(stop - start), np.arange(start, stop)] = 0.0  # not its own neighbour
        best = top_k_dense(block, k)
        index[start:stop], score[start:stop] = best.index, best.score
        if progress:
            progress(f"neighbours {stop}/{n_items}")
    return TopK(index, score)


def blend_neighbours(parts: Sequence[tuple[TopK, float]], n_items: int, k: int) -> TopK:
    """The ``k`` best neighbours of each item by a weighted sum of neighbour scores (a pair
    missing from one part counts 0 there)."""
    total = sp.csr_matrix((n_items, n_items), dtype=np.float32)
    for part, weight in parts:
        total = total + part.to_sparse(n_items) * np.float32(weight)
    return sparse_top_k(sp.csr_matrix(total), k)


def sparse_top_k(matrix: sp.csr_matrix, k: int, *, chunk: int = CHUNK) -> TopK:
    """``top_k_dense`` over a sparse matrix, a chunk of rows at a time."""
    n_rows = matrix.shape[0]
    index = np.full((n_rows, k), -1, dtype=np.int32)
    score = np.zeros((n_rows, k), dtype=np.float32)
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        best = top_k_dense(matrix[start:stop].toarray(), k)
        index[start:stop], score[start:stop] = best.index, best.score
    return TopK(index, score)


def popularity_prior(counts: np.ndarray) -> np.ndarray:
    """Popularity squashed into ``[0, 1]`` (log scale), the blend's tie-breaker."""
    logged = np.log1p(np.maximum(np.asarray(counts, dtype=np.float64), 0))
    top = logged.max() if logged.size else 0.0
    return (logged / top if top > 0 else logged).astype(np.float32)


@dataclass(frozen=True)
class Eligibility:
    """Which titles a profile may be offered: ``allowed`` titles (published), and, when
    given, only those whose ``maturity`` is at most the profile's ``limits`` entry."""

    allowed: np.ndarray | None = None
    maturity: np.ndarray | None = None
    limits: np.ndarray | None = None

    def mask(self, block: np.ndarray, profiles: np.ndarray | slice) -> None:
        """Set the entries of ``block`` (rows: ``profiles``) a profile may not get to -inf."""
        if self.allowed is not None:
            block[:, ~self.allowed] = -np.inf
        if self.maturity is not None and self.limits is not None:
            block[self.maturity[None, :] > self.limits[profiles][:, None]] = -np.inf


def score_profiles(
    interactions: sp.csr_matrix,
    similarity: sp.csr_matrix | None,
    k: int,
    *,
    prior: np.ndarray | None = None,
    prior_weight: float = 0.0,
    allowed: np.ndarray | Eligibility | None = None,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> TopK:
    """Each profile's ``k`` best titles: ``interactions @ similarity`` (item-item: what is
    close to what it engaged with), each row scaled to a maximum of 1, plus ``prior_weight``
    x ``prior``. Titles it engaged with and titles not ``allowed`` (drafts...) never come
    back. ``similarity=None`` ranks by the prior alone (popularity)."""
    eligibility = _eligibility(allowed)
    n_profiles, n_items = interactions.shape
    index = np.full((n_profiles, k), -1, dtype=np.int32)
    score = np.zeros((n_profiles, k), dtype=np.float32)
    for start in range(0, n_profiles, chunk):
        stop = min(start + chunk, n_profiles)
        rows = interactions[start:stop]
        if similarity is not None:
            block = (rows @ similarity).toarray()
            peak = block.max(axis=1, keepdims=True)
            peak[peak <= 0] = 1.0
            block /= peak
        else:
            block = np.zeros((stop - start, n_items), dtype=np.float32)
        if prior is not None and prior_weight:
            block += np.float32(prior_weight) * prior[None, :]
        eligibility.mask(block, slice(start, stop))
        seen_rows, seen_cols = rows.nonzero()
        block[seen_rows, seen_cols] = -np.inf
        best = top_k_dense(block, k)
        index[start:stop], score[start:stop] = best.index, best.score
        if progress:
            progress(f"picks {stop}/{n_profiles}")
    return TopK(index, score)


def trending_scores(
    titles: np.ndarray,
    ages_days: np.ndarray,
    weights: np.ndarray,
    n_items: int,
    *,
    half_life_days: float,
    window_days: float,
) -> np.ndarray:
    """Each title's engagement in the last ``window_days``, each event weighted and halved
    every ``half_life_days`` of age (older events count nothing)."""
    ages = np.asarray(ages_days, dtype=np.float64)
    inside = (ages >= 0) & (ages <= window_days)
    decayed = np.asarray(weights, dtype=np.float64)[inside] * np.power(
        0.5, ages[inside] / half_life_days
    )
    return np.bincount(np.asarray(titles)[inside], weights=decayed, minlength=n_items).astype(
        np.float32
    )


def cold_start_scores(
    profile_genres: sp.csr_matrix,
    title_genres: sp.csr_matrix,
    trending: np.ndarray,
    popularity: np.ndarray,
    seen: sp.csr_matrix,
    k: int,
    *,
    allowed: np.ndarray | Eligibility | None = None,
    chunk: int = CHUNK,
) -> TopK:
    """Picks for profiles with too little history: titles trending in a genre the profile
    chose or watched (most trending first), then everything else by popularity."""
    eligibility = _eligibility(allowed)
    trend = np.asarray(trending, dtype=np.float32)
    trend_norm = trend / trend.max() if trend.size and trend.max() > 0 else trend
    popular = popularity_prior(popularity)
    genres_t = sp.csc_matrix(title_genres.T.astype(np.float32))
    n_profiles = profile_genres.shape[0]
    index = np.full((n_profiles, k), -1, dtype=np.int32)
    score = np.zeros((n_profiles, k), dtype=np.float32)
    for start in range(0, n_profiles, chunk):
        stop = min(start + chunk, n_profiles)
        in_genre = (profile_genres[start:stop].astype(np.float32) @ genres_t).toarray() > 0
        # Above 1: a trending title in the profile's genres; up to 1: popularity (+ a hair,
        # so a title nobody engaged with stays a candidate behind the others).
        block = np.where(in_genre & (trend_norm > 0)[None, :], 1.0 + trend_norm, popular + 1e-3)
        block = block.astype(np.float32)
        eligibility.mask(block, slice(start, stop))
        seen_rows, seen_cols = seen[start:stop].nonzero()
        block[seen_rows, seen_cols] = -np.inf
        best = top_k_dense(block, k)
        index[start:stop], score[start:stop] = best.index, best.score
    return TopK(index, score)


def because_rows(
    interactions: sp.csr_matrix,
    anchors: np.ndarray,
    neighbours: TopK,
    size: int,
    *,
    allowed: np.ndarray | Eligibility | None = None,
) -> list[list[tuple[int, list[tuple[int, float]]]]]:
    """ "Because you watched X": for each profile, for each of its anchor titles (``anchors``:
    ``profiles x A``, ``-1`` for none), up to ``size`` of X's neighbours it has not engaged
    with, as ``(anchor, [(title, score), ...])``. An anchor without any is left out."""
    eligibility = _eligibility(allowed)
    n_profiles, n_items = interactions.shape
    if anchors.size == 0 or n_profiles == 0:
        return [[] for _ in range(n_profiles)]
    valid = anchors >= 0
    safe = np.where(valid, anchors, 0)
    candidates = neighbours.index[safe]  # profiles x A x k
    scores = neighbours.score[safe]
    keep = (candidates >= 0) & valid[:, :, None]
    # "Not engaged with": look every (profile, candidate) pair up in the sorted pair keys.
    seen = sp.csr_matrix(interactions)
    seen.sum_duplicates()
    seen.sort_indices()
    seen_keys = np.repeat(np.arange(n_profiles, dtype=np.int64), np.diff(seen.indptr)) * n_items
    seen_keys += seen.indices
    profile_of = np.arange(n_profiles, dtype=np.int64)[:, None, None]
    keys = profile_of * n_items + np.maximum(candidates, 0)
    spot = np.minimum(np.searchsorted(seen_keys, keys), max(seen_keys.size - 1, 0))
    if seen_keys.size:
        keep &= seen_keys[spot] != keys
    flat = np.maximum(candidates, 0)
    if eligibility.allowed is not None:
        keep &= eligibility.allowed[flat]
    if eligibility.maturity is not None and eligibility.limits is not None:
        keep &= eligibility.maturity[flat] <= eligibility.limits[:, None, None]
    keep &= np.cumsum(keep, axis=2) <= size
    result: list[list[tuple[int, list[tuple[int, float]]]]] = []
    for profile in range(n_profiles):
        rows: list[tuple[int, list[tuple[int, float]]]] = []
        for slot in np.flatnonzero(keep[profile].any(axis=1)):
            chosen = keep[profile, slot]
            titles = candidates[profile, slot][chosen].tolist()
            values = scores[profile, slot][chosen].tolist()
            rows.append((int(anchors[profile, slot]), list(zip(titles, values, strict=True))))
        result.append(rows)
    return result


def _eligibility(allowed: np.ndarray | Eligibility | None) -> Eligibility:
    return allowed if isinstance(allowed, Eligibility) else Eligibility(allowed=allowed)
