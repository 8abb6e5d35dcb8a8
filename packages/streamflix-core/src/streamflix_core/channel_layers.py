"""Channel layers for a site's WebSockets.

``InMemoryChannelLayer`` is channels' in-memory layer (one daphne process, no server) made
fit for big rooms: the stock layer walks every channel and every group membership to drop
expired ones on each send and receive, so one event to a group of N sockets costs O(N²)
(at 1,000 sockets, about a million steps per event). This one does that walk at most once
every ``CLEAN_EVERY_SECONDS``; expiry only frees memory, so nothing else changes. At scale
the site uses channels-redis (``REDIS_URL``) instead.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as StockInMemoryChannelLayer


class InMemoryChannelLayer(StockInMemoryChannelLayer):
    CLEAN_EVERY_SECONDS = 1.0
    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < self.CLEAN_EVERY_SECONDS:
            return
        self._cleaned_at = now
        super()._clean_expired()
