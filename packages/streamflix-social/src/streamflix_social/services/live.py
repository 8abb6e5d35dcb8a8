"""Live pushes: the groups sockets join, and sending an event to one.

Delivery goes through core's process-local fan-out (:mod:`streamflix_core.fanout`): each
server process joins a group once on the channel layer and relays to its own sockets. Every
daphne process's sockets receive a group's events only through a shared channel layer
(channels-redis); the in-memory layer reaches the sockets of the process that sends.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from streamflix_core.fanout import fanout_send

logger = logging.getLogger(__name__)


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
    # Serialised once here, not once per socket of the group.
    if not fanout_send(group, json.dumps(event)):
        logger.warning("The %s event for %s was not pushed", event.get("type"), group)
