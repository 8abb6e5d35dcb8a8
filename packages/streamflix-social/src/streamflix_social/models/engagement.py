"""Engagement: what a viewer profile does to a title with one tap. It likes it, keeps it on
its list ("My List"), rates it from 1 to 5.

Each row is one profile's mark on one title, unique per pair, so repeating a tap changes
nothing. The title's totals (``likes``, ``rating_sum``, ``rating_count``, ``rating_average``)
live on media's ``Title`` and move only with a row really inserted, changed or deleted,
through media's ``title_counters_apply`` in the same transaction.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from streamflix_media.models import Title

RATING_MIN = 1
RATING_MAX = 5


class Like(models.Model):
    """A profile likes a title."""

    profile = models.ForeignKey(
        "streamflix_core.Profile", on_delete=models.CASCADE, related_name="+"
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="social_like_once")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} likes {self.title_id}"


class ListItem(models.Model):
    """A title on a profile's list ("My List"), newest first."""

    profile = models.ForeignKey(
        "streamflix_core.Profile", on_delete=models.CASCADE, related_name="+"
    )
    # Named so My List is one join from the title side (a FilteredRelation on this name).
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="social_list_items")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-added_at", "-id")
        verbose_name = "My List item"
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="social_list_item_once")
        ]
        indexes = [models.Index(fields=["profile", "-added_at"], name="social_list_recent_idx")]

    def __str__(self) -> str:
        return f"{self.title_id} on the list of {self.profile_id}"


class Rating(models.Model):
    """A profile's rating of a title, from 1 to 5 stars; rating again replaces it."""

    profile = models.ForeignKey(
        "streamflix_core.Profile", on_delete=models.CASCADE, related_name="+"
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-updated_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="social_rating_once"),
            models.CheckConstraint(
                condition=Q(value__gte=RATING_MIN, value__lte=RATING_MAX),
                name="social_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} rates {self.title_id}: {self.value}"
