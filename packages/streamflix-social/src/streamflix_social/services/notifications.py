"""Notification writes: create (and push live once committed), mark read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from streamflix_core.errors import NotFound

from ..models import Notification
from .live import live_broadcast, notifications_group


def notification_event(notification: Notification) -> dict[str, Any]:
    """The JSON pushed to ``/ws/social/notifications/`` for a new notification (the same
    fields as an item of ``GET /api/social/notifications``)."""
    return {
        "type": "notification",
        "notification": {
            "id": notification.pk,
            "kind": notification.kind,
            "title_id": notification.title_id,
            "comment_id": notification.comment_id,
            "data": notification.data,
            "created_at": notification.created_at.isoformat(),
            "read_at": None,
        },
    }


def _push_after_commit(notifications: list[Notification]) -> None:
    def push() -> None:
        for notification in notifications:
            live_broadcast(
                group=notifications_group(notification.profile_id),
                event=notification_event(notification),
            )

    transaction.on_commit(push)


def notifications_create(
    *,
    profile_ids: Iterable[int],
    kind: str,
    title_id: int | None = None,
    comment_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """One notification of ``kind`` for each profile (one INSERT), each pushed to the
    profile's notification sockets once the transaction commits."""
    now = timezone.now()
    rows = [
        Notification(
            profile_id=profile_id,
            kind=kind,
            title_id=title_id,
            comment_id=comment_id,
            data=data or {},
            created_at=now,
        )
        for profile_id in dict.fromkeys(profile_ids)
    ]
    if not rows:
        return []
    with transaction.atomic():
        # SQLite and PostgreSQL return the new ids from a bulk insert.
        created = Notification.objects.bulk_create(rows)
        _push_after_commit(created)
    return created


def notification_mark_read(*, profile_id: int, notification_id: int) -> Notification:
    """Mark one of the profile's notifications read (idempotent); 404 for another's."""
    notification = Notification.objects.filter(pk=notification_id, profile_id=profile_id).first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, profile_id: int) -> int:
    """Mark every unread notification of the profile read; returns how many changed."""
    return Notification.objects.filter(profile_id=profile_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
