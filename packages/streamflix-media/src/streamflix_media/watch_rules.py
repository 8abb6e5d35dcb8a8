"""The rules of watching, shared by the services that write progress and the selectors that
read it: when a resume point starts over, when an item counts as played, which sessions
count against the stream limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .conf import settings
from .models import PlaybackSession


def completion_point(duration: float, credits_start: float | None = None) -> float:
    """The position at which an item counts as played: ``PLAYED_FRACTION`` of the duration,
    or the credits marker when that comes sooner."""
    point = duration * settings().PLAYED_FRACTION
    if credits_start is not None and 0 < credits_start < point:
        return credits_start
    return point


def resume_position(position: float, duration: float, complete_at: float | None = None) -> float:
    """Where playback resumes: ``position``, except 0 below ``RESUME_MIN_FRACTION`` of the
    duration (starting over is better than resuming after the opening seconds) and at or
    past the completion point (the item was played)."""
    if duration <= 0:
        return 0.0
    end = completion_point(duration) if complete_at is None else complete_at
    if position < duration * settings().RESUME_MIN_FRACTION or position >= end:
        return 0.0
    return position


def active_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Sessions last heard from before this are no longer active."""
    now = now or timezone.now()
    return now - dt.timedelta(seconds=settings().PLAYBACK_SESSION_TIMEOUT_SECONDS)


def active_sessions(*, user_id: Any) -> QuerySet[PlaybackSession]:
    """The account's active sessions (not ended, heard from within the timeout), oldest
    first, with what a list of them shows."""
    return (
        PlaybackSession.objects.filter(
            user_id=user_id, ended_at__isnull=True, last_seen_at__gte=active_cutoff()
        )
        .select_related("profile", "title", "episode")
        .order_by("started_at", "id")
    )
