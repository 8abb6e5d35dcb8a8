"""Engagement reads: a profile's list, and its own marks on a page of titles."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery

from streamflix_core.viewer import require_profile
from streamflix_media.models import Genre, Title
from streamflix_media.selectors import visible_titles

from ..models import Like, ListItem, Rating


def viewer_profile_id(viewer: Any) -> int:
    """The id of the viewer's profile; 403 ``profile_required`` when none is chosen."""
    return int(require_profile(viewer).pk)


def my_list(*, viewer: Any) -> QuerySet[Title]:
    """The titles on the viewer's profile's list that it may still see, most recently added
    first, each with ``added_at``, ``viewer_liked`` and ``viewer_rating``; its genres are
    prefetched, so a page costs the same few queries whatever its size."""
    profile_id = viewer_profile_id(viewer)
    liked = Like.objects.filter(profile_id=profile_id, title_id=OuterRef("pk"))
    rated = Rating.objects.filter(profile_id=profile_id, title_id=OuterRef("pk"))
    return (
        visible_titles(viewer)
        .annotate(
            entry=FilteredRelation(
                "social_list_items", condition=Q(social_list_items__profile_id=profile_id)
            )
        )
        .filter(entry__isnull=False)
        .annotate(
            added_at=F("entry__added_at"),
            viewer_liked=Exists(liked),
            viewer_rating=Subquery(rated.values("value")[:1]),
        )
        .order_by("-added_at", "-entry__id")
        .prefetch_related(Prefetch("genres", queryset=Genre.objects.order_by("name")))
    )


def engagement_marks(*, profile_id: int) -> dict[str, Any]:
    """``liked``, ``in_list`` and ``my_rating`` of the profile as expressions over a title
    query (``OuterRef("pk")`` is the title): evaluated inside the caller's one query."""
    mine = {"profile_id": profile_id, "title_id": OuterRef("pk")}
    return {
        "liked": Exists(Like.objects.filter(**mine)),
        "in_list": Exists(ListItem.objects.filter(**mine)),
        "my_rating": Subquery(Rating.objects.filter(**mine).values("value")[:1]),
    }
