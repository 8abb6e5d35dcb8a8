"""Room membership counts, kept in the shared cache so every daphne process sees one
number per title (``incr``/``decr`` are atomic in the site's cache backends)."""

from __future__ import annotations

import contextlib

from django.core.cache import cache

from ..conf import settings


def _key(title_id: int) -> str:
    return f"social:room:{int(title_id)}"


def room_join(*, title_id: int) -> bool:
    """Count one more socket in the title's room; ``False`` (and nothing counted) when the
    room already holds ``WS_ROOM_MAX_CLIENTS``."""
    config = settings()
    key = _key(title_id)
    cache.add(key, 0, timeout=config.WS_ROOM_COUNT_SECONDS)
    try:
        members = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=config.WS_ROOM_COUNT_SECONDS)
        members = 1
    if members > config.WS_ROOM_MAX_CLIENTS:
        room_leave(title_id=title_id)
        return False
    return True


def room_leave(*, title_id: int) -> None:
    """Count one socket less in the title's room."""
    with contextlib.suppress(ValueError):  # the count expired meanwhile
        cache.decr(_key(title_id))
