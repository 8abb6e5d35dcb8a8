"""What every process needs to know about a playback session, fast: a record of it in the
shared cache, read through to the database on a miss.

Heartbeats and HLS requests ask for it many times a second across every worker, so it lives
in the site's shared cache (Redis at scale), never in one process's memory. The record holds
what does not change while the session lives (owner, item, duration, completion point) and
whether it has ended. Ending is final, so an ended record is written unconditionally, while a
live one is only ever *added* (``cache.add``): a reader that loaded the row just before a stop
can never put a live record back over the ended one. A second key, expiring after
``PLAYBACK_URL_TTL_SECONDS``, says the session was heard from lately, which renews its signed
URLs: written when the session opens, and when a URL past its expiry finds in the database
that a heartbeat came within that time (heartbeats themselves touch only the database).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from .conf import settings
from .models import PlaybackSession

RECORD_SECONDS = 6 * 3600
_RECORD = "streamflix_media:session:{}"
_SEEN = "streamflix_media:session-seen:{}"


@dataclass(frozen=True)
class SessionRecord:
    id: str
    user_id: Any
    profile_id: int
    progress_id: int | None
    title_id: int
    episode_id: int | None
    asset_id: int
    duration: float
    complete_at: float
    ended: bool
    view_counted: bool


def _record_of(session: PlaybackSession) -> SessionRecord:
    return SessionRecord(
        id=str(session.pk),
        user_id=session.user_id,
        profile_id=session.profile_id,
        progress_id=session.progress_id,
        title_id=session.title_id,
        episode_id=session.episode_id,
        asset_id=session.asset_id,
        duration=session.duration,
        complete_at=session.complete_at,
        ended=session.ended_at is not None,
        view_counted=session.view_counted,
    )


def session_id_or_none(value: Any) -> str | None:
    """``value`` as a canonical session id, or ``None`` when it is not a UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def session_record(session_id: Any) -> SessionRecord | None:
    """The record of a session (``None``: no such session), from the cache or, on a miss,
    from the database (then cached)."""
    key = session_id_or_none(session_id)
    if key is None:
        return None
    record = cache.get(_RECORD.format(key))
    if record is not None:
        return record
    session = PlaybackSession.objects.filter(pk=key).first()
    if session is None:
        return None
    return session_record_store(session)


def session_record_store(session: PlaybackSession) -> SessionRecord:
    """Cache the record of ``session`` as the database has it now: an ended one always, a
    live one only where no record is cached (it may be an ended one written meanwhile)."""
    record = _record_of(session)
    key = _RECORD.format(record.id)
    if record.ended:
        cache.set(key, record, RECORD_SECONDS)
    else:
        cache.add(key, record, RECORD_SECONDS)
    return record


def session_record_end(record: SessionRecord) -> None:
    """Cache ``record`` as ended (after the database ended the session)."""
    cache.set(_RECORD.format(record.id), replace(record, ended=True), RECORD_SECONDS)


def session_record_forget(session_id: str) -> None:
    """Drop the cached record of a session that no longer exists."""
    cache.delete_many([_RECORD.format(session_id), _SEEN.format(session_id)])


def session_seen(session_id: str) -> None:
    """The session was just heard from: its signed URLs are renewed for the URL lifetime."""
    cache.set(_SEEN.format(session_id), 1, settings().PLAYBACK_URL_TTL_SECONDS)


def session_renewed(session_id: str) -> bool:
    """Whether the session was heard from within the URL lifetime (the cache's answer, or
    the database's last heartbeat, then cached for the rest of that time)."""
    key = _SEEN.format(session_id)
    if cache.get(key) is not None:
        return True
    last_seen = (
        PlaybackSession.objects.filter(pk=session_id, ended_at__isnull=True)
        .values_list("last_seen_at", flat=True)
        .first()
    )
    if last_seen is None:
        return False
    left = settings().PLAYBACK_URL_TTL_SECONDS - (timezone.now() - last_seen).total_seconds()
    if left <= 0:
        return False
    cache.set(key, 1, max(1, int(left)))
    return True
