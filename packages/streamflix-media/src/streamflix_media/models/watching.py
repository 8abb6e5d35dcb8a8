"""Watching: playback sessions (one per "play" on a device) and each profile's progress on
a title or an episode (its resume point, whether it was played, when it was last watched)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from .assets import VideoAsset
from .catalog import Episode, Title


class WatchProgress(models.Model):
    """A profile's progress on a movie (``episode`` empty) or on one episode of a series.

    The row is the profile's history entry for the item too: ``watched_at`` orders the
    history and "Continue watching". ``position`` is the raw resume point; selectors apply
    the rules (under ``RESUME_MIN_FRACTION`` starts over). Heartbeats write it in one
    guarded statement: ``(session, sequence)`` is the last heartbeat applied, so a late,
    older heartbeat of the same session never moves it back.
    """

    profile = models.ForeignKey(
        "streamflix_core.Profile", on_delete=models.CASCADE, related_name="+"
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    position = models.FloatField(default=0.0)
    duration = models.FloatField(default=0.0)
    played = models.BooleanField(default=False)
    play_count = models.PositiveIntegerField(default=0)
    played_at = models.DateTimeField(null=True, blank=True)
    # Heartbeats rewrite position, duration, watched_at, session and sequence: none of them is
    # indexed, so PostgreSQL updates the row in place (a HOT update, no index writes). A
    # profile's rows are few: its lists sort them after the (profile, title) index finds them.
    watched_at = models.DateTimeField()
    session = models.UUIDField(null=True, blank=True)
    sequence = models.BigIntegerField(default=-1)

    class Meta:
        ordering = ("-watched_at", "-id")
        verbose_name_plural = "watch progress"
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "title"],
                condition=Q(episode__isnull=True),
                name="media_progress_one_per_movie",
            ),
            models.UniqueConstraint(
                fields=["profile", "episode"],
                condition=Q(episode__isnull=False),
                name="media_progress_one_per_episode",
            ),
        ]
        indexes = [models.Index(fields=["profile", "title"], name="media_progress_title_idx")]

    def __str__(self) -> str:
        return f"{self.profile_id} on {self.episode_id or self.title_id}: {self.position:.0f}s"


class PlaybackSession(models.Model):
    """One viewing: opened by a playback request, kept alive by heartbeats, ended by the
    player, by the account (from another device) or by silence.

    A session counts against the account's concurrent-stream limit while it is not ended
    and its last heartbeat is within ``PLAYBACK_SESSION_TIMEOUT_SECONDS``. Its signed URLs
    carry its id and stop working once it has ended.
    """

    class State(models.TextChoices):
        PLAYING = "playing", "Playing"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        STOPPED = "stopped", "Stopped by the player"
        EVICTED = "evicted", "Stopped by the account"
        EXPIRED = "expired", "No heartbeat"
        STAFF = "staff", "Stopped by staff"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(
        "streamflix_core.Profile", on_delete=models.CASCADE, related_name="+"
    )
    asset = models.ForeignKey(VideoAsset, on_delete=models.CASCADE, related_name="+")
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    progress = models.ForeignKey(
        WatchProgress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.CharField(max_length=100)
    duration = models.FloatField()
    # The position at which the item counts as played: the credits marker or 90 %.
    complete_at = models.FloatField()
    position = models.FloatField(default=0.0)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PLAYING)
    sequence = models.BigIntegerField(default=-1)
    watched_seconds = models.FloatField(default=0.0)
    view_counted = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=8, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ("-started_at",)
        # Nothing a heartbeat writes (position, state, sequence, last_seen_at, watched_seconds)
        # is indexed, so each heartbeat is an in-place (HOT) update on PostgreSQL.
        indexes = [
            models.Index(fields=["user", "ended_at"], name="media_session_live_idx"),
            models.Index(fields=["title", "started_at"], name="media_session_title_idx"),
            models.Index(fields=["started_at"], name="media_session_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.device} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None
