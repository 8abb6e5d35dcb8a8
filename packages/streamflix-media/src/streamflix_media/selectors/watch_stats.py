"""Watching figures for staff: watch time per title, the sessions with whether each is
active now, and the watch time of each recent day (each one query)."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..models import PlaybackSession, Title
from ..watch_rules import active_cutoff


def titles_with_watch_time(titles: QuerySet[Title]) -> QuerySet[Title]:
    """``titles`` annotated with ``watched_seconds_total``: the seconds watched in all their
    playback sessions (a subquery, so a list of titles stays one query)."""
    per_title = (
        PlaybackSession.objects.filter(title_id=OuterRef("pk"))
        .order_by()
        .values("title_id")
        .annotate(total=Sum("watched_seconds"))
        .values("total")
    )
    return titles.annotate(
        watched_seconds_total=Coalesce(
            Subquery(per_title, output_field=FloatField()), Value(0.0), output_field=FloatField()
        )
    )


def active_now() -> Q:
    """The condition of a session that is active now: not ended, heard from lately."""
    return Q(ended_at__isnull=True, last_seen_at__gte=active_cutoff())


def sessions_for_staff() -> QuerySet[PlaybackSession]:
    """All playback sessions, newest first, annotated with ``is_active`` and joined to
    what a list of them shows (account, profile, title, episode)."""
    return (
        PlaybackSession.objects.select_related("user", "profile", "title", "episode__season")
        .annotate(is_active=ExpressionWrapper(active_now(), output_field=BooleanField()))
        .order_by("-started_at")
    )


def watch_time_per_day(*, days: int = 30) -> list[tuple[dt.date, float]]:
    """Hours watched on each of the last ``days`` days (today included, in the current time
    zone), oldest first; a day without sessions has 0. A session counts on the day it
    started."""
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    rows = (
        PlaybackSession.objects.filter(started_at__gte=since)
        .annotate(day=TruncDate("started_at"))
        .order_by()
        .values("day")
        .annotate(seconds=Sum("watched_seconds"))
    )
    seconds = {row["day"]: row["seconds"] or 0.0 for row in rows}
    return [
        (day, round(seconds.get(day, 0.0) / 3600, 2))
        for day in (first + dt.timedelta(days=n) for n in range(days))
    ]
