"""django-q2 task targets of the social plugin."""

from __future__ import annotations

from .services.digests import digests_send
from .services.discovery import recommendations_refresh


def send_notification_digests() -> int:
    """Mail the email digests that are due; returns how many were queued."""
    return digests_send()


def refresh_recommendations(full: bool = False) -> int:
    """Refresh discovery (incrementally unless ``full``); returns the run's id."""
    return int(recommendations_refresh(full=full).pk)
