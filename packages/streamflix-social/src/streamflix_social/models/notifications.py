"""Notifications: something a profile should see (a reply to its comment, a new episode of
a series on its My List), pushed live and listed until read."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Notification(models.Model):
    class Kind(models.TextChoices):
        COMMENT_REPLY = "comment.reply", "Reply to a comment"
        NEW_EPISODE = "episode.new", "New episode"

    profile = models.ForeignKey(
        "streamflix_core.Profile", on_delete=models.CASCADE, related_name="social_notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.ForeignKey(
        "streamflix_media.Title",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # An id, not a key: the comment may be removed while the notification stays.
    comment_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["profile", "-created_at", "-id"], name="social_notif_list_idx"),
            models.Index(
                fields=["profile"],
                condition=models.Q(read_at__isnull=True),
                name="social_notif_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for profile {self.profile_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationDigest(models.Model):
    """A profile's choice of an email digest of its unread notifications, sent to the
    account's address; ``sent_up_to`` is where the last digest stopped."""

    class Frequency(models.TextChoices):
        OFF = "off", "Off"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    profile = models.OneToOneField(
        "streamflix_core.Profile", on_delete=models.CASCADE, related_name="social_digest"
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.OFF)
    sent_up_to = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} digest for profile {self.profile_id}"
