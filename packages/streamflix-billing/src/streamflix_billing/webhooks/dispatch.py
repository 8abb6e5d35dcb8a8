"""Applying a stored event: its handler in a transaction, the outcome recorded, retries.

A failure is recorded on the event and retried by a django-q2 task with a growing delay;
the admin can replay any stored event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..conf import settings
from ..models import WebhookEvent, WebhookStatus
from .checkout import on_checkout_completed, on_checkout_expired
from .handling import Ignored, Unprocessable
from .invoices import on_invoice_paid, on_invoice_payment_failed
from .refunds import on_charge_refunded, on_refund_updated
from .subscriptions import on_subscription_changed

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], WebhookEvent], None]

HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.expired": on_checkout_expired,
    "customer.subscription.created": on_subscription_changed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "charge.refunded": on_charge_refunded,
    "refund.updated": on_refund_updated,
    "charge.refund.updated": on_refund_updated,
}


def webhook_event_apply(*, webhook_event_id: int, replay: bool = False) -> WebhookEvent:
    """Apply one stored event in a transaction; record the outcome on the event.

    An already processed event is left alone unless ``replay`` (the admin's action); the
    handlers are idempotent, so a replay never applies money twice.
    """
    error = ""
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.select_for_update().get(pk=webhook_event_id)
            if event.status in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED) and not replay:
                return event
            handler = HANDLERS.get(event.type)
            try:
                if handler is None:
                    raise Ignored(f"no handler for {event.type}")
                with transaction.atomic():
                    handler(event.payload["data"]["object"], event)
                status, note = WebhookStatus.PROCESSED, ""
            except Ignored as why:
                status, note = WebhookStatus.IGNORED, str(why)
            except Unprocessable as why:
                logger.error("Stripe webhook %s cannot be applied: %s", event.event_id, why)
                status, note = WebhookStatus.FAILED, str(why)
            event.status, event.error = status, note
            event.attempts += 1
            event.processed_at = timezone.now()
            event.save()
            return event
    except Exception as exc:  # a handler bug or a Stripe outage: keep the event, retry later
        logger.exception("Stripe webhook %s failed", webhook_event_id)
        error = f"{type(exc).__name__}: {exc}"
    event = WebhookEvent.objects.get(pk=webhook_event_id)
    event.status = WebhookStatus.FAILED
    event.error = error[:4000]
    event.attempts += 1
    event.save(update_fields=["status", "error", "attempts"])
    _schedule_retry(event)
    return event


def _schedule_retry(event: WebhookEvent) -> None:
    config = settings()
    if event.attempts >= config.WEBHOOK_MAX_ATTEMPTS:
        logger.error("Stripe webhook %s gave up after %s attempts", event.event_id, event.attempts)
        return
    from django_q.models import Schedule
    from django_q.tasks import schedule

    delay = config.WEBHOOK_RETRY_DELAY_SECONDS * 2 ** (event.attempts - 1)
    schedule(
        "streamflix_billing.tasks.webhook_event_retry",
        event.pk,
        name=f"billing-webhook-retry-{event.pk}-{event.attempts}",
        schedule_type=Schedule.ONCE,
        repeats=1,
        next_run=timezone.now() + timedelta(seconds=delay),
    )


def webhook_event_replay(*, webhook_event_id: int) -> WebhookEvent:
    """Apply a stored event again (admin action); safe because handlers are idempotent."""
    return webhook_event_apply(webhook_event_id=webhook_event_id, replay=True)
