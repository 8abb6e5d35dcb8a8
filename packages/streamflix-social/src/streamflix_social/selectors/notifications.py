"""Notification reads: a profile's list (newest first) and its unread count."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Notification, NotificationDigest


def notification_list(*, profile_id: int) -> QuerySet[Notification]:
    """The profile's notifications, newest first (stable: ties by id)."""
    return Notification.objects.filter(profile_id=profile_id).order_by("-created_at", "-id")


def notification_unread_count(*, profile_id: int) -> int:
    """How many of the profile's notifications are unread. One query."""
    return Notification.objects.filter(profile_id=profile_id, read_at__isnull=True).count()


def digest_frequency(*, profile_id: int) -> str:
    """The profile's email digest frequency (``off`` until it chooses one)."""
    chosen = (
        NotificationDigest.objects.filter(profile_id=profile_id)
        .values_list("frequency", flat=True)
        .first()
    )
    return chosen or NotificationDigest.Frequency.OFF
