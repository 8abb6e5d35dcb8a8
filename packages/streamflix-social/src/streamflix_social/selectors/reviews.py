"""Review reads: a title's reviews with their helpful counts and the viewer's own votes,
in a fixed number of queries whatever the page size."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from streamflix_core.errors import NotFound
from streamflix_media.models import Title
from streamflix_media.selectors import within_limit

from ..models import Review, ReviewVote
from .comments import title_for_viewer

REVIEW_ORDERINGS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-id"),
    "helpful": ("-helpful_count", "-created_at", "-id"),
}


def _annotated(reviews: QuerySet[Review], viewer: Any) -> QuerySet[Review]:
    votes = (
        ReviewVote.objects.filter(review=OuterRef("pk"))
        .order_by()
        .values("review")
        .annotate(n=Count("id"))
        .values("n")
    )
    profile_id = viewer.profile_id
    voted: Any = (
        Exists(ReviewVote.objects.filter(review=OuterRef("pk"), profile_id=profile_id))
        if profile_id is not None
        else Value(False)
    )
    mine: Any = (
        ExpressionWrapper(Q(profile_id=profile_id), output_field=BooleanField())
        if profile_id is not None
        else Value(False)
    )
    return reviews.select_related("profile").annotate(
        helpful_count=Coalesce(Subquery(votes, output_field=IntegerField()), 0),
        voted=voted,
        mine=mine,
    )


def review_list(*, viewer: Any, slug: str, ordering: str = "newest") -> QuerySet[Review]:
    """The title's reviews, ``newest`` first or most ``helpful`` first, each annotated with
    ``helpful_count``, ``voted`` (the viewer found it helpful) and ``mine``; 404 for a title
    the viewer may not see."""
    title = title_for_viewer(viewer=viewer, slug=slug)
    return _annotated(Review.objects.filter(title=title), viewer).order_by(
        *REVIEW_ORDERINGS[ordering]
    )


def review_detail(*, viewer: Any, review_id: int) -> Review:
    """One review, annotated as in :func:`review_list`; 404 when its title is not visible
    to the viewer."""
    reviews = within_limit(
        Review.objects.filter(pk=review_id, title__status=Title.Status.PUBLISHED),
        viewer,
        prefix="title__",
    )
    review = _annotated(reviews, viewer).first()
    if review is None:
        raise NotFound("No such review.", code="review_not_found")
    return review
