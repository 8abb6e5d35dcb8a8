"""Engagement writes: like and unlike, add to and remove from My List, rate and unrate.

Every write is idempotent per profile and title (a unique row), and the title's counters
move through media's ``title_counters_apply`` in the transaction that inserted, changed or
deleted the row, and only when one was: repeats and races never count twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from streamflix_core.errors import InvalidInput, NotFound
from streamflix_media.models import Title
from streamflix_media.selectors import visible_titles
from streamflix_media.services import title_counters_apply

from ..models import RATING_MAX, RATING_MIN, Like, ListItem, Rating
from ..selectors.engagement import viewer_profile_id
from ..signals import title_counters_changed


@dataclass(frozen=True)
class LikeState:
    liked: bool
    likes: int


@dataclass(frozen=True)
class ListState:
    in_list: bool
    added_at: Any = None


@dataclass(frozen=True)
class RatingState:
    my_rating: int | None
    rating_average: float
    rating_count: int


def _target(viewer: Any, slug: str) -> tuple[int, int]:
    """``(profile id, title id)``; 404 unless the title is published within the limit."""
    profile_id = viewer_profile_id(viewer)
    title_id = visible_titles(viewer).filter(slug=slug).values_list("pk", flat=True).first()
    if title_id is None:
        raise NotFound(f"No title {slug!r}.")
    return profile_id, title_id


def _counters_apply(*, title_id: int, **deltas: int) -> None:
    """Move the title's counters (media's atomic service) and, once this commits, tell the
    title's live room (``title_counters_changed``)."""
    title_counters_apply(title_id=title_id, **deltas)
    transaction.on_commit(
        lambda: title_counters_changed.send_robust(sender=Title, title_id=title_id)
    )


def engagement_forget_profile(*, profile_id: int) -> None:
    """Take a profile's likes and ratings off the titles' counters and delete them (its
    account or the profile itself is being deleted)."""
    with transaction.atomic():
        for title_id in Like.objects.filter(profile_id=profile_id).values_list(
            "title_id", flat=True
        ):
            _counters_apply(title_id=title_id, likes_delta=-1)
        Like.objects.filter(profile_id=profile_id).delete()
        for title_id, value in Rating.objects.filter(profile_id=profile_id).values_list(
            "title_id", "value"
        ):
            _counters_apply(title_id=title_id, rating_sum_delta=-value, rating_count_delta=-1)
        Rating.objects.filter(profile_id=profile_id).delete()


def _likes(title_id: int) -> int:
    return Title.objects.values_list("likes", flat=True).get(pk=title_id)


def like_add(*, viewer: Any, slug: str) -> LikeState:
    """The viewer's profile likes the title (idempotent: liking twice counts once)."""
    profile_id, title_id = _target(viewer, slug)
    with transaction.atomic():
        _, created = Like.objects.get_or_create(profile_id=profile_id, title_id=title_id)
        if created:
            _counters_apply(title_id=title_id, likes_delta=1)
        return LikeState(liked=True, likes=_likes(title_id))


def like_remove(*, viewer: Any, slug: str) -> LikeState:
    """The viewer's profile no longer likes the title (idempotent)."""
    profile_id, title_id = _target(viewer, slug)
    with transaction.atomic():
        deleted, _ = Like.objects.filter(profile_id=profile_id, title_id=title_id).delete()
        if deleted:
            _counters_apply(title_id=title_id, likes_delta=-1)
        return LikeState(liked=False, likes=_likes(title_id))


def list_item_add(*, viewer: Any, slug: str) -> ListState:
    """Put the title on the profile's list (idempotent: it keeps its first ``added_at``)."""
    profile_id, title_id = _target(viewer, slug)
    item, _ = ListItem.objects.get_or_create(profile_id=profile_id, title_id=title_id)
    return ListState(in_list=True, added_at=item.added_at)


def list_item_remove(*, viewer: Any, slug: str) -> ListState:
    """Take the title off the profile's list (idempotent)."""
    profile_id, title_id = _target(viewer, slug)
    ListItem.objects.filter(profile_id=profile_id, title_id=title_id).delete()
    return ListState(in_list=False)


def _rating_state(title_id: int, my_rating: int | None) -> RatingState:
    average, count = Title.objects.values_list("rating_average", "rating_count").get(pk=title_id)
    return RatingState(my_rating=my_rating, rating_average=average, rating_count=count)


def _check_rating(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            "A rating is a whole number of stars.", fields={"rating": ["Must be an integer."]}
        )
    if not RATING_MIN <= value <= RATING_MAX:
        raise InvalidInput(
            f"A rating is from {RATING_MIN} to {RATING_MAX} stars.",
            fields={"rating": [f"Must be between {RATING_MIN} and {RATING_MAX}."]},
        )
    return value


def _locked_rating(profile_id: int, title_id: int, value: int) -> int | None:
    """Write ``value`` as the profile's rating, holding its row locked until the caller's
    transaction ends; returns the value it replaced (``None``: it is the first)."""
    existing = Rating.objects.select_for_update().filter(profile_id=profile_id, title_id=title_id)
    rating = existing.first()
    if rating is None:
        try:
            with transaction.atomic():
                Rating.objects.create(profile_id=profile_id, title_id=title_id, value=value)
            return None
        except IntegrityError:
            # The same profile's first rating arrived in a parallel request: replace it.
            rating = existing.get()
    if rating.value != value:
        Rating.objects.filter(pk=rating.pk).update(value=value, updated_at=timezone.now())
    return rating.value


def rating_set(*, viewer: Any, slug: str, value: int) -> RatingState:
    """Rate the title from 1 to 5 stars (422 otherwise); rating again replaces the rating.

    The title's ``rating_sum``, ``rating_count`` and ``rating_average`` stay exact: the
    deltas come from the old and the new value, read under a row lock.
    """
    value = _check_rating(value)
    profile_id, title_id = _target(viewer, slug)
    with transaction.atomic():
        previous = _locked_rating(profile_id, title_id, value)
        sum_delta = value - (previous or 0)
        count_delta = 1 if previous is None else 0
        if sum_delta or count_delta:
            _counters_apply(
                title_id=title_id, rating_sum_delta=sum_delta, rating_count_delta=count_delta
            )
        return _rating_state(title_id, value)


def rating_remove(*, viewer: Any, slug: str) -> RatingState:
    """Withdraw the profile's rating of the title (idempotent)."""
    profile_id, title_id = _target(viewer, slug)
    with transaction.atomic():
        rating = (
            Rating.objects.select_for_update()
            .filter(profile_id=profile_id, title_id=title_id)
            .first()
        )
        if rating is not None and Rating.objects.filter(pk=rating.pk).delete()[0]:
            _counters_apply(
                title_id=title_id, rating_sum_delta=-rating.value, rating_count_delta=-1
            )
        return _rating_state(title_id, None)
