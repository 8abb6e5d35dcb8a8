"""A profile's own state on a page of titles — its progress and what plugins mark (liked,
on its list, its rating) — in one query, whatever the page size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_datetime

from streamflix_core.hooks import title_viewer_marks, viewer_marks
from streamflix_core.prepared import PreparedValues

from ..models import Title, WatchProgress
from ..watch_rules import resume_position

_PROGRESS = ("episode_id", "position", "duration", "played", "watched_at")


def viewer_state_by_title(
    *, profile_id: int, title_ids: list[int], progress: bool = True
) -> dict[int, dict[str, Any]]:
    """For each of ``title_ids``: the fields of every ``title_viewer_marks`` provider and,
    with ``progress``, ``progress`` (the profile's latest progress on the title — for a
    series, its most recently watched episode's — or ``None``). One query: the marks and
    the progress are correlated subqueries of a single select over the titles, compiled
    once per page length and set of providers
    (:class:`~streamflix_core.prepared.PreparedValues`)."""
    if not title_ids:
        return {}
    providers = title_viewer_marks.providers
    if not providers and not progress:
        return {}
    rows = _STATE_QUERY.rows(
        shape=providers,
        options={"progress": progress},
        profile_id=profile_id,
        title_ids=title_ids,
    )
    if not rows:
        return {}
    marks = [(column, column[6:]) for column in rows[0] if column.startswith("mark__")]
    return {row["pk"]: _state(row, marks, progress) for row in rows}


def _state_query(*, profile_id: int, title_ids: list[int], progress: bool) -> Any:
    marks = viewer_marks(profile_id)
    annotations: dict[str, Any] = {f"mark__{name}": value for name, value in marks.items()}
    if progress:
        latest = WatchProgress.objects.filter(
            profile_id=profile_id, title_id=OuterRef("pk")
        ).order_by("-watched_at", "-id")
        # One subquery for the whole progress row (a JSON object), not one per field.
        fields = JSONObject(**{field: field for field in _PROGRESS})
        annotations["progress__row"] = Subquery(latest.values(row=fields)[:1])
    return (
        Title.objects.filter(pk__in=title_ids)
        .annotate(**annotations)
        .order_by()
        .values("pk", *annotations)
    )


_STATE_QUERY = PreparedValues(_state_query, name="viewer_state_by_title")


def _state(row: dict[str, Any], marks: list[tuple[str, str]], progress: bool) -> dict[str, Any]:
    state = {name: row[column] for column, name in marks}
    if progress:
        found = row["progress__row"]
        state["progress"] = None if found is None else _progress(found)
    return state


def _progress(found: dict[str, Any]) -> dict[str, Any]:
    """The progress fields as the API gives them, from the JSON object the database built
    (its time as text, its flag maybe 0/1)."""
    watched_at = found["watched_at"]
    if isinstance(watched_at, str):
        watched_at = parse_datetime(watched_at)
        if watched_at is not None and watched_at.tzinfo is None:
            watched_at = watched_at.replace(tzinfo=dt.UTC)
    return {
        "episode_id": found["episode_id"],
        "position": float(found["position"]),
        "duration": float(found["duration"]),
        "resume_position": resume_position(float(found["position"]), float(found["duration"])),
        "played": bool(found["played"]),
        "watched_at": watched_at,
    }
