"""One-time WebSocket tickets: ``POST /api/social/ws-ticket`` issues one for the signed-in
user and chosen profile; opening a socket with ``?ticket=`` redeems it.

A ticket lives in the shared cache (every process sees it) under a hash of its value, for
``WS_TICKET_SECONDS``. Redeeming deletes the key and succeeds only for the caller whose
delete removed it, so two processes racing with one ticket cannot both get in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import cache

from ..conf import settings

_KEY_PREFIX = "social:ws-ticket:"
_MAX_TICKET_LENGTH = 128


@dataclass(frozen=True)
class TicketIdentity:
    """Whom a redeemed ticket was issued to."""

    user_id: str
    profile_id: int


@dataclass(frozen=True)
class IssuedTicket:
    ticket: str
    expires_in: int


def _key(ticket: str) -> str:
    return _KEY_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


def ws_ticket_issue(*, user_id: object, profile_id: int) -> IssuedTicket:
    """A new ticket bound to ``user_id`` and ``profile_id``, valid once for
    ``WS_TICKET_SECONDS``."""
    seconds = settings().WS_TICKET_SECONDS
    ticket = secrets.token_urlsafe(32)
    cache.set(_key(ticket), (str(user_id), int(profile_id)), timeout=seconds)
    return IssuedTicket(ticket=ticket, expires_in=seconds)


def ws_ticket_redeem(*, ticket: str) -> TicketIdentity | None:
    """Who ``ticket`` was issued to, once; ``None`` for an unknown, expired or used ticket."""
    if not ticket or len(ticket) > _MAX_TICKET_LENGTH:
        return None
    key = _key(ticket)
    bound = cache.get(key)
    if bound is None or not cache.delete(key):
        return None
    user_id, profile_id = bound
    return TicketIdentity(user_id=user_id, profile_id=profile_id)
