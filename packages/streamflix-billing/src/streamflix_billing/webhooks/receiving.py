"""Receiving a Stripe webhook: verify the signature, store the event first, then apply it."""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime
from typing import Any

import stripe
from django.db import DataError, transaction
from django.utils import timezone

from streamflix_core.errors import DomainError

from ..conf import settings
from ..models import WebhookEvent, WebhookStatus
from .dispatch import webhook_event_apply
from .handling import InvalidTimestamp, from_timestamp

logger = logging.getLogger(__name__)

# Stripe's events nest a dozen levels at most (expanded objects included).
MAX_EVENT_DEPTH = 64
MAX_ID_LENGTH = WebhookEvent._meta.get_field("event_id").max_length or 100
MAX_TYPE_LENGTH = WebhookEvent._meta.get_field("type").max_length or 100


class InvalidPayload(DomainError):
    code = "invalid_payload"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:40]} is too large a number")
    return number


def _check_storable(event: dict[str, Any]) -> None:
    """Refuse what no database could store, so the event is refused whole (never half
    stored): nesting beyond ``MAX_EVENT_DEPTH`` and text with NUL characters or unpaired
    surrogates (PostgreSQL rejects both)."""
    pending: list[tuple[Any, int]] = [(event, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_EVENT_DEPTH:
            raise ValueError(f"it nests deeper than {MAX_EVENT_DEPTH} levels")
        if isinstance(value, dict):
            for key, child in value.items():
                _check_text(key)
                pending.append((child, depth + 1))
        elif isinstance(value, list):
            pending.extend((child, depth + 1) for child in value)
        elif isinstance(value, str):
            _check_text(value)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("it holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("it holds an unpaired surrogate") from None


def _bounded_text(event: dict[str, Any], key: str, limit: int) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise ValueError(f"its {key} must be text of 1 to {limit} characters")
    return value


def _parse_event(text: str) -> tuple[str, str, datetime, dict[str, Any]]:
    """``(id, type, created, event)`` of a Stripe event's JSON body; ``ValueError`` saying
    what is wrong otherwise."""
    try:
        event = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError(f"it nests deeper than {MAX_EVENT_DEPTH} levels") from None
    except ValueError as exc:
        raise ValueError(f"it is not JSON ({exc})") from None
    if not isinstance(event, dict):
        raise ValueError("it is not a JSON object")
    event_id = _bounded_text(event, "id", MAX_ID_LENGTH)
    event_type = _bounded_text(event, "type", MAX_TYPE_LENGTH)
    try:
        created = from_timestamp(event.get("created")) or timezone.now()
    except InvalidTimestamp as exc:
        raise ValueError(f"its created time is wrong: {exc}") from None
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise ValueError("it carries no data.object")
    _check_storable(event)
    return event_id, event_type, created, event


def webhook_event_receive(*, payload: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Verify and store a Stripe event, then apply it. Returns ``(event, duplicate)``.

    Raises a 400 ``invalid_signature`` (nothing written) for an unsigned, wrongly signed or
    stale request, a 400 ``invalid_payload`` (nothing written) for a body that is not a
    Stripe event — not a JSON object; no ``id``/``type`` text of 1 to 100 characters; a
    ``created`` that is not whole seconds between 1970 and 3000; no ``data.object``; or
    nesting, numbers or text no database stores — and a 400 ``webhook_not_configured``
    without ``STRIPE_WEBHOOK_SECRET``.
    """
    config = settings()
    if not config.STRIPE_WEBHOOK_SECRET:
        raise DomainError("Webhooks are not configured.", code="webhook_not_configured")
    text = payload.decode("utf-8", errors="replace")
    try:
        stripe.WebhookSignature.verify_header(
            text,
            signature or "",
            config.STRIPE_WEBHOOK_SECRET,
            tolerance=config.WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        logger.warning("Stripe webhook refused: %s", exc)
        raise DomainError(
            "The webhook signature is missing, wrong or too old.", code="invalid_signature"
        ) from exc
    try:
        event_id, event_type, created, event = _parse_event(text)
    except ValueError as exc:
        raise InvalidPayload(f"The webhook body is not a Stripe event: {exc}.") from exc
    try:
        with transaction.atomic():
            stored, created_now = WebhookEvent.objects.get_or_create(
                event_id=event_id,
                defaults={"type": event_type, "payload": event, "created_at_source": created},
            )
    except DataError as exc:
        # The checks above should leave nothing a database refuses; if one still does,
        # the sender hears so, and nothing was stored.
        logger.warning("Stripe webhook %s could not be stored: %s", event_id, exc)
        raise InvalidPayload(
            "The webhook body is not a Stripe event: the database cannot store it."
        ) from exc
    if not created_now and stored.status in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED):
        return stored, True
    return webhook_event_apply(webhook_event_id=stored.pk), not created_now
