"""One WebSocket frame, encoded once, written to many sockets served by daphne.

ASGI gives a consumer one way to send: ``await send({"type": "websocket.send", ...})``. Under
daphne that is, for every socket, a coroutine, a connection lookup, the text encoded to
UTF-8, a frame built by autobahn and a buffered write that Twisted completes on a later turn
of the loop — about a tenth of a millisecond per socket, so a room of 1,000 sockets spends
100 ms on each event. The fan-out (:mod:`streamflix_core.fanout`) instead encodes the event
once (:func:`text_frame`) and hands the same bytes to each socket's :func:`frame_writer`,
which writes them to the connection: sent at once when nothing is queued before them, else
queued behind what is, so frames never overtake each other.

Only daphne's plain WebSocket connections get a writer: without TLS (the frame goes to the
socket itself) and without per-message compression (the frame is the same for every socket).
Anything else — another ASGI server, a TLS endpoint, a compressed connection — gets ``None``
and keeps the ASGI path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

FrameWriter = Callable[[bytes], bool]
"""Writes a frame to one socket; ``False`` when the socket is no longer open (nothing sent)."""

_FIN_TEXT = 0x81


def text_frame(text: str) -> bytes:
    """An unfragmented, unmasked text frame (a server's frame, RFC 6455 section 5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((_FIN_TEXT, size))
    elif size < 1 << 16:
        header = bytes((_FIN_TEXT, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((_FIN_TEXT, 127)) + size.to_bytes(8, "big")
    return header + payload


def frame_writer(send: Any) -> FrameWriter | None:
    """A direct writer for the socket behind an ASGI ``send`` callable, when daphne serves it
    over plain TCP without compression; else ``None`` (use ``send``)."""
    protocol = _daphne_protocol(send)
    if protocol is None or getattr(protocol, "_perMessageCompress", None) is not None:
        return None
    transport: Any = getattr(protocol, "transport", None)
    if not _is_plain_tcp(transport):
        return None
    open_state = protocol.STATE_OPEN

    def write(frame: bytes) -> bool:
        if protocol.state != open_state or transport.disconnecting or not transport.connected:
            return False
        _write_through(transport, frame)
        return True

    return write


def _daphne_protocol(send: Any) -> Any:
    """daphne binds ``send`` as ``partial(server.handle_reply, protocol)``."""
    if not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    if getattr(send.func, "__qualname__", "") != "Server.handle_reply":
        return None
    try:
        from autobahn.twisted.websocket import WebSocketServerProtocol
    except ImportError:  # pragma: no cover - daphne depends on autobahn
        return None
    protocol = send.args[0]
    return protocol if isinstance(protocol, WebSocketServerProtocol) else None


# What the write-through reads of Twisted's TCP transport (its write buffers are not public):
# a Twisted without one of them gets no writer, and the ASGI path is used.
_TRANSPORT_STATE = ("dataBuffer", "offset", "_tempDataLen", "_writeDisconnected", "socket")


def _is_plain_tcp(transport: Any) -> bool:
    try:
        from twisted.internet.tcp import Connection
    except ImportError:  # pragma: no cover - daphne depends on Twisted
        return False
    return (
        isinstance(transport, Connection)
        and not getattr(transport, "TLS", False)
        and all(hasattr(transport, name) for name in _TRANSPORT_STATE)
    )


def _write_through(transport: Any, frame: bytes) -> None:
    """Send at once (Twisted's own ``writeSomeData``) when Twisted holds nothing unsent for
    this socket — the common case, a socket that keeps up; otherwise, and for whatever the
    kernel does not take, Twisted's buffered ``write``, after what it already holds, so the
    order is kept. A send error goes the buffered way too: Twisted closes the connection."""
    pending = transport._tempDataLen or len(transport.dataBuffer) > transport.offset
    if pending or transport._writeDisconnected:
        transport.write(frame)
        return
    sent = transport.writeSomeData(frame)
    if isinstance(sent, Exception):
        transport.write(frame)
    elif sent < len(frame):
        transport.write(frame[sent:])
