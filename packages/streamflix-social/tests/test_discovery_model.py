"""The discovery engine on small arrays: neighbours, picks, cold start, trending, metrics."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from streamflix_social.discovery.evaluation import hit_rate_and_ndcg, leave_last_out
from streamflix_social.discovery.model import (
    Eligibility,
    TopK,
    because_rows,
    blend_neighbours,
    cold_start_scores,
    cosine_neighbours,
    interaction_matrix,
    score_profiles,
    top_k_dense,
    trending_scores,
)


def two_groups() -> sp.csr_matrix:
    """Profiles 0-2 watch titles 0-2, profiles 3-5 watch titles 3-5."""
    rows = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    cols = [0, 1, 1, 2, 0, 2, 3, 4, 4, 5, 3, 5]
    return interaction_matrix(np.array(rows), np.array(cols), np.ones(12), (6, 6))


def test_top_k_skips_non_positive_and_pads_with_minus_one():
    best = top_k_dense(np.array([[0.0, 0.5, -np.inf, 0.9]], dtype=np.float32), 3)
    assert best.index.tolist() == [[3, 1, -1]]
    assert np.allclose(best.score, [[0.9, 0.5, 0.0]])


def test_cosine_neighbours_stay_within_a_taste_group_and_never_include_the_title_itself():
    neighbours = cosine_neighbours(sp.csr_matrix(two_groups().T), 5, chunk=2)
    for title in range(6):
        found = [n for n in neighbours.index[title] if n >= 0]
        assert title not in found
        assert set(found) == ({0, 1, 2} if title < 3 else {3, 4, 5}) - {title}


def test_interactions_repeated_pairs_add_up():
    matrix = interaction_matrix(np.array([0, 0]), np.array([1, 1]), np.array([2.0, 3.0]), (1, 2))
    assert matrix[0, 1] == 5.0 and matrix.nnz == 1


def test_blend_adds_weighted_scores_of_both_parts():
    a = TopK(np.array([[1], [0]]), np.array([[1.0], [1.0]], dtype=np.float32))
    b = TopK(np.array([[1], [-1]]), np.array([[0.5], [0.0]], dtype=np.float32))
    blended = blend_neighbours([(a, 0.5), (b, 0.5)], 2, 1)
    assert blended.index.tolist() == [[1], [0]]
    assert np.allclose(blended.score, [[0.75], [0.5]])


def test_picks_never_repeat_what_the_profile_engaged_with_nor_disallowed_titles():
    matrix = two_groups()
    similarity = cosine_neighbours(sp.csr_matrix(matrix.T), 5).to_sparse(6)
    allowed = np.array([True, True, False, True, True, True])
    picks = score_profiles(matrix, similarity, 3, allowed=allowed)
    assert picks.index[0].tolist() == [-1, -1, -1]  # its group's third title is a draft
    assert picks.index[1, 0] == 0 and picks.index[3, 0] == 5


def test_picks_respect_each_profiles_maturity_limit():
    matrix = two_groups()
    similarity = cosine_neighbours(sp.csr_matrix(matrix.T), 5).to_sparse(6)
    rules = Eligibility(
        maturity=np.array([0, 0, 18, 0, 0, 0]), limits=np.array([7, 18, 18, 18, 18, 18])
    )
    picks = score_profiles(matrix, similarity, 3, allowed=rules)
    assert 2 not in picks.index[0].tolist()
    assert picks.index[1, 0] == 0


def test_cold_start_is_trending_in_the_profiles_genres_then_popular():
    title_genres = sp.csr_matrix(np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float32))
    profile_genres = sp.csr_matrix(np.array([[0, 1]], dtype=np.float32))
    trending = np.array([5.0, 0.0, 1.0, 2.0])
    popularity = np.array([100.0, 50.0, 1.0, 1.0])
    seen = sp.csr_matrix((1, 4), dtype=np.float32)
    picks = cold_start_scores(profile_genres, title_genres, trending, popularity, seen, 4)
    assert picks.index[0].tolist() == [3, 2, 0, 1]


def test_because_rows_list_unseen_neighbours_of_each_anchor():
    neighbours = TopK(np.array([[1, 2], [0, 2], [0, 1]]), np.ones((3, 2), dtype=np.float32))
    seen = interaction_matrix(np.array([0, 0]), np.array([0, 1]), np.ones(2), (1, 3))
    rows = because_rows(seen, np.array([[0, -1]]), neighbours, 5)
    assert rows == [[(0, [(2, 1.0)])]]


def test_trending_decays_with_age_and_ignores_events_outside_the_window():
    scores = trending_scores(
        np.array([0, 1, 1]), np.array([0.0, 2.0, 9.0]), np.array([1.0, 1.0, 5.0]), 2,
        half_life_days=2.0, window_days=7.0,
    )  # fmt: skip
    assert np.allclose(scores, [1.0, 0.5])


def test_leave_last_out_holds_out_the_latest_title_of_profiles_with_two_or_more():
    rows, cols = np.array([0, 0, 0, 1]), np.array([5, 6, 7, 8])
    times = np.array([3.0, 1.0, 2.0, 1.0])
    split = leave_last_out(rows, cols, np.ones(4), times, 2)
    assert split.held_out.tolist() == [5, -1]
    assert sorted(zip(split.train_rows.tolist(), split.train_cols.tolist(), strict=True)) == [
        (0, 6),
        (0, 7),
        (1, 8),
    ]


def test_hit_rate_and_ndcg_count_rank_discounted_hits():
    ranked = TopK(np.array([[1, 2], [3, 4], [5, 6]]), np.ones((3, 2), dtype=np.float32))
    hit_rate, ndcg = hit_rate_and_ndcg(ranked, np.array([1, 4, 9]), 2)
    assert hit_rate == 2 / 3
    assert np.isclose(ndcg, (1.0 + 1 / np.log2(3)) / 3)


def test_because_rows_respect_drafts_and_each_profiles_maturity_limit():
    neighbours = TopK(np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]),
                      np.ones((4, 3), dtype=np.float32))  # fmt: skip
    seen = interaction_matrix(np.array([0, 1]), np.array([0, 0]), np.ones(2), (2, 4))
    rules = Eligibility(
        allowed=np.array([True, True, True, False]),
        maturity=np.array([0, 0, 18, 0]),
        limits=np.array([7, 18]),
    )
    rows = because_rows(seen, np.array([[0], [0]]), neighbours, 5, allowed=rules)
    assert rows == [[(0, [(1, 1.0)])], [(0, [(1, 1.0), (2, 1.0)])]]
