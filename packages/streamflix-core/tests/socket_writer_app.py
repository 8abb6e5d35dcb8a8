"""A bare ASGI app for daphne (no Django): on "go" it sends four messages, three of them
through :func:`streamflix_core.socket_writers.frame_writer`, one through ASGI in between, the
third large enough that the kernel takes it in parts."""

from __future__ import annotations

import json
from typing import Any

from streamflix_core.socket_writers import frame_writer, text_frame

BIG = "x" * (4 * 1024 * 1024)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return
    writer = None
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            writer = frame_writer(send)
            await send({"type": "websocket.send", "text": json.dumps({"writer": bool(writer)})})
        elif event["type"] == "websocket.receive" and writer is not None:
            writer(text_frame("one"))
            await send({"type": "websocket.send", "text": "two"})
            writer(text_frame(BIG))
            writer(text_frame("fünf ✓"))
        elif event["type"] == "websocket.disconnect":
            return
