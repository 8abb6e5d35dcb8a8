"""Receiving a Stripe webhook: verify the signature, store the event first, then apply it."""

from __future__ import annotations

import json
import logging

import stripe
from django.utils import timezone

from streamflix_core.api.errors import ApiError

from ..conf import settings
from ..models import WebhookEvent, WebhookStatus
from .dispatch import webhook_event_apply
from .handling import from_timestamp

logger = logging.getLogger(__name__)


def webhook_event_receive(*, payload: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Verify and store a Stripe event, then apply it. Returns ``(event, duplicate)``.

    Raises a 400 ``invalid_signature`` (nothing written) for an unsigned, wrongly signed or
    stale request, a 400 ``invalid_payload`` for a body that is not a Stripe event, and a
    400 ``webhook_not_configured`` without ``STRIPE_WEBHOOK_SECRET``.
    """
    config = settings()
    if not config.STRIPE_WEBHOOK_SECRET:
        raise ApiError("Webhooks are not configured.", code="webhook_not_configured", status=400)
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
        raise ApiError(
            "The webhook signature is missing, wrong or too old.", code="invalid_signature"
        ) from exc
    try:
        event = json.loads(text)
        event_id, event_type = str(event["id"]), str(event["type"])
        created = from_timestamp(event.get("created")) or timezone.now()
        if not isinstance(event["data"]["object"], dict):
            raise TypeError("the event carries no object")
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError("The webhook body is not a Stripe event.", code="invalid_payload") from exc
    stored, created_now = WebhookEvent.objects.get_or_create(
        event_id=event_id,
        defaults={"type": event_type, "payload": event, "created_at_source": created},
    )
    if not created_now and stored.status in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED):
        return stored, True
    return webhook_event_apply(webhook_event_id=stored.pk), not created_now
