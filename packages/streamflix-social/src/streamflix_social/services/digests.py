"""Email digests of unread notifications: a profile's choice, and the run that sends them
(the ``social-notification-digests`` schedule, hourly)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from streamflix_core.emails import queue_email
from streamflix_core.users import email_of

from ..models import Notification, NotificationDigest

PERIODS = {
    NotificationDigest.Frequency.DAILY: dt.timedelta(days=1),
    NotificationDigest.Frequency.WEEKLY: dt.timedelta(days=7),
}
MOST_ITEMS = 20


def digest_set(*, profile_id: int, frequency: str) -> NotificationDigest:
    """Choose the profile's digest frequency (``off``, ``daily``, ``weekly``). Switching it
    on starts from now: notifications from before are not mailed."""
    digest, created = NotificationDigest.objects.get_or_create(
        profile_id=profile_id, defaults={"frequency": frequency}
    )
    if not created and digest.frequency != frequency:
        if digest.frequency == NotificationDigest.Frequency.OFF:
            digest.sent_up_to = timezone.now()
        digest.frequency = frequency
        digest.save(update_fields=["frequency", "sent_up_to"])
    return digest


def _line(notification: Notification) -> str:
    data = notification.data or {}
    if notification.kind == Notification.Kind.NEW_EPISODE:
        return (
            f"New episode of {data.get('title_name', 'a series on your list')}: "
            f"S{data.get('season_number', '?')}E{data.get('episode_number', '?')} "
            f"{data.get('episode_name', '')}".rstrip()
        )
    if notification.kind == Notification.Kind.COMMENT_REPLY:
        return "Someone replied to your comment."
    return notification.get_kind_display()


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Mail every due digest (its period has passed since the last one) that has unread
    notifications since then, one email per profile to its account's address; returns how
    many were queued. Each digest moves on whether or not it had anything to send."""
    now = now or timezone.now()
    sent = 0
    for frequency, period in PERIODS.items():
        due = NotificationDigest.objects.filter(
            frequency=frequency, sent_up_to__lte=now - period
        ).select_related("profile__user")
        for digest in due:
            unread = list(
                Notification.objects.filter(
                    profile_id=digest.profile_id,
                    read_at__isnull=True,
                    created_at__gt=digest.sent_up_to,
                    created_at__lte=now,
                ).order_by("-created_at", "-id")[: MOST_ITEMS + 1]
            )
            with transaction.atomic():
                moved = NotificationDigest.objects.filter(
                    pk=digest.pk, sent_up_to=digest.sent_up_to
                ).update(sent_up_to=now)
                address = email_of(digest.profile.user)
                if not moved or not unread or not address:
                    continue
                lines = [f"- {_line(n)}" for n in unread[:MOST_ITEMS]]
                if len(unread) > MOST_ITEMS:
                    lines.append("- ... and more in the app.")
                queue_email(
                    to=address,
                    subject=f"Streamflix: {len(unread[:MOST_ITEMS])} new for {digest.profile.name}",
                    body=f"Unread notifications for {digest.profile.name}:\n\n"
                    + "\n".join(lines)
                    + "\n\nChange how often you get this in your notification settings.\n",
                )
                sent += 1
    return sent
