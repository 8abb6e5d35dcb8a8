"""One full computation of discovery, from arrays to the rows the refresh stores. No Django:
the refresh fills :class:`Inputs` from the database, the bench from a generator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .model import (
    Eligibility,
    Progress,
    TopK,
    because_rows,
    blend_neighbours,
    cold_start_scores,
    cosine_neighbours,
    interaction_matrix,
    popularity_prior,
    score_profiles,
)


@dataclass(frozen=True)
class Tuning:
    """The knobs (``STREAMFLIX_SOCIAL["DISCOVERY_*"]`` in a site)."""

    neighbours: int = 100
    picks: int = 50
    row_size: int = 20
    co_weight: float = 0.95
    content_weight: float = 0.05
    prior_weight: float = 0.3
    cold_start_below: int = 3


@dataclass(frozen=True)
class Inputs:
    """Everything is indexed ``0..n_profiles-1`` and ``0..n_titles-1``.

    ``rows``/``cols``/``weights``: implicit feedback (completion, like, rating, list...).
    ``title_features``: titles x content features (genres, people, kind, decade).
    ``title_genres``/``profile_genres``: genre memberships (cold start).
    ``allowed``: titles that may be recommended (published). ``popularity``: all-time
    engagement per title. ``trending``: decayed recent engagement per title.
    ``anchors``: profiles x A titles for "Because you watched" (``-1``: none).
    ``title_maturity``/``profile_limits`` (optional): a profile is never offered a title
    above its maturity limit.
    """

    n_profiles: int
    n_titles: int
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    title_features: sp.csr_matrix
    title_genres: sp.csr_matrix
    profile_genres: sp.csr_matrix
    allowed: np.ndarray
    popularity: np.ndarray
    trending: np.ndarray
    anchors: np.ndarray
    title_maturity: np.ndarray | None = None
    profile_limits: np.ndarray | None = None

    @property
    def eligibility(self) -> Eligibility:
        return Eligibility(self.allowed, self.title_maturity, self.profile_limits)


@dataclass(frozen=True)
class Outputs:
    neighbours: TopK
    picks: TopK
    because: list[list[tuple[int, list[tuple[int, float]]]]]
    interactions: sp.csr_matrix


def item_neighbours(
    interactions: sp.csr_matrix,
    title_features: sp.csr_matrix,
    tuning: Tuning,
    progress: Progress | None = None,
) -> TopK:
    """Co-engagement cosine blended with content cosine: "More like this", and the
    similarity the picks are scored with."""
    n_titles = interactions.shape[1]
    co = cosine_neighbours(sp.csr_matrix(interactions.T), tuning.neighbours, progress=progress)
    content = cosine_neighbours(title_features, tuning.neighbours, progress=progress)
    return blend_neighbours(
        [(co, tuning.co_weight), (content, tuning.content_weight)], n_titles, tuning.neighbours
    )


def profile_picks(
    interactions: sp.csr_matrix,
    neighbours: TopK,
    inputs: Inputs,
    tuning: Tuning,
    progress: Progress | None = None,
) -> TopK:
    """Top picks: item-item scores over the blended neighbours with a popularity prior; a
    profile with fewer than ``cold_start_below`` interactions gets the cold-start ranking."""
    similarity = neighbours.to_sparse(inputs.n_titles)
    prior = popularity_prior(inputs.popularity)
    picks = score_profiles(
        interactions,
        similarity,
        tuning.picks,
        prior=prior,
        prior_weight=tuning.prior_weight,
        allowed=inputs.eligibility,
        progress=progress,
    )
    counts = np.diff(interactions.indptr)
    cold = np.flatnonzero(counts < tuning.cold_start_below)
    if cold.size:
        eligibility = inputs.eligibility
        if eligibility.limits is not None:
            eligibility = Eligibility(
                eligibility.allowed, eligibility.maturity, eligibility.limits[cold]
            )
        fallback = cold_start_scores(
            inputs.profile_genres[cold],
            inputs.title_genres,
            inputs.trending,
            inputs.popularity,
            interactions[cold],
            tuning.picks,
            allowed=eligibility,
        )
        picks.index[cold], picks.score[cold] = fallback.index, fallback.score
    return picks


def compute(inputs: Inputs, tuning: Tuning, progress: Progress | None = None) -> Outputs:
    """Neighbours of every title, picks and "Because you watched" rows of every profile."""
    interactions = interaction_matrix(
        inputs.rows, inputs.cols, inputs.weights, (inputs.n_profiles, inputs.n_titles)
    )
    neighbours = item_neighbours(interactions, inputs.title_features, tuning, progress)
    picks = profile_picks(interactions, neighbours, inputs, tuning, progress)
    because = because_rows(
        interactions, inputs.anchors, neighbours, tuning.row_size, allowed=inputs.eligibility
    )
    return Outputs(neighbours, picks, because, interactions)
