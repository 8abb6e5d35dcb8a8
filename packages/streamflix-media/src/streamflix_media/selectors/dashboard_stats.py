"""Figures of the admin dashboard: the catalog, the transcode queue, storage, views and
watch time per day, top titles and active streams (each one aggregate query)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from streamflix_core.selectors import per_day

from ..models import PlaybackSession, Title, VideoAsset
from .watch_stats import active_now


def catalog_figures() -> dict[str, int]:
    """Titles by status and ``playable`` (published titles a viewer can play now)."""
    published = Q(status=Title.Status.PUBLISHED)
    return Title.objects.aggregate(
        total=Count("pk"),
        published=Count("pk", filter=published),
        draft=Count("pk", filter=Q(status=Title.Status.DRAFT)),
        in_review=Count("pk", filter=Q(status=Title.Status.IN_REVIEW)),
        archived=Count("pk", filter=Q(status=Title.Status.ARCHIVED)),
        playable=Count("pk", filter=published & Q(playable=True)),
    )


def transcode_figures(*, failed_days: int = 7, now: dt.datetime | None = None) -> dict[str, int]:
    """Video assets by state: ``queued`` (pending), ``running`` (processing), ``ready``,
    ``failed_recently`` (failed, last changed within ``failed_days``), ``failed`` (all) and
    ``stored_bytes`` (the recorded size of every source)."""
    now = now or timezone.now()
    Status = VideoAsset.Status
    figures = VideoAsset.objects.aggregate(
        queued=Count("pk", filter=Q(status=Status.PENDING)),
        running=Count("pk", filter=Q(status=Status.PROCESSING)),
        ready=Count("pk", filter=Q(status=Status.READY)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        failed_recently=Count(
            "pk",
            filter=Q(status=Status.FAILED, updated_at__gte=now - dt.timedelta(days=failed_days)),
        ),
        stored_bytes=Sum("size"),
    )
    figures["stored_bytes"] = figures["stored_bytes"] or 0
    return figures


def running_transcodes(*, limit: int = 5) -> list[dict[str, Any]]:
    """The assets being transcoded, most advanced first: ``id``, ``name`` (title or
    episode) and ``progress`` (0-100)."""
    rows = (
        VideoAsset.objects.filter(status=VideoAsset.Status.PROCESSING)
        .order_by("-progress", "pk")
        .values("pk", "progress", "original_filename", "title__name", "episode__name")[:limit]
    )
    return [
        {
            "id": row["pk"],
            "name": row["title__name"] or row["episode__name"] or row["original_filename"],
            "progress": max(0.0, min(100.0, row["progress"] or 0.0)),
        }
        for row in rows
    ]


def views_and_watch_time_per_day(*, days: int = 14) -> list[tuple[dt.date, int, float]]:
    """``(day, views, hours watched)`` for each of the last ``days`` days, oldest first; a
    session counts on the day it started, and as a view once it was counted as one."""
    views = dict(
        per_day(
            PlaybackSession.objects.all(),
            field="started_at",
            days=days,
            value=Count("pk", filter=Q(view_counted=True)),
        )
    )
    seconds = per_day(
        PlaybackSession.objects.all(),
        field="started_at",
        days=days,
        value=Sum("watched_seconds"),
    )
    return [(day, int(views.get(day, 0)), round(total / 3600, 2)) for day, total in seconds]


def top_titles(*, days: int = 7, limit: int = 5) -> list[dict[str, Any]]:
    """The most viewed titles of the last ``days`` days (views, then hours watched):
    ``id``, ``name``, ``views``, ``hours``."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = (
        PlaybackSession.objects.filter(started_at__gte=since)
        .order_by()
        .values("title_id", "title__name")
        .annotate(views=Count("pk", filter=Q(view_counted=True)), seconds=Sum("watched_seconds"))
        .order_by("-views", "-seconds", "title_id")[:limit]
    )
    return [
        {
            "id": row["title_id"],
            "name": row["title__name"],
            "views": row["views"],
            "hours": round((row["seconds"] or 0.0) / 3600, 1),
        }
        for row in rows
    ]


def stream_figures() -> dict[str, int]:
    """Playback sessions active now (``streams``) and the accounts they belong to."""
    return PlaybackSession.objects.filter(active_now()).aggregate(
        streams=Count("pk"), accounts=Count("user_id", distinct=True)
    )
