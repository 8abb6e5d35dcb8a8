"""A profile's own state on a page of titles — its progress and what plugins mark (liked,
on its list, its rating) — in one query, whatever the page size."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from streamflix_core.hooks import viewer_marks

from ..models import Title, WatchProgress
from ..watch_rules import resume_position

_PROGRESS = ("episode_id", "position", "duration", "played", "watched_at")


def viewer_state_by_title(
    *, profile_id: int, title_ids: list[int], progress: bool = True
) -> dict[int, dict[str, Any]]:
    """For each of ``title_ids``: the fields of every ``title_viewer_marks`` provider and,
    with ``progress``, ``progress`` (the profile's latest progress on the title — for a
    series, its most recently watched episode's — or ``None``). One query: the marks and
    the progress are correlated subqueries of a single select over the titles."""
    if not title_ids:
        return {}
    marks = viewer_marks(profile_id)
    annotations: dict[str, Any] = {f"mark__{name}": value for name, value in marks.items()}
    if progress:
        latest = WatchProgress.objects.filter(
            profile_id=profile_id, title_id=OuterRef("pk")
        ).order_by("-watched_at", "-id")
        annotations.update(
            {f"progress__{field}": Subquery(latest.values(field)[:1]) for field in _PROGRESS}
        )
    if not annotations:
        return {}
    rows = Title.objects.filter(pk__in=title_ids).annotate(**annotations).values("pk", *annotations)
    return {row["pk"]: _state(row, marks, progress) for row in rows}


def _state(row: dict[str, Any], marks: dict[str, Any], progress: bool) -> dict[str, Any]:
    state = {name: row[f"mark__{name}"] for name in marks}
    if progress:
        watched_at = row["progress__watched_at"]
        state["progress"] = (
            None
            if watched_at is None
            else {
                "episode_id": row["progress__episode_id"],
                "position": row["progress__position"],
                "duration": row["progress__duration"],
                "resume_position": resume_position(
                    row["progress__position"], row["progress__duration"]
                ),
                "played": row["progress__played"],
                "watched_at": watched_at,
            }
        )
    return state
