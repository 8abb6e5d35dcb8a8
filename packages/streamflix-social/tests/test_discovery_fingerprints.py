"""Profile fingerprints: equal input, equal numbers in any run; any change moves them."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from streamflix_social.discovery.fingerprints import (
    changed_profiles,
    id_noise,
    pack,
    profile_fingerprints,
    unpack,
)


def fingerprints(rows, cols, weights, title_ids, chosen=None, genre_ids=(5, 9)):
    interactions = sp.csr_matrix((weights, (rows, cols)), shape=(3, len(title_ids)))
    chosen = chosen if chosen is not None else sp.csr_matrix((3, len(genre_ids)))
    return profile_fingerprints(
        interactions, np.array(title_ids), chosen, np.array(genre_ids, dtype=np.int64)
    )


def test_noise_depends_on_the_id_only_and_lies_in_the_unit_interval():
    ids = np.array([1, 2, 3, 10**9])
    first, again = id_noise(ids, 1), id_noise(ids[::-1], 1)[::-1]
    assert np.array_equal(first, again)
    assert ((first >= 0) & (first < 1)).all()
    assert not np.array_equal(first, id_noise(ids, 2))
    assert len(set(first.tolist())) == ids.size


def test_the_same_tastes_give_the_same_fingerprint_when_other_titles_come_and_go():
    before = fingerprints([0, 0, 1], [0, 2, 1], [3.0, 2.0, 1.0], title_ids=[10, 20, 30])
    # title 15 was added (so 20 and 30 moved one index up); profile 2 watched it
    after = fingerprints(
        [0, 0, 1, 2], [0, 3, 2, 1], [3.0, 2.0, 1.0, 3.0], title_ids=[10, 15, 20, 30]
    )
    moved = changed_profiles(np.array([7, 8, 9]), before, np.array([7, 8, 9]), after)
    assert moved.tolist() == [2]


def test_taking_back_a_like_or_changing_a_weight_or_a_genre_moves_the_fingerprint():
    base = fingerprints([0, 1], [0, 1], [2.0, 3.0], title_ids=[10, 20])
    unliked = fingerprints([1], [1], [3.0], title_ids=[10, 20])
    reweighted = fingerprints([0, 1], [0, 1], [2.0, 1.0], title_ids=[10, 20])
    genres = sp.csr_matrix(([1.0], ([2], [1])), shape=(3, 2))
    chose = fingerprints([0, 1], [0, 1], [2.0, 3.0], title_ids=[10, 20], chosen=genres)
    ids = np.array([1, 2, 3])
    assert changed_profiles(ids, base, ids, unliked).tolist() == [0]
    assert changed_profiles(ids, base, ids, reweighted).tolist() == [1]
    assert changed_profiles(ids, base, ids, chose).tolist() == [2]


def test_a_profile_the_previous_run_did_not_know_counts_as_changed():
    current = np.zeros((2, 2))
    assert changed_profiles(
        np.array([1]), np.zeros((1, 2)), np.array([1, 2]), current
    ).tolist() == [1]
    assert changed_profiles(
        np.array([], dtype=np.int64), np.zeros((0, 2)), np.array([1]), np.zeros((1, 2))
    ).tolist() == [0]


def test_fingerprints_survive_being_stored_as_bytes():
    ids, found = np.array([4, 2, 9]), np.arange(6, dtype=np.float64).reshape(3, 2)
    back_ids, back = unpack(pack(ids, found))
    assert back_ids.tolist() == [4, 2, 9] and np.array_equal(back, found)
