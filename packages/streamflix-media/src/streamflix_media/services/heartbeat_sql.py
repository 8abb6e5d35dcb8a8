"""The write of one playback heartbeat, as hand-written SQL: the hottest statement of the site.

Thousands of players send a heartbeat every ~10 s, so its write is one statement, built once
per database vendor, with no ORM compilation per request:

- the session row moves (position, state, sequence, last seen, watch time) only when the
  session belongs to the caller, has not ended, was heard from within the timeout, the
  heartbeat is newer than the last one applied (``sequence``) and the position is within the
  duration — and it returns what the rest of the heartbeat needs (``RETURNING``);
- the profile's progress row takes the position unless it already holds this session's
  same or newer heartbeat (two workers may run two heartbeats of a session in either order).

On PostgreSQL both are one statement (a data-modifying CTE), sent with server-side binding so
that psycopg prepares it once per connection and the server stops parsing and planning it
for every heartbeat (that halves its cost on the server): one round trip, atomic. Elsewhere
(SQLite) the two are two statements in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from ..models import PlaybackSession, WatchProgress


@dataclass(frozen=True)
class AppliedHeartbeat:
    """The session as a heartbeat left it (what ``RETURNING`` gave back)."""

    progress_id: int | None
    profile_id: int
    title_id: int
    episode_id: int | None
    duration: float
    complete_at: float
    view_counted: bool


_RETURNING = "progress_id, profile_id, title_id, episode_id, duration, complete_at, view_counted"


def _session_update(vendor: str) -> str:
    least, greatest = ("LEAST", "GREATEST") if vendor == "postgresql" else ("MIN", "MAX")
    return f"""
        UPDATE {PlaybackSession._meta.db_table}
        SET position = {least}(%(position)s, duration),
            state = %(state)s,
            sequence = %(sequence)s,
            last_seen_at = %(now)s,
            watched_seconds = watched_seconds + CASE WHEN state = 'playing'
                THEN {least}({greatest}(%(position)s - position, 0.0), %(max_step)s)
                ELSE 0.0 END
        WHERE id = %(session)s
          AND user_id = %(user)s
          AND ended_at IS NULL
          AND sequence < %(sequence)s
          AND last_seen_at >= %(cutoff)s
          AND %(position)s <= duration + %(slack)s
        RETURNING {_RETURNING}"""  # noqa: S608 - table and column names only, values bound


def _progress_update(source: str) -> str:
    """The progress row's UPDATE, reading the session's values from ``source`` (the CTE's
    name on PostgreSQL, the session table elsewhere)."""
    table = WatchProgress._meta.db_table
    return f"""
        UPDATE {table}
        SET position = CASE WHEN %(position)s >= src.complete_at THEN 0.0
                            ELSE src.position END,
            duration = src.duration,
            watched_at = %(now)s,
            session = %(session)s,
            sequence = %(sequence)s
        FROM {source} AS src
        WHERE {table}.id = src.progress_id
          AND NOT ({table}.session IS NOT NULL AND {table}.session = %(session)s
                   AND {table}.sequence >= %(sequence)s)"""  # noqa: S608 - names only, values bound


@functools.cache
def _statements(vendor: str) -> tuple[str, ...]:
    session_update = _session_update(vendor)
    if vendor == "postgresql":
        cte = session_update.replace(f"RETURNING {_RETURNING}", f"RETURNING {_RETURNING}, position")
        return (
            f"""WITH applied AS ({cte}),
            progress AS ({_progress_update("applied")})
            SELECT {_RETURNING} FROM applied""",  # noqa: S608 - names only, values bound
        )
    session_table = PlaybackSession._meta.db_table
    progress = _progress_update(
        f"(SELECT progress_id, position, duration, complete_at FROM {session_table}"  # noqa: S608
        " WHERE id = %(session)s)"
    )
    return session_update, progress


def _prepared_cursor() -> Any:
    """A cursor with server-side binding on the site's PostgreSQL connection (psycopg then
    prepares a statement it has seen a few times), wrapped as Django wraps its own cursors,
    so the statement is logged and counted like any other."""
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    # Django's wrappers take any DB-API cursor; its stubs name its own wrapper class.
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)  # type: ignore[arg-type]
    return connection.make_cursor(raw)  # type: ignore[arg-type]


def heartbeat_apply(
    *,
    session_id: uuid.UUID,
    user_id: Any,
    position: float,
    state: str,
    sequence: int,
    now: dt.datetime,
    cutoff: dt.datetime,
    max_step: float,
    slack: float,
) -> AppliedHeartbeat | None:
    """Apply a heartbeat; ``None`` when no row moved (unknown, another account's, ended,
    silent too long, an old sequence, or a position past the duration: the caller asks why)."""
    ops = connection.ops
    params = {
        "session": PlaybackSession._meta.pk.get_db_prep_value(session_id, connection),
        "user": PlaybackSession._meta.get_field("user").target_field.to_python(user_id),
        "position": position,
        "state": state,
        "sequence": sequence,
        "now": ops.adapt_datetimefield_value(now),
        "cutoff": ops.adapt_datetimefield_value(cutoff),
        "max_step": max_step,
        "slack": slack,
    }
    statements = _statements(connection.vendor)
    if connection.vendor == "postgresql":
        # One statement is atomic by itself: no BEGIN and COMMIT round trips around it.
        with _prepared_cursor() as cursor:
            cursor.execute(statements[0], params)
            row = cursor.fetchone()
    else:
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(statements[0], params)
            row = cursor.fetchone()
            if row is not None:
                cursor.execute(statements[1], params)
    if row is None:
        return None
    progress_id, profile_id, title_id, episode_id, duration, complete_at, counted = row
    return AppliedHeartbeat(
        progress_id=progress_id,
        profile_id=profile_id,
        title_id=title_id,
        episode_id=episode_id,
        duration=float(duration),
        complete_at=float(complete_at),
        view_counted=bool(counted),
    )
