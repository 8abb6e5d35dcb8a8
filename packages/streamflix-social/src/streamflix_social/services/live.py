"""Live pushes: the channel-layer groups sockets join, and sending an event to one.

Every daphne process's sockets receive a group's events only through a shared channel layer
(channels-redis); the in-memory layer reaches the sockets of the process that sends.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

EVENT_HANDLER = "live.event"
"""The channel-layer message type every social consumer handles (``live_event``)."""


def title_group(title_id: int) -> str:
    """The group of the sockets watching one title's live comments and counters."""
    return f"title.{int(title_id)}"


def notifications_group(profile_id: int) -> str:
    """The group of one profile's notification sockets."""
    return f"notifications.{int(profile_id)}"


def live_broadcast(*, group: str, event: dict[str, Any]) -> None:
    """Send ``event`` (a JSON-able dict with a ``type``) to every socket of ``group``.

    Called from sync code after the change committed; a channel-layer failure is logged, not
    raised, since the write it reports is already done."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # Serialised once here, not once per socket of the group.
        message = {"type": EVENT_HANDLER, "event": event, "text": json.dumps(event)}
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("Could not push %s to %s", event.get("type"), group)
