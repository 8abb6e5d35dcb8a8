"""Comment reads: a title's threads (newest first, replies oldest first) and the comments
near a playback position. Each is a fixed number of queries whatever the page size."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value

from streamflix_core.errors import NotFound
from streamflix_core.viewer import require_profile
from streamflix_media.models import Title
from streamflix_media.selectors import visible_titles, within_limit

from ..models import Comment


def title_for_viewer(*, viewer: Any, slug: str) -> Title:
    """The published title ``slug`` if it is within the viewer's maturity limit; else 404
    (a kids profile cannot tell a title above its limit from a missing one)."""
    title = visible_titles(viewer).filter(slug=slug).first()
    if title is None:
        raise NotFound(f"No title {slug!r}.", code="title_not_found")
    return title


def viewer_profile(viewer: Any) -> Any:
    """The viewer's profile; 403 ``profile_required`` until one is chosen."""
    return require_profile(viewer)


def comments_in_view(viewer: Any) -> QuerySet[Comment]:
    """Comments on published titles within the viewer's limit, hidden ones left out."""
    comments = Comment.objects.filter(title__status=Title.Status.PUBLISHED, is_hidden=False)
    return within_limit(comments, viewer, prefix="title__")


def _with_mine(comments: QuerySet[Comment], viewer: Any) -> QuerySet[Comment]:
    profile_id = viewer.profile_id
    mine: Any = (
        ExpressionWrapper(Q(profile_id=profile_id), output_field=BooleanField())
        if profile_id is not None
        else Value(False)
    )
    return comments.select_related("profile").annotate(mine=mine)


def comment_threads(*, viewer: Any, slug: str) -> QuerySet[Comment]:
    """The title's root comments, newest first, each with its visible replies (oldest first)
    in ``thread_replies``. A deleted root stays (as "deleted") only while it has replies."""
    from django.db.models import Prefetch

    title = title_for_viewer(viewer=viewer, slug=slug)
    live_replies = Comment.objects.filter(parent=OuterRef("pk"), is_hidden=False, is_removed=False)
    replies = _with_mine(Comment.objects.filter(is_hidden=False), viewer).order_by(
        "created_at", "id"
    )
    roots = Comment.objects.filter(title=title, parent__isnull=True, is_hidden=False).filter(
        Q(is_removed=False) | Q(Exists(live_replies))
    )
    return (
        _with_mine(roots, viewer)
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="thread_replies"))
        .order_by("-created_at", "-id")
    )


def comments_around(*, viewer: Any, slug: str, position: float, window: float) -> list[Comment]:
    """The title's timestamped comments within ``window`` seconds either side of
    ``position``, in playback order (at most ``COMMENT_AROUND_LIMIT``, the nearest ones)."""
    from ..conf import settings

    title = title_for_viewer(viewer=viewer, slug=slug)
    low, high = max(0.0, position - window), position + window
    comments = _with_mine(
        Comment.objects.filter(
            title=title,
            is_hidden=False,
            is_removed=False,
            position__gte=low,
            position__lte=high,
        ),
        viewer,
    ).order_by("position", "created_at", "id")
    return list(comments[: settings().COMMENT_AROUND_LIMIT])
