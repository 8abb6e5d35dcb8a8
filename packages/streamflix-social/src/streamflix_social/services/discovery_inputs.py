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
from django.db import connections
from django.db.models import Count, FloatField, Func, Max, Q

from streamflix_core.models import Profile
from streamflix_media.models import Credit, PlaybackSession, Title, WatchProgress

from ..conf import settings
from ..discovery.model import interaction_matrix, trending_scores
from ..discovery.pipeline import Inputs
from ..models import GenrePreference, Like, ListItem, Rating

COMPLETION, STARTED, LIKE, LISTED = 3.0, 0.5, 2.0, 1.0
RATING_WEIGHTS = {5: 3.0, 4: 2.0, 3: 1.0, 2: 0.01, 1: 0.01}
# Trending: a recent completion, view, like or good rating, before the decay.
TRENDING_WEIGHTS = {"completion": 3.0, "view": 1.0, "like": 2.0}
TRENDING_RATING = {5: 2.0, 4: 2.0, 3: 1.0}
# Content features and their weights: genres, people, kind, decade.
GENRE, PERSON, KIND, DECADE = 1.0, 0.5, 0.3, 0.3
# Rows fetched from the cursor at a time: bounds the Python tuples alive at once.
FETCH_ROWS = 100_000


@dataclass(frozen=True)
class Snapshot:
    """Database ids of the dense indexes, and the computation's inputs."""

    profile_ids: list[int]
    title_ids: list[int]
    inputs: Inputs
    genre_ids: np.ndarray
    chosen_genres: sp.csr_matrix


@dataclass(frozen=True)
class Events:
    """Interactions as parallel arrays: dense profile and title indexes, weight, when (Unix
    seconds) and whether the title may anchor a "Because you watched" row."""

    profiles: np.ndarray
    titles: np.ndarray
    weights: np.ndarray
    when: np.ndarray
    anchor: np.ndarray


def snapshot(*, now: dt.datetime) -> Snapshot:
    """Read titles, profiles and every interaction (a fixed number of queries).

    A million interactions are read as plain numbers straight from the cursor (timestamps as
    Unix seconds computed by the database) and mapped to dense indexes with numpy: no model
    instance, datetime object or Python call per row.
    """
    config = settings()
    titles = list(
        Title.objects.order_by("id").values_list("id", "status", "kind", "year", "maturity_rating",
                                                 "views")
    )  # fmt: skip
    title_ids = [row[0] for row in titles]
    title_keys = np.array(title_ids, dtype=np.int64)
    t_index = {pk: i for i, pk in enumerate(title_ids)}
    profiles = list(Profile.objects.order_by("id").values_list("id", "maturity_limit"))
    profile_ids = [row[0] for row in profiles]
    profile_keys = np.array(profile_ids, dtype=np.int64)
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

    events = _interactions(profile_keys, title_keys)
    r, c, w = events.profiles, events.titles, events.weights
    seen = interaction_matrix(r, c, np.ones(r.size), (n_profiles, n_titles))
    watched_genres = seen @ title_genres
    chosen_genres = _chosen_genres(profile_keys, genre_index, watched_genres.shape)
    profile_genres = sp.csr_matrix((watched_genres + chosen_genres) > 0, dtype=np.float32)
    popularity = np.array([row[5] for row in titles], dtype=np.float64)
    popularity += np.bincount(c, weights=w, minlength=n_titles)

    inputs = Inputs(
        n_profiles=n_profiles, n_titles=n_titles, rows=r, cols=c, weights=w,
        title_features=features, title_genres=title_genres, profile_genres=profile_genres,
        allowed=np.array([row[1] == Title.Status.PUBLISHED for row in titles], dtype=bool),
        popularity=popularity,
        trending=_trending(now, title_keys, config.DISCOVERY_TRENDING_WINDOW_DAYS,
                           config.DISCOVERY_TRENDING_HALF_LIFE_DAYS),
        anchors=_anchors(events, n_profiles, n_titles, config.DISCOVERY_BECAUSE_ROWS),
        title_maturity=np.array([row[4] for row in titles], dtype=np.int64),
        profile_limits=np.array([row[1] for row in profiles], dtype=np.int64),
    )  # fmt: skip
    genre_ids = np.array(list(genre_index), dtype=np.int64)
    return Snapshot(profile_ids, title_ids, inputs, genre_ids, chosen_genres)


def _chosen_genres(
    profile_keys: np.ndarray, genre_index: dict[int, int], shape: tuple[int, int]
) -> sp.csr_matrix:
    """Profiles x genres: the genres each profile said it likes (genres no title has yet
    are left out: nothing to recommend from them)."""
    chosen = [
        (profile, genre_index[genre])
        for profile, genre in GenrePreference.objects.values_list("profile_id", "genre_id")
        if genre in genre_index
    ]
    profiles = _positions(profile_keys, np.array([p for p, _ in chosen], dtype=np.int64))
    genres = np.array([g for _, g in chosen], dtype=np.int64)
    known = profiles >= 0
    return sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float32), (profiles[known], genres[known])),
        shape=shape,
    )


def _interactions(profile_keys: np.ndarray, title_keys: np.ndarray) -> Events:
    """Every implicit signal (one query per kind), on dense indexes; rows of profiles or
    titles created after those were read are dropped."""
    progress = _numbers(
        WatchProgress.objects.values("profile_id", "title_id")
        .annotate(done=Count("id", filter=Q(played=True)), last=Epoch(Max("watched_at")))
        .values_list("profile_id", "title_id", "done", "last"),
        columns=4,
    )
    done = progress[:, 2] > 0
    likes = _numbers(Like.objects.values_list("profile_id", "title_id", Epoch("created_at")), 3)
    ratings = _numbers(
        Rating.objects.values_list("profile_id", "title_id", Epoch("updated_at"), "value"), 4
    )
    rating_weights = np.full(ratings.shape[0], RATING_WEIGHTS[1], dtype=np.float64)
    for value, weight in RATING_WEIGHTS.items():
        rating_weights[ratings[:, 3] == value] = weight
    listed = _numbers(ListItem.objects.values_list("profile_id", "title_id", Epoch("added_at")), 3)
    parts = (
        (progress[:, :2], np.where(done, COMPLETION, STARTED), progress[:, 3], done),
        (likes[:, :2], np.full(likes.shape[0], LIKE), likes[:, 2], np.ones(likes.shape[0], bool)),
        (ratings[:, :2], rating_weights, ratings[:, 2], ratings[:, 3] >= 4),
        (listed[:, :2], np.full(listed.shape[0], LISTED), listed[:, 2],
         np.zeros(listed.shape[0], bool)),
    )  # fmt: skip
    keys = np.concatenate([part[0] for part in parts]).astype(np.int64)
    p, t = _positions(profile_keys, keys[:, 0]), _positions(title_keys, keys[:, 1])
    known = (p >= 0) & (t >= 0)
    when = np.concatenate([part[2] for part in parts])[known]
    anchor = np.concatenate([part[3] for part in parts])[known] & ~np.isnan(when)
    return Events(
        profiles=p[known],
        titles=t[known],
        weights=np.concatenate([part[1] for part in parts]).astype(np.float32)[known],
        when=when,
        anchor=anchor,
    )


class Epoch(Func):
    """A datetime column as seconds since 1970 (a float computed by the database)."""

    template = "UNIX_TIMESTAMP(%(expressions)s)"
    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # julianday() of 1970-01-01T00:00:00Z is 2440587.5; stored datetimes are UTC.
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _numbers(queryset: Any, columns: int) -> np.ndarray:
    """The rows of a ``values_list`` queryset of numbers as a float64 array (NULL is NaN),
    read with the queryset's SQL on a raw cursor in chunks: no per-row Python conversion."""
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    chunks = [np.empty((0, columns), dtype=np.float64)]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            chunks.append(np.array(rows, dtype=np.float64).reshape(-1, columns))
    return np.concatenate(chunks)


def _positions(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each value in the sorted ``keys``; ``-1`` for a value not there."""
    if keys.size == 0:
        return np.full(values.shape, -1, dtype=np.int64)
    found = np.minimum(np.searchsorted(keys, values), keys.size - 1)
    return np.where(keys[found] == values, found, -1).astype(np.int64)


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
    now: dt.datetime, title_keys: np.ndarray, window: float, half_life: float
) -> np.ndarray:
    """Decayed engagement of the last ``window`` days (one query per kind of event)."""
    since = now - dt.timedelta(days=window)
    sources = [
        (WatchProgress.objects.filter(played=True, played_at__gte=since)
         .values_list("title_id", Epoch("played_at")), TRENDING_WEIGHTS["completion"]),
        (PlaybackSession.objects.filter(view_counted=True, started_at__gte=since)
         .values_list("title_id", Epoch("started_at")), TRENDING_WEIGHTS["view"]),
        (Like.objects.filter(created_at__gte=since).values_list("title_id", Epoch("created_at")),
         TRENDING_WEIGHTS["like"]),
    ]  # fmt: skip
    found = [(_numbers(queryset, 2), np.float64(weight)) for queryset, weight in sources]
    ratings = _numbers(
        Rating.objects.filter(updated_at__gte=since, value__in=list(TRENDING_RATING)).values_list(
            "title_id", Epoch("updated_at"), "value"
        ),
        columns=3,
    )
    rating_weights = np.zeros(ratings.shape[0])
    for value, weight in TRENDING_RATING.items():
        rating_weights[ratings[:, 2] == value] = weight
    rows = np.concatenate([numbers for numbers, _ in found] + [ratings[:, :2]])
    weights = np.concatenate(
        [np.full(numbers.shape[0], weight) for numbers, weight in found] + [rating_weights]
    )
    titles = _positions(title_keys, rows[:, 0].astype(np.int64))
    known = titles >= 0
    if not known.any():
        return np.zeros(title_keys.size, dtype=np.float32)
    ages = (now.timestamp() - rows[known, 1]) / 86400
    return trending_scores(
        titles[known], np.maximum(ages, 0), weights[known], title_keys.size,
        half_life_days=half_life, window_days=window,
    )  # fmt: skip


def _anchors(events: Events, n_profiles: int, n_titles: int, count: int) -> np.ndarray:
    """Each profile's ``count`` most recent distinct titles it finished, liked or rated well."""
    anchors = np.full((n_profiles, max(count, 0)), -1, dtype=np.int64)
    strong = np.flatnonzero(events.anchor)
    if count <= 0 or strong.size == 0:
        return anchors
    # Per profile, newest first (ties keep the reading order), then each title once.
    order = strong[np.lexsort((-events.when[strong], events.profiles[strong]))]
    profiles, titles = events.profiles[order], events.titles[order]
    _, first = np.unique(profiles * n_titles + titles, return_index=True)
    keep = np.sort(first)
    profiles, titles = profiles[keep], titles[keep]
    rank = np.arange(profiles.size) - np.searchsorted(profiles, profiles)
    chosen = rank < count
    anchors[profiles[chosen], rank[chosen]] = titles[chosen]
    return anchors


def changed_profiles(*, since: dt.datetime) -> set[int]:
    """Profiles with anything new since ``since`` (progress, like, rating, list entry, chosen
    genres), and profiles created since."""
    changed: set[int] = set()
    for queryset in (
        WatchProgress.objects.filter(watched_at__gte=since),
        Like.objects.filter(created_at__gte=since),
        Rating.objects.filter(updated_at__gte=since),
        ListItem.objects.filter(added_at__gte=since),
        GenrePreference.objects.filter(chosen_at__gte=since),
    ):
        changed.update(queryset.values_list("profile_id", flat=True).distinct())
    changed.update(Profile.objects.filter(created_at__gte=since).values_list("id", flat=True))
    return changed
