"""Figures of the admin dashboard: the moderation queue, ratings and likes per day (each
one aggregate query)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from streamflix_core.selectors import per_day

from ..models import Comment, Like, Rating


def moderation_figures(*, days: int = 7) -> dict[str, int]:
    """``to_moderate`` (reported and not hidden: the admin's "Reported" queue), ``hidden``
    and ``recent`` (comments written in the last ``days`` days)."""
    since = timezone.now() - dt.timedelta(days=days)
    return Comment.objects.aggregate(
        to_moderate=Count("pk", filter=Q(report_count__gt=0, is_hidden=False)),
        hidden=Count("pk", filter=Q(is_hidden=True)),
        recent=Count("pk", filter=Q(created_at__gte=since)),
    )


def ratings_and_likes_per_day(*, days: int = 14) -> list[tuple[dt.date, int, int]]:
    """``(day, ratings, likes)`` given on each of the last ``days`` days, oldest first."""
    likes = dict(per_day(Like.objects.all(), field="created_at", days=days))
    ratings = per_day(Rating.objects.all(), field="created_at", days=days)
    return [(day, int(count), int(likes.get(day, 0))) for day, count in ratings]
