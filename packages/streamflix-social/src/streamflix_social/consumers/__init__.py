"""WebSocket consumers of the social plugin (routes in :mod:`streamflix_social.routing`).

Close codes (also in docs/social.md):

- 4400: a malformed client message (not JSON, not an object, unknown ``type``, too large);
- 4401: no credentials, a forged, expired or already used ticket, an invalid access cookie,
  or an account or profile that no longer exists (or is inactive);
- 4403: not allowed: the title is above the profile's maturity limit, the account is banned
  from commenting (title rooms), or the notifications socket has no chosen profile;
- 4404: no published title with that slug;
- 4429: the title's room is full (``WS_ROOM_MAX_CLIENTS``).
"""

from .base import CloseCode
from .rooms import NotificationsConsumer, TitleRoomConsumer

__all__ = ["CloseCode", "NotificationsConsumer", "TitleRoomConsumer"]
