"""Process-local fan-out of channel-layer groups to the sockets of one server process.

The stock way to push to a room is a channel-layer group with every socket as a member: an
event to a room of N sockets is N layer messages (N queue puts in memory, N list pushes in
Redis, which also drops the messages of a channel over its ``capacity``), N task wake-ups and
N consumer dispatches. Here each server process (each event loop) joins a group once, with a
channel of its own, and hands every event it receives to its local members: one layer
message per process per event, whatever the room's size.

A consumer joins with a ``deliver`` coroutine function (called with the event's pre-rendered
text) and leaves on disconnect::

    fanout = process_fanout()
    await fanout.join("title.42", self.push, writer=frame_writer(self.base_send))
    ...
    await fanout.leave("title.42", self.push)

With a ``writer`` (:mod:`streamflix_core.socket_writers`: daphne's plain sockets) the event is
encoded to a WebSocket frame once per process and written to every such member directly;
``deliver`` remains for the others, and for a writer that finds its socket closing.

and a sender (sync code, after its transaction committed) uses :func:`fanout_send`.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer

from .socket_writers import FrameWriter, text_frame

logger = logging.getLogger(__name__)

Deliver = Callable[[str], Awaitable[None]]

MESSAGE_TYPE = "fanout.event"
"""The type of the layer messages this module sends and its pump reads."""

RETRY_SECONDS = 1.0


class ProcessFanout:
    """One event loop's memberships: a channel on ``layer``, joined to every group that has
    at least one local member, and a task that relays what arrives on it.

    Memberships are re-added every ``layer.group_expiry / 4`` seconds, since layers forget a
    member after ``group_expiry`` (a day by default) however long its socket stays open."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.members: dict[str, dict[Deliver, FrameWriter | None]] = {}
        self.channel: str | None = None
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    async def join(self, group: str, deliver: Deliver, writer: FrameWriter | None = None) -> None:
        """Deliver ``group``'s events to ``deliver`` (or as frames to ``writer``) from now on."""
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                self._tasks = [
                    asyncio.create_task(self._pump(), name="fanout-pump"),
                    asyncio.create_task(self._refresh(), name="fanout-refresh"),
                ]
            members = self.members.setdefault(group, {})
            if not members:
                await self.layer.group_add(group, self.channel)
            members[deliver] = writer

    async def leave(self, group: str, deliver: Deliver) -> None:
        """Stop delivering ``group``'s events to ``deliver`` (no error if it had left)."""
        async with self._lock:
            members = self.members.get(group)
            if members is None or deliver not in members:
                return
            del members[deliver]
            if not members:
                del self.members[group]
                if self.channel is not None:
                    await self.layer.group_discard(group, self.channel)

    def local_members(self, group: str) -> int:
        """How many local members ``group`` has (in this process)."""
        return len(self.members.get(group, ()))

    async def _pump(self) -> None:
        assert self.channel is not None
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("The fan-out channel could not receive; retrying")
                await asyncio.sleep(RETRY_SECONDS)
                continue
            await self._relay(message)

    async def _relay(self, message: dict[str, Any]) -> None:
        text = message.get("text")
        members = self.members.get(message.get("group", ""))
        if not isinstance(text, str) or not members:
            return
        frame: bytes | None = None
        for deliver, writer in tuple(members.items()):
            if writer is not None:
                if frame is None:
                    frame = text_frame(text)
                try:
                    if writer(frame):
                        continue
                except Exception:
                    logger.exception("A direct frame write failed; sending through ASGI")
            try:
                await deliver(text)
            except Exception:
                logger.exception("A fan-out member failed to take an event")

    async def _refresh(self) -> None:
        every = max(1.0, float(getattr(self.layer, "group_expiry", 86400)) / 4)
        while True:
            await asyncio.sleep(every)
            async with self._lock:
                for group in tuple(self.members):
                    try:
                        await self.layer.group_add(group, self.channel)
                    except Exception:
                        logger.exception("Could not renew the fan-out membership of %s", group)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProcessFanout] = (
    weakref.WeakKeyDictionary()
)


def process_fanout(alias: str = "default") -> ProcessFanout | None:
    """The running event loop's :class:`ProcessFanout` (``None`` without a channel layer)."""
    layer = get_channel_layer(alias)
    if layer is None:
        return None
    loop = asyncio.get_running_loop()
    fanout = _by_loop.get(loop)
    if fanout is None or fanout.layer is not layer:
        fanout = _by_loop[loop] = ProcessFanout(layer)
    return fanout


def fanout_send(group: str, text: str, alias: str = "default") -> bool:
    """Send pre-rendered ``text`` to every member of ``group`` in every process. Sync.

    Returns whether the layer took it; a layer failure is logged, not raised (callers push
    after their write committed, so there is nothing to undo)."""
    layer = get_channel_layer(alias)
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, {"type": MESSAGE_TYPE, "group": group, "text": text})
    except Exception:
        logger.exception("Could not push to %s", group)
        return False
    return True
