"""Watching: progress heartbeats, views, stopping sessions, history, markers, playability.

A heartbeat is the hot path (every player sends one every ~10 s): it reads the session's
record from the shared cache and writes with two guarded statements in one transaction,
the session row and the profile's progress row; nothing else unless it is the heartbeat
that completes the item.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from streamflix_core.errors import Conflict, Gone, InvalidInput, NotFound, NotPermitted
from streamflix_core.signals import progress_recorded, title_completed

from ..conf import settings
from ..models import Episode, PlaybackSession, Title, VideoAsset, WatchProgress
from ..search import catalog_changed
from ..session_state import (
    SessionRecord,
    session_id_or_none,
    session_record,
    session_record_end,
    session_record_store,
)
from ..watch_rules import active_cutoff
from .catalog import title_views_increment
from .heartbeat_sql import AppliedHeartbeat, heartbeat_apply

logger = logging.getLogger(__name__)

# Players report positions a little past the end of the last frame.
DURATION_SLACK = 1.0


class SessionEnded(Gone):
    code = "session_ended"


class SessionExpired(Gone):
    code = "session_expired"


@dataclass(frozen=True)
class Heartbeat:
    """What a heartbeat did: ``applied`` is False for a repeated or late (older) one."""

    session_id: str
    applied: bool
    position: float
    state: str
    view_counted: bool


def _owned(session_id: Any, user_id: Any) -> SessionRecord:
    record = session_record(session_id)
    if record is None or str(record.user_id) != str(user_id):
        raise NotFound("No such playback session.")
    return record


def session_heartbeat(
    *, user_id: Any, session_id: Any, position: float, state: str, sequence: int
) -> Heartbeat:
    """Record a player's heartbeat: position (seconds), state (playing, paused, ended) and
    its sequence number (increasing per session).

    404 for an unknown session or another account's; 410 ``session_ended`` once stopped and
    ``session_expired`` after ``PLAYBACK_SESSION_TIMEOUT_SECONDS`` of silence; 422 for a
    position beyond the duration. A heartbeat whose sequence is not above the last applied
    one changes nothing (repeats are idempotent, late ones cannot move the resume point
    back). Reaching the completion point counts the view once per session, whatever the
    concurrency, and sends ``title_completed``; every applied heartbeat sends
    ``progress_recorded``. The write is one statement on PostgreSQL
    (:mod:`.heartbeat_sql`); nothing else runs unless this heartbeat completes the item.
    """
    key = session_id_or_none(session_id)
    if key is None:
        raise NotFound("No such playback session.")
    config = settings()
    now = timezone.now()
    applied = heartbeat_apply(
        session_id=uuid.UUID(key), user_id=user_id, position=position, state=state,
        sequence=sequence, now=now, cutoff=active_cutoff(now),
        max_step=config.HEARTBEAT_MAX_STEP_SECONDS, slack=DURATION_SLACK,
    )  # fmt: skip
    if applied is None:
        return _not_applied(key, user_id=user_id, position=position, now=now)
    position = min(position, applied.duration)
    counted = applied.view_counted
    if position >= applied.complete_at and not counted:
        counted = _count_view(key, applied, now=now)
    if progress_recorded.has_listeners():
        progress_recorded.send_robust(
            sender=PlaybackSession, profile_id=applied.profile_id, title_id=applied.title_id,
            episode_id=applied.episode_id, position_seconds=position,
        )  # fmt: skip
    return Heartbeat(key, True, position, state, counted)


def _not_applied(session_id: str, *, user_id: Any, position: float, now: Any) -> Heartbeat:
    """Why a heartbeat moved nothing: raise the error that says so, or answer a stale one."""
    session = PlaybackSession.objects.filter(pk=session_id).first()
    if session is None or str(session.user_id) != str(user_id):
        raise NotFound("No such playback session.")
    record = session_record_store(session)
    if session.ended_at is not None:
        raise SessionEnded("This playback session has ended.")
    if session.last_seen_at < active_cutoff(now):
        _end(record, PlaybackSession.EndReason.EXPIRED, now=now)
        raise SessionExpired("This playback session was silent for too long; start playback again.")
    if position > session.duration + DURATION_SLACK:
        raise InvalidInput(
            "The position is beyond the end of the video.",
            fields={"position": [f"Must be at most {session.duration:.3f} (the duration)."]},
        )
    return Heartbeat(session_id, False, session.position, session.state, session.view_counted)


def _count_view(session_id: str, applied: AppliedHeartbeat, *, now: Any) -> bool:
    """Count the session's view if no heartbeat did yet (one conditional UPDATE decides)."""
    with transaction.atomic():
        first = PlaybackSession.objects.filter(pk=session_id, view_counted=False).update(
            view_counted=True
        )
        if first:
            title_views_increment(title_id=applied.title_id)
            if applied.episode_id is not None:
                Episode.objects.filter(pk=applied.episode_id).update(views=F("views") + 1)
            if applied.progress_id is not None:
                WatchProgress.objects.filter(pk=applied.progress_id).update(
                    played=True, played_at=now, play_count=F("play_count") + 1, position=0.0
                )
            transaction.on_commit(
                lambda: title_completed.send_robust(
                    sender=PlaybackSession,
                    profile_id=applied.profile_id,
                    title_id=applied.title_id,
                    episode_id=applied.episode_id,
                )
            )
    return True


def _end(record: SessionRecord, reason: str, *, now: Any = None) -> bool:
    ended = PlaybackSession.objects.filter(pk=record.id, ended_at__isnull=True).update(
        ended_at=now or timezone.now(), end_reason=reason
    )
    # Ended is final: written over whatever is cached, so every process refuses its URLs.
    session_record_end(record)
    return bool(ended)


def session_stop(*, viewer: Any, session_id: Any) -> bool:
    """Stop one of the account's sessions: the player ending its own, or the account
    freeing a slot (from any profile but a kids one, which may stop only its own). Its
    signed URLs stop working at once. Stopping an ended session changes nothing (False).
    """
    record = _owned(session_id, viewer.user.pk)
    own = record.profile_id == viewer.profile_id
    if not own and viewer.profile is not None and viewer.profile.is_kids:
        raise NotPermitted("A kids profile can stop only its own playback.", code="kids_profile")
    reason = PlaybackSession.EndReason.STOPPED if own else PlaybackSession.EndReason.EVICTED
    return _end(record, reason)


def session_stop_by_staff(*, session_id: Any) -> bool:
    """Stop any session (the admin's "stop" action)."""
    record = session_record(session_id)
    if record is None:
        raise NotFound("No such playback session.")
    return _end(record, PlaybackSession.EndReason.STAFF)


def sessions_expire() -> int:
    """End the sessions silent for longer than the timeout (a schedule runs this)."""
    now = timezone.now()
    stale = list(
        PlaybackSession.objects.filter(ended_at__isnull=True, last_seen_at__lt=active_cutoff(now))[
            :5000
        ]
    )
    ended = PlaybackSession.objects.filter(
        pk__in=[s.pk for s in stale], ended_at__isnull=True
    ).update(ended_at=now, end_reason=PlaybackSession.EndReason.EXPIRED)
    for session in stale:
        session.ended_at = now
        session_record_store(session)
    return ended


def history_remove(*, profile_id: int, item_id: int) -> None:
    """Remove one item from a profile's history (its resume point goes with it)."""
    deleted, _ = WatchProgress.objects.filter(pk=item_id, profile_id=profile_id).delete()
    if not deleted:
        raise NotFound(f"No history item {item_id}.")


def history_clear(*, profile_id: int) -> int:
    """Clear a profile's whole history; returns how many items went."""
    deleted, _ = WatchProgress.objects.filter(profile_id=profile_id).delete()
    return deleted


def asset_markers_set(
    *,
    asset: VideoAsset,
    intro_start: float | None,
    intro_end: float | None,
    credits_start: float | None,
) -> VideoAsset:
    """Set (or clear, with ``None``) an asset's intro and credits markers, in seconds.

    The video must have a known duration (409 ``no_duration``). Each marker lies within it;
    the intro has both ends or none and starts before it ends; the credits start after the
    intro (422, naming the field).
    """
    if not asset.duration:
        raise Conflict(
            "Markers need the video's duration: wait until it is transcoded.", code="no_duration"
        )
    problems: dict[str, list[str]] = {}
    for name, value in (
        ("intro_start", intro_start),
        ("intro_end", intro_end),
        ("credits_start", credits_start),
    ):
        if value is not None and not 0 <= value <= asset.duration:
            problems.setdefault(name, []).append(
                f"Must be between 0 and the duration ({asset.duration:.3f} s)."
            )
    if (intro_start is None) != (intro_end is None):
        problems.setdefault("intro_end", []).append("Give both ends of the intro, or neither.")
    elif intro_start is not None and intro_end is not None and intro_start >= intro_end:
        problems.setdefault("intro_end", []).append("The intro must end after it starts.")
    if credits_start is not None and intro_end is not None and credits_start < intro_end:
        problems.setdefault("credits_start", []).append("The credits start after the intro.")
    if problems:
        raise InvalidInput("The markers do not fit the video.", fields=problems)
    asset.intro_start, asset.intro_end, asset.credits_start = intro_start, intro_end, credits_start
    asset.save(update_fields=["intro_start", "intro_end", "credits_start", "updated_at"])
    return asset


def playable_refresh(*, title_ids: Iterable[int] = (), episode_ids: Iterable[int] = ()) -> None:
    """Recompute the ``playable`` flags of these episodes, their series and these titles
    from their ready videos; the catalog version moves when a flag changed."""
    ready = VideoAsset.objects.filter(status=VideoAsset.Status.READY).exclude(output_prefix="")
    episode_ids = {pk for pk in episode_ids if pk is not None}
    title_ids = {pk for pk in title_ids if pk is not None}
    changed = 0
    if episode_ids:
        title_ids |= set(
            Episode.objects.filter(pk__in=episode_ids).values_list("season__title_id", flat=True)
        )
        episodes = Episode.objects.filter(pk__in=episode_ids)
        has_video = Exists(ready.filter(role=VideoAsset.Role.EPISODE, episode_id=OuterRef("pk")))
        changed += episodes.filter(playable=True).exclude(has_video).update(playable=False)
        changed += episodes.filter(playable=False).filter(has_video).update(playable=True)
    if title_ids:
        titles = Title.objects.filter(pk__in=title_ids)
        feature = ready.filter(role=VideoAsset.Role.FEATURE, title_id=OuterRef("pk"))
        episode = ready.filter(
            role=VideoAsset.Role.EPISODE, episode__season__title_id=OuterRef("pk")
        )
        title_playable = Q(Exists(feature)) | Q(Exists(episode))
        changed += titles.filter(playable=True).exclude(title_playable).update(playable=False)
        changed += titles.filter(playable=False).filter(title_playable).update(playable=True)
    if changed:
        catalog_changed()
