"""Reviews: one per profile per title, with an optional 1-5 rating, and "helpful" votes.

Deleting a title deletes its reviews; deleting a profile (or the account, which deletes its
profiles) deletes the profile's reviews and its helpful votes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from streamflix_core.models import Profile
from streamflix_media.models import Title


class Review(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="social_reviews")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="social_reviews")
    text = models.TextField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    spoiler = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["title", "profile"], name="streamflix_social_review_one_per_profile"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="streamflix_social_review_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["title", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.profile} on {self.title}"


class ReviewVote(models.Model):
    """A profile found a review helpful (at most once)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="social_review_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "profile"], name="streamflix_social_review_vote_once"
            )
        ]

    def __str__(self) -> str:
        return f"Helpful vote on review #{self.review_id}"
