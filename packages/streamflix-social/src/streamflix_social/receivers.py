"""Signal receivers of the social plugin, connected once in ``AppConfig.ready()``:

- a comment posted, edited or removed is pushed to the sockets of its title's room;
- a title's counters changed: its likes and rating are pushed to the room;
- a reply to a comment notifies the parent comment's author (not when replying to oneself);
- a new episode of a published series notifies the profiles with the series on My List;
- a profile about to be deleted takes its likes and ratings off the titles' counters.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_delete

from streamflix_core.models import Profile
from streamflix_media.models import Episode, Title

from . import signals
from .models import Comment, ListItem, Notification
from .selectors.live import title_counters
from .services.engagement import engagement_forget_profile
from .services.live import live_broadcast, title_group
from .services.notifications import notifications_create

COMMENT_EVENTS = {
    signals.comment_posted: "comment.posted",
    signals.comment_edited: "comment.edited",
    signals.comment_removed: "comment.removed",
}


def on_comment_event(signal: Any, **kwargs: Any) -> None:
    """A comment changed: its ids go to the title's room (clients read the comment from the
    API, which applies moderation and visibility)."""
    event = {
        "type": COMMENT_EVENTS[signal],
        "comment_id": kwargs["comment_id"],
        "title_id": kwargs["title_id"],
        "parent_id": kwargs.get("parent_id"),
        "profile_id": kwargs.get("profile_id"),
    }
    group = title_group(kwargs["title_id"])
    transaction.on_commit(lambda: live_broadcast(group=group, event=event))


def on_comment_reply(*, comment_id: Any, title_id: Any, parent_id: Any, **kwargs: Any) -> None:
    """A reply notifies the author of the comment it answers."""
    if parent_id is None:
        return
    parent_author = (
        Comment.objects.filter(pk=parent_id).values_list("profile_id", flat=True).first()
    )
    if parent_author is None or parent_author == kwargs.get("profile_id"):
        return
    notifications_create(
        profile_ids=[parent_author],
        kind=Notification.Kind.COMMENT_REPLY,
        title_id=title_id,
        comment_id=comment_id,
        data={"parent_id": parent_id, "from_profile_id": kwargs.get("profile_id")},
    )


def on_counters_changed(*, title_id: Any, **kwargs: Any) -> None:
    """Push a title's likes and rating to its room once the change commits."""

    def push() -> None:
        counters = title_counters(title_id=title_id)
        if counters is not None:
            live_broadcast(
                group=title_group(title_id),
                event={"type": "counters", "title_id": int(title_id), **counters},
            )

    transaction.on_commit(push)


def on_episode_saved(sender: Any, instance: Episode, created: bool, **kwargs: Any) -> None:
    """A new episode of a published series: notify the profiles with it on My List."""
    if not created or kwargs.get("raw"):
        return
    series = (
        Title.objects.filter(pk=instance.season.title_id, status=Title.Status.PUBLISHED)
        .values("pk", "name", "slug")
        .first()
    )
    if series is None:
        return
    profile_ids = list(
        ListItem.objects.filter(title_id=series["pk"]).values_list("profile_id", flat=True)
    )
    notifications_create(
        profile_ids=profile_ids,
        kind=Notification.Kind.NEW_EPISODE,
        title_id=series["pk"],
        data={
            "title_name": series["name"],
            "title_slug": series["slug"],
            "episode_id": instance.pk,
            "season_number": instance.season.number,
            "episode_number": instance.number,
            "episode_name": instance.name,
        },
    )


def on_profile_delete(sender: Any, instance: Profile, **kwargs: Any) -> None:
    """A profile (or its account) is being deleted: its likes and ratings leave the titles'
    counters in the same transaction as the rows themselves."""
    engagement_forget_profile(profile_id=instance.pk)


def connect() -> None:
    for signal in COMMENT_EVENTS:
        signal.connect(on_comment_event, dispatch_uid=f"social-live-{COMMENT_EVENTS[signal]}")
    signals.comment_posted.connect(on_comment_reply, dispatch_uid="social-notify-reply")
    signals.title_counters_changed.connect(on_counters_changed, dispatch_uid="social-counters")
    post_save.connect(on_episode_saved, sender=Episode, dispatch_uid="social-notify-episode")
    pre_delete.connect(on_profile_delete, sender=Profile, dispatch_uid="social-profile-counters")
