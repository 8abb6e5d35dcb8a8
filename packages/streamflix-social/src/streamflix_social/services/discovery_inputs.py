"""What the recommendations refresh reads: the database turned into the arrays of
:class:`streamflix_social.discovery.pipeline.Inputs` (dense indexes, in id order).

Implicit feedback per (profile, title), summed: a completion 3 (progress that was started
but never finished 0.5), a like 2, a rating 3/2/1 for 5/4/3 stars (1 or 2 stars: 0.01, so
the title counts as seen without pulling its neighbours up), a My List entry 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.db.models import Count, Max, Q

from streamflix_core.models import Profile
from streamflix_media.models import Credit, PlaybackSession, Title, WatchProgress

from ..conf import settings
from ..discovery.model import interaction_matrix, trending_scores
from ..discovery.pipeline import Inputs
from ..models import Like, ListItem, Rating

COMPLETION, STARTED, LIKE, LISTED = 3.0, 0.5, 2.0, 1.0
RATING_WEIGHTS = {5: 3.0, 4: 2.0, 3: 1.0, 2: 0.01, 1: 0.01}
# Trending: a recent completion, view, like or good rating, before the decay.
TRENDING_WEIGHTS = {"completion": 3.0, "view": 1.0, "like": 2.0}
TRENDING_RATING = {5: 2.0, 4: 2.0, 3: 1.0}
# Content features and their weights: genres, people, kind, decade.
GENRE, PERSON, KIND, DECADE = 1.0, 0.5, 0.3, 0.3


@dataclass(frozen=True)
class Snapshot:
    """Database ids of the dense indexes, and the computation's inputs."""

    profile_ids: list[int]
    title_ids: list[int]
    inputs: Inputs


def snapshot(*, now: dt.datetime) -> Snapshot:
    """Read titles, profiles and every interaction (a fixed number of queries)."""
    config = settings()
    titles = list(
        Title.objects.order_by("id").values_list("id", "status", "kind", "year", "maturity_rating",
                                                 "views")
    )  # fmt: skip
    title_ids = [row[0] for row in titles]
    t_index = {pk: i for i, pk in enumerate(title_ids)}
    profiles = list(Profile.objects.order_by("id").values_list("id", "maturity_limit"))
    profile_ids = [row[0] for row in profiles]
    p_index = {pk: i for i, pk in enumerate(profile_ids)}
    n_titles, n_profiles = len(title_ids), len(profile_ids)

    genre_links = list(Title.genres.through.objects.values_list("title_id", "genre_id"))
    genre_index: dict[int, int] = {}
    for _, genre in genre_links:
        genre_index.setdefault(genre, len(genre_index))
    title_genres = sp.csr_matrix(
        (np.ones(len(genre_links), dtype=np.float32),
         ([t_index[t] for t, _ in genre_links], [genre_index[g] for _, g in genre_links])),
        shape=(n_titles, max(1, len(genre_index))),
    )  # fmt: skip
    features = _content_features(titles, t_index, genre_links, genre_index)

    rows: list[int] = []
    cols: list[int] = []
    weights: list[float] = []
    strong: list[tuple[int, dt.datetime, int]] = []  # (profile, when, title): anchors

    def add(profile_id: int, title_id: int, weight: float, when: Any, anchor: bool) -> None:
        p, t = p_index.get(profile_id), t_index.get(title_id)
        if p is None or t is None:
            return
        rows.append(p)
        cols.append(t)
        weights.append(weight)
        if anchor and when is not None:
            strong.append((p, when, t))

    progress = (
        WatchProgress.objects.values("profile_id", "title_id")
        .annotate(done=Count("id", filter=Q(played=True)), last=Max("watched_at"))
        .values_list("profile_id", "title_id", "done", "last")
    )
    for profile_id, title_id, done, last in progress:
        add(profile_id, title_id, COMPLETION if done else STARTED, last, bool(done))
    for profile_id, title_id, when in Like.objects.values_list("profile_id", "title_id",
                                                               "created_at"):  # fmt: skip
        add(profile_id, title_id, LIKE, when, True)
    for profile_id, title_id, value, when in Rating.objects.values_list(
        "profile_id", "title_id", "value", "updated_at"
    ):
        add(profile_id, title_id, RATING_WEIGHTS.get(value, 0.01), when, value >= 4)
    for profile_id, title_id, when in ListItem.objects.values_list("profile_id", "title_id",
                                                                   "added_at"):  # fmt: skip
        add(profile_id, title_id, LISTED, when, False)

    r, c = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    w = np.array(weights, dtype=np.float32)
    seen = interaction_matrix(r, c, np.ones(r.size), (n_profiles, n_titles))
    profile_genres = sp.csr_matrix((seen @ title_genres) > 0, dtype=np.float32)
    popularity = np.array([row[5] for row in titles], dtype=np.float64)
    popularity += np.bincount(c, weights=w, minlength=n_titles)

    inputs = Inputs(
        n_profiles=n_profiles, n_titles=n_titles, rows=r, cols=c, weights=w,
        title_features=features, title_genres=title_genres, profile_genres=profile_genres,
        allowed=np.array([row[1] == Title.Status.PUBLISHED for row in titles], dtype=bool),
        popularity=popularity,
        trending=_trending(now, t_index, n_titles, config.DISCOVERY_TRENDING_WINDOW_DAYS,
                           config.DISCOVERY_TRENDING_HALF_LIFE_DAYS),
        anchors=_anchors(strong, n_profiles, config.DISCOVERY_BECAUSE_ROWS),
        title_maturity=np.array([row[4] for row in titles], dtype=np.int64),
        profile_limits=np.array([row[1] for row in profiles], dtype=np.int64),
    )  # fmt: skip
    return Snapshot(profile_ids, title_ids, inputs)


def _content_features(
    titles: list[tuple[Any, ...]],
    t_index: dict[int, int],
    genre_links: list[tuple[int, int]],
    genre_index: dict[int, int],
) -> sp.csr_matrix:
    """Titles x (genres | people | kind | decade), weighted."""
    credits = list(Credit.objects.values_list("title_id", "person_id").distinct())
    person_index: dict[int, int] = {}
    for _, person in credits:
        person_index.setdefault(person, len(person_index))
    kinds = {kind: i for i, kind in enumerate(Title.Kind.values)}
    decades = sorted({row[3] // 10 for row in titles if row[3]})
    decade_index = {decade: i for i, decade in enumerate(decades)}
    base_person = len(genre_index)
    base_kind = base_person + len(person_index)
    base_decade = base_kind + len(kinds)
    entries: list[tuple[int, int, float]] = [
        (t_index[t], genre_index[g], GENRE) for t, g in genre_links
    ]
    entries += [(t_index[t], base_person + person_index[p], PERSON) for t, p in credits]
    for row in titles:
        i = t_index[row[0]]
        entries.append((i, base_kind + kinds.get(row[2], 0), KIND))
        if row[3]:
            entries.append((i, base_decade + decade_index[row[3] // 10], DECADE))
    r, c, v = zip(*entries, strict=True) if entries else ((), (), ())
    return sp.csr_matrix(
        (np.array(v, dtype=np.float32), (np.array(r, dtype=np.int64), np.array(c, dtype=np.int64))),
        shape=(len(titles), max(1, base_decade + len(decades))),
    )


def _trending(
    now: dt.datetime, t_index: dict[int, int], n_titles: int, window: float, half_life: float
) -> np.ndarray:
    """Decayed engagement of the last ``window`` days (one query per kind of event)."""
    since = now - dt.timedelta(days=window)
    events: list[tuple[int, Any, float]] = []
    events += [
        (t, when, TRENDING_WEIGHTS["completion"])
        for t, when in WatchProgress.objects.filter(played=True, played_at__gte=since)
        .values_list("title_id", "played_at")
    ]  # fmt: skip
    events += [
        (t, when, TRENDING_WEIGHTS["view"])
        for t, when in PlaybackSession.objects.filter(view_counted=True, started_at__gte=since)
        .values_list("title_id", "started_at")
    ]  # fmt: skip
    events += [
        (t, when, TRENDING_WEIGHTS["like"])
        for t, when in Like.objects.filter(created_at__gte=since).values_list("title_id",
                                                                              "created_at")
    ]  # fmt: skip
    events += [
        (t, when, TRENDING_RATING[value])
        for t, value, when in Rating.objects.filter(updated_at__gte=since, value__gte=3)
        .values_list("title_id", "value", "updated_at")
    ]  # fmt: skip
    known = [(t_index[t], when, weight) for t, when, weight in events if t in t_index]
    if not known:
        return np.zeros(n_titles, dtype=np.float32)
    titles = np.array([t for t, _, _ in known], dtype=np.int64)
    ages = np.array([(now - when).total_seconds() / 86400 for _, when, _ in known])
    weights = np.array([weight for _, _, weight in known])
    return trending_scores(
        titles, np.maximum(ages, 0), weights, n_titles, half_life_days=half_life, window_days=window
    )


def _anchors(strong: list[tuple[int, dt.datetime, int]], n_profiles: int, count: int) -> np.ndarray:
    """Each profile's ``count`` most recent distinct titles it finished, liked or rated well."""
    anchors = np.full((n_profiles, max(count, 0)), -1, dtype=np.int64)
    filled: dict[int, list[int]] = {}
    for profile, _, title in sorted(strong, key=lambda e: (e[0], e[1]), reverse=True):
        chosen = filled.setdefault(profile, [])
        if len(chosen) < count and title not in chosen:
            chosen.append(title)
            anchors[profile, len(chosen) - 1] = title
    return anchors


def changed_profiles(*, since: dt.datetime) -> set[int]:
    """Profiles with anything new since ``since`` (progress, like, rating, list entry), and
    profiles created since."""
    changed: set[int] = set()
    for queryset in (
        WatchProgress.objects.filter(watched_at__gte=since),
        Like.objects.filter(created_at__gte=since),
        Rating.objects.filter(updated_at__gte=since),
        ListItem.objects.filter(added_at__gte=since),
    ):
        changed.update(queryset.values_list("profile_id", flat=True).distinct())
    changed.update(Profile.objects.filter(created_at__gte=since).values_list("id", flat=True))
    return changed
