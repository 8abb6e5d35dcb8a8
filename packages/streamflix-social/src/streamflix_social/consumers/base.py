"""What every social socket shares: authentication from the handshake (a one-time ticket
or the JWT access cookie, never a client-sent id), the client message protocol
(``{"type": "ping"}`` → ``{"type": "pong"}``) and the delivery of pushed events."""

from __future__ import annotations

import enum
import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http.cookie import parse_cookie
from ninja.errors import AuthenticationError

from streamflix_core.auth import token_identity
from streamflix_core.conf import settings as core_settings
from streamflix_core.fanout import process_fanout
from streamflix_core.socket_writers import FrameWriter, frame_writer

from ..conf import settings
from ..selectors.live import LiveViewer, live_viewer
from ..services.tickets import ws_ticket_redeem


class CloseCode(enum.IntEnum):
    MALFORMED = 4400
    UNAUTHENTICATED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    ROOM_FULL = 4429


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _access_cookie(scope: dict[str, Any]) -> str | None:
    config = core_settings()
    if not config.AUTH_COOKIES:
        return None
    cookies = parse_cookie(_header(scope, b"cookie"))
    return cookies.get(config.AUTH_COOKIE_ACCESS_NAME) or None


def authenticate(scope: dict[str, Any]) -> LiveViewer | CloseCode:
    """The viewer of a handshake: ``?ticket=`` (redeemed, so it works once) else the access
    cookie in cookie mode. Sync (database and cache): call it in a thread."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tickets = query.get("ticket")
    user_id: Any
    profile_id: int | None
    if tickets:
        bound = ws_ticket_redeem(ticket=tickets[0])
        if bound is None:
            return CloseCode.UNAUTHENTICATED
        user_id, profile_id = bound.user_id, bound.profile_id
    else:
        token = _access_cookie(scope)
        if token is None:
            return CloseCode.UNAUTHENTICATED
        try:
            identity = token_identity(token)
        except AuthenticationError:
            return CloseCode.UNAUTHENTICATED
        user_id, profile_id = identity.user_id, identity.profile_id
    viewer = live_viewer(user_id=user_id, profile_id=profile_id)
    return CloseCode.UNAUTHENTICATED if viewer is None else viewer


def client_message_type(text_data: str | None, bytes_data: bytes | None) -> str | None:
    """The ``type`` of a well-formed client message, else ``None``."""
    if text_data is None or len(text_data.encode()) > settings().WS_MAX_MESSAGE_BYTES:
        return None
    try:
        message = json.loads(text_data)
    except ValueError:
        return None
    kind = message.get("type") if isinstance(message, dict) else None
    return kind if kind in ("ping",) else None


class LiveConsumer(AsyncWebsocketConsumer):
    """Accepts, then admits (or closes with a :class:`CloseCode`: a code only reaches the
    client after the handshake), then relays the events of its groups.

    Its groups are joined through the process's fan-out (:mod:`streamflix_core.fanout`), not
    with a channel-layer membership per socket, so it needs no channel of its own."""

    channel_layer_alias = "streamflix-social-no-channel-per-socket"  # no such layer: none
    live_groups: tuple[str, ...] = ()
    closing = False

    async def connect(self) -> None:
        await self.accept()
        admitted = await database_sync_to_async(self.admit)()
        if isinstance(admitted, CloseCode):
            await self.refuse(admitted)
            return
        fanout = process_fanout()
        if fanout is None:
            return
        writer = frame_writer(self.base_send)
        for group in admitted:
            await fanout.join(group, self.push, writer=self.writer_while_open(writer))
            self.live_groups = (*self.live_groups, group)

    def admit(self) -> list[str] | CloseCode:
        """The groups to join, or why not. Sync: runs in a thread."""
        raise NotImplementedError

    async def refuse(self, code: CloseCode) -> None:
        self.closing = True
        await self.close(code=int(code))

    async def disconnect(self, code: int) -> None:
        fanout = process_fanout() if self.live_groups else None
        for group in self.live_groups:
            if fanout is not None:
                await fanout.leave(group, self.push)
        self.live_groups = ()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        kind = client_message_type(text_data, bytes_data)
        if kind is None:
            await self.refuse(CloseCode.MALFORMED)
            return
        await self.send(text_data=json.dumps({"type": "pong"}))

    def writer_while_open(self, writer: FrameWriter | None) -> FrameWriter | None:
        """``writer``, silent once this consumer started closing (as :meth:`push` is)."""
        if writer is None:
            return None

        def write(frame: bytes) -> bool:
            return True if self.closing else writer(frame)

        return write

    async def push(self, text: str) -> None:
        """A pushed event (``services.live.live_broadcast``), already JSON: sent as is.

        Straight to the server's send (``self.send`` only builds this same message): a room
        calls this once per socket per event."""
        if not self.closing:
            await self.base_send({"type": "websocket.send", "text": text})
