"""``STREAMFLIX_SOCIAL`` settings: fields and defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SocialSettings:
    """Settings of the social plugin. Keys are added with the features that read them.

    Live keys (see docs/social.md, "Live comments and notifications"):
        WS_TICKET_SECONDS: how long a ticket from ``POST /api/social/ws-ticket`` may wait
            before it opens a WebSocket (it opens one at most).
        WS_ROOM_MAX_CLIENTS: the most sockets one title's room holds across every daphne
            process (counted in the shared cache); one more is closed with 4429.
        WS_MAX_MESSAGE_BYTES: the largest message a client may send; a larger one closes
            the socket with 4400.
        WS_ROOM_COUNT_SECONDS: how long a room's member count lives in the cache after its
            first member joins, so counts left behind by a killed process do not last.
    """

    WS_TICKET_SECONDS: int = 30
    WS_ROOM_MAX_CLIENTS: int = 500
    WS_MAX_MESSAGE_BYTES: int = 1024
    WS_ROOM_COUNT_SECONDS: int = 24 * 3600


def settings() -> SocialSettings:
    """The social plugin's settings, merged over the defaults above."""
    from streamflix_core.conf import plugin_settings

    from .plugin import plugin

    return plugin_settings(plugin)
