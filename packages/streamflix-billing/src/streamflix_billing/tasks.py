"""django-q2 task targets: load by id, call a service."""

from __future__ import annotations

from . import services, webhooks


def webhook_event_retry(webhook_event_id: int) -> str:
    """Apply a stored webhook event whose handler failed before."""
    return webhooks.webhook_event_apply(webhook_event_id=webhook_event_id).status


def subscriptions_expire() -> int:
    """Expire subscriptions whose period ended without renewal (scheduled)."""
    return services.subscriptions_expire()


def development_renewals() -> int:
    """Renew due development-gateway subscriptions (scheduled; a no-op with Stripe)."""
    return services.subscriptions_renew_local()
