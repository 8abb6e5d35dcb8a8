"""django-q2 task targets of the social plugin."""

from __future__ import annotations

from .services.digests import digests_send


def send_notification_digests() -> int:
    """Mail the email digests that are due; returns how many were queued."""
    return digests_send()
