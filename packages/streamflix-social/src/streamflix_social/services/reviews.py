"""Review writes: a profile's review of a title (one each) and "helpful" votes."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from streamflix_core.errors import Conflict, InvalidInput, NotFound, NotPermitted

from ..conf import settings
from ..models import Review, ReviewVote
from ..selectors.comments import title_for_viewer, viewer_profile
from ..selectors.reviews import review_detail

EDITABLE_FIELDS = frozenset({"text", "rating", "spoiler"})


def clean_text(text: str, *, limit: int, field: str = "text") -> str:
    """``text`` stripped of surrounding blanks; 422 when empty or longer than ``limit``."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("The text cannot be empty.", fields={field: ["Write something."]})
    if len(text) > limit:
        raise InvalidInput(
            f"The text is longer than {limit} characters.",
            fields={field: [f"At most {limit} characters ({len(text)} given)."]},
        )
    return text


def _clean_rating(rating: Any) -> int | None:
    if rating is None:
        return None
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("A rating is a whole number from 1 to 5.", fields={"rating": ["1-5."]})
    return rating


def review_create(
    *, viewer: Any, slug: str, text: str, rating: int | None = None, spoiler: bool = False
) -> Review:
    """The viewer's profile reviews the title ``slug``: 404 for a title it may not see,
    409 ``already_reviewed`` when it has a review of it (edit that one instead), 422 for an
    empty or too long text or a rating outside 1-5."""
    profile = viewer_profile(viewer)
    title = title_for_viewer(viewer=viewer, slug=slug)
    text = clean_text(text, limit=settings().REVIEW_MAX_LENGTH)
    rating = _clean_rating(rating)
    try:
        with transaction.atomic():
            return Review.objects.create(
                title=title, profile=profile, text=text, rating=rating, spoiler=spoiler
            )
    except IntegrityError:
        if Review.objects.filter(title=title, profile=profile).exists():
            raise Conflict(
                "This profile has already reviewed this title.", code="already_reviewed"
            ) from None
        raise


def _own_review(viewer: Any, review_id: int) -> Review:
    profile = viewer_profile(viewer)
    review = review_detail(viewer=viewer, review_id=review_id)
    if review.profile_id != profile.pk:
        # another profile's review cannot be changed, and is not revealed as such
        raise NotFound("No such review.", code="review_not_found")
    return review


def review_update(*, viewer: Any, review_id: int, changes: dict[str, Any]) -> Review:
    """Change the text, rating (``None`` clears it) or spoiler flag of the viewer's own
    review (404 for anyone else's); 422 as for :func:`review_create`."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(
            "Unknown fields.", fields={name: ["Not a review field."] for name in sorted(unknown)}
        )
    review = _own_review(viewer, review_id)
    if "text" in changes:
        review.text = clean_text(changes["text"], limit=settings().REVIEW_MAX_LENGTH)
    if "rating" in changes:
        review.rating = _clean_rating(changes["rating"])
    if "spoiler" in changes:
        review.spoiler = bool(changes["spoiler"])
    review.save(update_fields=[*sorted(set(changes)), "updated_at"])
    return review


def review_delete(*, viewer: Any, review_id: int) -> None:
    """Delete the viewer's own review (and its votes); 404 for anyone else's."""
    _own_review(viewer, review_id).delete()


def review_vote(*, viewer: Any, review_id: int, helpful: bool) -> bool:
    """Mark (``helpful=True``) or unmark another profile's review as helpful. Idempotent:
    voting twice counts once. 403 ``own_review`` on one's own review, 404 for a review the
    viewer may not see. Returns whether anything changed."""
    profile = viewer_profile(viewer)
    review = review_detail(viewer=viewer, review_id=review_id)
    if review.profile_id == profile.pk:
        raise NotPermitted("You cannot vote on your own review.", code="own_review")
    if not helpful:
        deleted, _ = ReviewVote.objects.filter(review_id=review.pk, profile=profile).delete()
        return bool(deleted)
    try:
        with transaction.atomic():
            _, created = ReviewVote.objects.get_or_create(review_id=review.pk, profile=profile)
    except IntegrityError:
        # a concurrent identical vote won the race: the vote is there, as asked
        return False
    return created
