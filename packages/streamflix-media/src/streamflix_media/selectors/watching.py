"""Watching reads: the account's active sessions, a profile's history, "Continue watching",
"Next up", and a profile's progress on one title and its episodes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from ..conf import settings
from ..models import Episode, Genre, PlaybackSession, Title, WatchProgress
from ..watch_rules import active_sessions, resume_position


@dataclass(frozen=True)
class WatchItem:
    """A title (with its episode, for a series) and where the profile is in it."""

    title: Title
    episode: Episode | None
    position: float
    duration: float
    resume_position: float
    watched_at: dt.datetime | None


def account_sessions(*, viewer: Any) -> list[PlaybackSession]:
    """The account's active sessions, oldest first; a kids profile sees only its own."""
    sessions = active_sessions(user_id=viewer.user.pk)
    if viewer.profile is not None and viewer.profile.is_kids:
        sessions = sessions.filter(profile_id=viewer.profile_id)
    return list(sessions)


def history(*, profile_id: int) -> QuerySet[WatchProgress]:
    """A profile's history, newest first (one row per movie or episode)."""
    return (
        WatchProgress.objects.filter(profile_id=profile_id)
        .select_related("title", "episode__season")
        .order_by("-watched_at", "-id")
    )


def _cards(titles: list[Title]) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(titles, Prefetch("genres", queryset=Genre.objects.order_by("name")))


def _item(row: WatchProgress) -> WatchItem:
    return WatchItem(
        title=row.title,
        episode=row.episode,
        position=row.position,
        duration=row.duration,
        resume_position=resume_position(row.position, row.duration),
        watched_at=row.watched_at,
    )


def continue_watching(*, viewer: Any) -> list[WatchItem]:
    """Movies and episodes the profile is part-way through, newest first, one per title,
    within its maturity limit (two queries)."""
    if viewer.profile is None:
        return []
    size = settings().WATCH_ROW_SIZE
    rows = (
        WatchProgress.objects.filter(
            profile_id=viewer.profile_id,
            title__status=Title.Status.PUBLISHED,
            title__maturity_rating__lte=viewer.maturity_limit,
            position__gt=0,
            position__gte=F("duration") * settings().RESUME_MIN_FRACTION,
        )
        .select_related("title", "episode__season")
        .order_by("-watched_at", "-id")[: size * 4]
    )
    items: dict[int, WatchItem] = {}
    for row in rows:
        if row.title_id not in items and resume_position(row.position, row.duration) > 0:
            items[row.title_id] = _item(row)
    result = list(items.values())[:size]
    _cards([item.title for item in result])
    return result


def next_up(*, viewer: Any) -> list[WatchItem]:
    """For each series the profile watches (most recent first): the episode after the last
    one it finished, or the first it has not finished yet (three queries)."""
    if viewer.profile is None:
        return []
    size = settings().WATCH_ROW_SIZE
    rows = list(
        WatchProgress.objects.filter(
            profile_id=viewer.profile_id,
            episode__isnull=False,
            title__status=Title.Status.PUBLISHED,
            title__maturity_rating__lte=viewer.maturity_limit,
        )
        .select_related("title")
        .order_by("-watched_at", "-id")[:500]
    )
    series: dict[int, Title] = {}
    finished: dict[int, set[int]] = {}
    last_finished: dict[int, tuple[dt.datetime, int]] = {}
    progress: dict[int, WatchProgress] = {}
    for seen in rows:
        series.setdefault(seen.title_id, seen.title)
        progress[seen.episode_id] = seen  # type: ignore[index]
        if seen.played:
            finished.setdefault(seen.title_id, set()).add(seen.episode_id)  # type: ignore[arg-type]
            when = seen.played_at or seen.watched_at
            if seen.title_id not in last_finished or when > last_finished[seen.title_id][0]:
                last_finished[seen.title_id] = (when, seen.episode_id)  # type: ignore[assignment]
    if not series:
        return []
    episodes: dict[int, list[Episode]] = {}
    for episode in (
        Episode.objects.filter(season__title_id__in=list(series))
        .select_related("season")
        .order_by("season__number", "number", "id")
    ):
        episodes.setdefault(episode.season.title_id, []).append(episode)
    items: list[WatchItem] = []
    for title_id, title in series.items():
        ordered = episodes.get(title_id, [])
        done = finished.get(title_id, set())
        if title_id in last_finished:
            ids = [e.pk for e in ordered]
            after = ids.index(last_finished[title_id][1]) + 1
            upcoming = [e for e in ordered[after:] if e.pk not in done][:1]
        else:
            upcoming = [e for e in ordered if e.pk not in done][:1]
        if not upcoming:
            continue
        episode = upcoming[0]
        row: WatchProgress | None = progress.get(episode.pk)
        position, duration = (row.position, row.duration) if row else (0.0, 0.0)
        items.append(
            WatchItem(
                title=title, episode=episode, position=position, duration=duration,
                resume_position=resume_position(position, duration),
                watched_at=row.watched_at if row else None,
            )
        )  # fmt: skip
        if len(items) >= size:
            break
    _cards([item.title for item in items])
    return items


def _progress_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "episode_id": row["episode_id"],
        "position": row["position"],
        "duration": row["duration"],
        "resume_position": resume_position(row["position"], row["duration"]),
        "played": row["played"],
        "watched_at": row["watched_at"],
    }


_PROGRESS_FIELDS = ("title_id", "episode_id", "position", "duration", "played", "watched_at")


def progress_on_title(
    *, profile_id: int | None, title_id: int
) -> tuple[dict[str, Any] | None, dict[int, dict[str, Any]]]:
    """The profile's progress on a title (for a series, its latest episode's) and on each of
    its episodes, in one query."""
    if profile_id is None:
        return None, {}
    rows = [
        _progress_out(row)
        for row in WatchProgress.objects.filter(profile_id=profile_id, title_id=title_id)
        .order_by("-watched_at", "-id")
        .values(*_PROGRESS_FIELDS)
    ]
    episodes = {row["episode_id"]: row for row in reversed(rows) if row["episode_id"]}
    return (rows[0] if rows else None), episodes
