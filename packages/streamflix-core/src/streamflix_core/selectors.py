"""Core's reads (query-count bounded)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Profile


def profile_list(*, user: Any) -> QuerySet[Profile]:
    """The user's profiles, oldest first."""
    return Profile.objects.filter(user=user).order_by("created_at", "id")


def profile_get(*, user: Any, profile_id: int) -> Profile | None:
    return Profile.objects.filter(user=user, pk=profile_id).first()


def default_profile_id(user: Any) -> int | None:
    """The id of the user's default profile (else the oldest), or ``None``."""
    row = (
        Profile.objects.filter(user=user)
        .order_by("-is_default", "created_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    return row


def open_default_profile_id(user: Any) -> int | None:
    """The id of the profile a new session starts in: the default profile (else the oldest)
    when it has no PIN; ``None`` when it has one, so the session chooses a profile ("Who's
    watching?") and enters that one with its PIN. One query."""
    row = (
        Profile.objects.filter(user=user)
        .order_by("-is_default", "created_at", "id")
        .values_list("pk", "pin_hash")
        .first()
    )
    if row is None or row[1]:
        return None
    return row[0]


def viewer_profile(*, user: Any, profile_id: Any) -> Profile | None:
    """The profile a request watches as: ``profile_id`` when given (``None`` when it is not
    one of the user's), else the user's default profile. One query."""
    queryset = Profile.objects.filter(user=user)
    if profile_id is None:
        return queryset.order_by("-is_default", "created_at", "id").first()
    try:
        return queryset.filter(pk=int(profile_id)).first()
    except (TypeError, ValueError):
        return None
