"""What a profile has told the recommender, as two numbers: the profile's feedback row and
its chosen genres projected on pseudo-random vectors keyed by database id. Equal tastes give
equal fingerprints in every run (the noise depends on ids, not on dense indexes); any change —
a like added or taken back, a rating changed, a genre chosen — moves them, so an incremental
refresh rewrites exactly the profiles whose input changed. No Django."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
WIDTH = 2


def id_noise(ids: np.ndarray, seed: int) -> np.ndarray:
    """A float in [0, 1) per id, the same in every run and process (splitmix64 of id+seed)."""
    with np.errstate(over="ignore"):
        z = ids.astype(np.uint64) + np.uint64(seed) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX_1
        z = (z ^ (z >> np.uint64(27))) * _MIX_2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def profile_fingerprints(
    interactions: sp.csr_matrix,
    title_ids: np.ndarray,
    chosen_genres: sp.csr_matrix,
    genre_ids: np.ndarray,
) -> np.ndarray:
    """Profiles x ``WIDTH``: each profile's feedback weights and chosen genres projected."""
    titles = np.stack([id_noise(title_ids, seed) for seed in range(1, WIDTH + 1)], axis=1)
    genres = np.stack([id_noise(genre_ids, seed) for seed in range(11, WIDTH + 11)], axis=1)
    found = sp.csr_matrix(interactions, dtype=np.float64) @ titles
    if chosen_genres.shape[1] == genre_ids.size and genre_ids.size:
        found = found + sp.csr_matrix(chosen_genres, dtype=np.float64) @ genres
    return np.asarray(found, dtype=np.float64).reshape(-1, WIDTH)


def changed_profiles(
    previous_ids: np.ndarray,
    previous: np.ndarray,
    profile_ids: np.ndarray,
    current: np.ndarray,
) -> np.ndarray:
    """Dense indexes (into ``profile_ids``) of the profiles whose fingerprint differs from
    the previous run's, or that the previous run did not know."""
    changed = np.ones(profile_ids.size, dtype=bool)
    if previous_ids.size:
        order = np.argsort(previous_ids)
        sorted_ids, sorted_previous = previous_ids[order], previous[order]
        where = np.minimum(np.searchsorted(sorted_ids, profile_ids), sorted_ids.size - 1)
        known = sorted_ids[where] == profile_ids
        # Feedback weights are float32 summed in whatever order the database returned
        # them: equal inputs agree far closer than any real change (0.01 at least).
        same = np.isclose(sorted_previous[where], current, rtol=1e-6, atol=1e-6).all(axis=1)
        changed = ~(known & same)
    return np.flatnonzero(changed)


FINGERPRINT_DTYPE = np.dtype([("profile", np.int64), ("fingerprint", np.float64, (WIDTH,))])


def pack(profile_ids: np.ndarray, fingerprints: np.ndarray) -> bytes:
    """Profile ids and fingerprints as bytes (stored on the run)."""
    packed = np.empty(profile_ids.size, dtype=FINGERPRINT_DTYPE)
    packed["profile"], packed["fingerprint"] = profile_ids, fingerprints
    return packed.tobytes()


def unpack(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``(profile ids, fingerprints)`` from :func:`pack`'s bytes."""
    packed = np.frombuffer(data, dtype=FINGERPRINT_DTYPE)
    return packed["profile"].copy(), packed["fingerprint"].copy()
