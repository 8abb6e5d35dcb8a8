"""``STREAMFLIX_SOCIAL`` settings: fields and defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SocialSettings:
    """Settings of the social plugin. Keys are added with the features that read them.

    Reviews and comments keys (see docs/social.md):
        REVIEW_MAX_LENGTH: the most characters a review's text may have.
        COMMENT_MAX_LENGTH: the most characters a comment's text may have.
        COMMENT_EDIT_WINDOW_SECONDS: how long after posting its author may edit a comment
            (later edits get 409 ``edit_window_closed``).
        COMMENT_RATE_LIMIT: how many comments one account may post per period, as
            ``"<count>/<period>"`` (``"10/min"``, ``"100/hour"``); empty for no limit. Counted in
            the site's shared cache, so every process shares one budget.
        COMMENT_AROUND_MAX_WINDOW_SECONDS: the widest ``window`` of
            ``GET /api/social/titles/{slug}/comments/around`` (a wider one is narrowed).
        COMMENT_AROUND_LIMIT: the most comments that endpoint returns.

    Live keys (see docs/social.md, "Live comments and notifications"):
        WS_TICKET_SECONDS: how long a ticket from ``POST /api/social/ws-ticket`` may wait
            before it opens a WebSocket (it opens one at most).
        WS_ROOM_MAX_CLIENTS: the most sockets one title's room holds across every daphne
            process (counted in the shared cache); one more is closed with 4429.
        WS_MAX_MESSAGE_BYTES: the largest message a client may send; a larger one closes
            the socket with 4400.
        WS_ROOM_COUNT_SECONDS: how long a room's member count lives in the cache after its
            first member joins, so counts left behind by a killed process do not last.

    Discovery keys (see docs/discovery.md):
        DISCOVERY_NEIGHBOURS: neighbours computed per title (the picks are scored over them).
        DISCOVERY_STORED_NEIGHBOURS: neighbours stored per title ("More like this").
        DISCOVERY_PICKS: "Top picks" stored per profile.
        DISCOVERY_ROW_SIZE: titles per home row (Trending, Top picks, Because you watched)
            and per "More like this" answer.
        DISCOVERY_BECAUSE_ROWS: "Because you watched X" rows per profile.
        DISCOVERY_CO_WEIGHT, DISCOVERY_CONTENT_WEIGHT: the blend of co-engagement cosine
            and content cosine in a title's neighbours.
        DISCOVERY_PRIOR_WEIGHT: the weight of popularity added to a profile's scores.
        DISCOVERY_COLD_START_BELOW: a profile with fewer interactions gets the cold-start
            picks (trending in its genres, then popular).
        DISCOVERY_TRENDING_WINDOW_DAYS, DISCOVERY_TRENDING_HALF_LIFE_DAYS: the trending
            window and how fast an event's weight halves inside it.
        DISCOVERY_TRENDING_STORED: trending titles stored.
        DISCOVERY_WRITE_BATCH: rows per bulk insert of the refresh.
    """

    REVIEW_MAX_LENGTH: int = 5000
    COMMENT_MAX_LENGTH: int = 2000
    COMMENT_EDIT_WINDOW_SECONDS: int = 900
    COMMENT_RATE_LIMIT: str = "10/min"
    COMMENT_AROUND_MAX_WINDOW_SECONDS: int = 300
    COMMENT_AROUND_LIMIT: int = 100

    WS_TICKET_SECONDS: int = 30
    WS_ROOM_MAX_CLIENTS: int = 500
    WS_MAX_MESSAGE_BYTES: int = 1024
    WS_ROOM_COUNT_SECONDS: int = 24 * 3600

    DISCOVERY_NEIGHBOURS: int = 100
    DISCOVERY_STORED_NEIGHBOURS: int = 30
    DISCOVERY_PICKS: int = 50
    DISCOVERY_ROW_SIZE: int = 20
    DISCOVERY_BECAUSE_ROWS: int = 2
    DISCOVERY_CO_WEIGHT: float = 0.95
    DISCOVERY_CONTENT_WEIGHT: float = 0.05
    DISCOVERY_PRIOR_WEIGHT: float = 0.3
    DISCOVERY_COLD_START_BELOW: int = 3
    DISCOVERY_TRENDING_WINDOW_DAYS: float = 7.0
    DISCOVERY_TRENDING_HALF_LIFE_DAYS: float = 2.0
    DISCOVERY_TRENDING_STORED: int = 200
    DISCOVERY_WRITE_BATCH: int = 5000


def settings() -> SocialSettings:
    """The social plugin's settings, merged over the defaults above."""
    from streamflix_core.conf import plugin_settings

    from .plugin import plugin

    return plugin_settings(plugin)
