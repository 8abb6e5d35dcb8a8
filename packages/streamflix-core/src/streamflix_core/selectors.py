"""Core's reads (query-count bounded)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

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


def per_day(
    queryset: QuerySet[Any],
    *,
    field: str,
    days: int,
    value: Any = None,
    today: dt.date | None = None,
) -> list[tuple[dt.date, float]]:
    """``value`` (default: how many rows) of ``queryset`` on each of the last ``days`` days,
    by the date of ``field`` in the current time zone, oldest first, today included; a day
    without rows has 0. One aggregate query."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .order_by()
        .values("day")
        .annotate(total=value if value is not None else Count("pk"))
    )
    totals = {row["day"]: row["total"] or 0 for row in rows}
    return [
        (day, totals.get(day, 0)) for day in (first + dt.timedelta(days=n) for n in range(days))
    ]


def account_figures() -> dict[str, int]:
    """Accounts for the admin dashboard: ``accounts`` (active ones), ``staff``,
    ``unverified`` (active but email not verified, when the user model records it),
    ``inactive`` and ``profiles``. Two queries."""
    user_model = get_user_model()
    field_names = {f.name for f in user_model._meta.get_fields()}
    aggregates: dict[str, Any] = {"all": Count("pk")}
    if "is_active" in field_names:
        aggregates["accounts"] = Count("pk", filter=Q(is_active=True))
    if "is_staff" in field_names:
        aggregates["staff"] = Count("pk", filter=Q(is_staff=True))
    if "email_verified" in field_names and "is_active" in field_names:
        aggregates["unverified"] = Count("pk", filter=Q(is_active=True, email_verified=False))
    figures = user_model._default_manager.aggregate(**aggregates)
    accounts = figures.get("accounts", figures["all"])
    return {
        "accounts": accounts,
        "inactive": figures["all"] - accounts,
        "staff": figures.get("staff", 0),
        "unverified": figures.get("unverified", 0),
        "profiles": Profile.objects.count(),
    }


def signups_per_day(*, days: int = 14) -> list[tuple[dt.date, float]]:
    """New accounts on each of the last ``days`` days (by ``date_joined``; all zero for a
    user model without it). One query."""
    user_model = get_user_model()
    if "date_joined" not in {f.name for f in user_model._meta.get_fields()}:
        today = timezone.localdate()
        return [(today - dt.timedelta(days=n), 0) for n in range(days - 1, -1, -1)]
    return per_day(user_model._default_manager.all(), field="date_joined", days=days)
