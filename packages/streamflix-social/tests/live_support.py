"""Helpers of the live tests: the WebSocket application of the composed plugins, a
communicator factory, and stand-ins for the Comment and ListItem models of other topics."""

from __future__ import annotations

from typing import Any

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

TIMEOUT = 5


def application() -> Any:
    from streamflix_core import plugins

    return URLRouter(plugins.websocket_urlpatterns())


def communicator(path: str, *, cookie: str | None = None) -> WebsocketCommunicator:
    headers = [(b"cookie", cookie.encode())] if cookie else []
    return WebsocketCommunicator(application(), path, headers=headers)


async def open_socket(path: str, *, cookie: str | None = None) -> WebsocketCommunicator:
    """A connected socket that was admitted (no close right after the handshake)."""
    socket = communicator(path, cookie=cookie)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    return socket


async def closed_with(path: str, *, cookie: str | None = None) -> int:
    """The close code the server sends right after accepting ``path``."""
    socket = communicator(path, cookie=cookie)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    message = await socket.receive_output(timeout=TIMEOUT)
    assert message["type"] == "websocket.close", message
    await socket.wait()
    return message["code"]
