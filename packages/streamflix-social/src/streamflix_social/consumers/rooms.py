"""The two sockets: a title's room (live comments and counters) and a profile's
notifications."""

from __future__ import annotations

from channels.db import database_sync_to_async

from ..selectors.live import live_title
from ..services.comments import BannedFromComments, comment_ban_check
from ..services.live import notifications_group, title_group
from ..services.rooms import room_join, room_leave
from .base import CloseCode, LiveConsumer, authenticate


class TitleRoomConsumer(LiveConsumer):
    """``/ws/social/titles/<slug>/``: events ``comment.posted``, ``comment.edited``,
    ``comment.removed`` and ``counters`` of one published title within the viewer's limit,
    for an account not banned from commenting."""

    title_id: int | None = None

    def admit(self) -> list[str] | CloseCode:
        viewer = authenticate(self.scope)
        if isinstance(viewer, CloseCode):
            return viewer
        title_id, allowed = live_title(
            slug=self.scope["url_route"]["kwargs"]["slug"], viewer=viewer
        )
        if title_id is None:
            return CloseCode.NOT_FOUND
        if not allowed:
            return CloseCode.FORBIDDEN
        try:
            comment_ban_check(user=viewer.user_id)
        except BannedFromComments:
            return CloseCode.FORBIDDEN
        if not room_join(title_id=title_id):
            return CloseCode.ROOM_FULL
        self.title_id = title_id
        return [title_group(title_id)]

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if self.title_id is not None:
            title_id, self.title_id = self.title_id, None
            await database_sync_to_async(room_leave)(title_id=title_id)


class NotificationsConsumer(LiveConsumer):
    """``/ws/social/notifications/``: the chosen profile's new notifications
    (``{"type": "notification", "notification": {...}}``)."""

    def admit(self) -> list[str] | CloseCode:
        viewer = authenticate(self.scope)
        if isinstance(viewer, CloseCode):
            return viewer
        if viewer.profile_id is None:
            return CloseCode.FORBIDDEN
        return [notifications_group(viewer.profile_id)]
