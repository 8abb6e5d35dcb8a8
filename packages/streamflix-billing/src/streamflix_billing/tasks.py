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


def stripe_subscription_cancel(stripe_subscription_id: str) -> None:
    """Cancel a Stripe subscription at once (its account was deleted)."""
    from .gateway import StripeGateway

    StripeGateway().subscription_cancel_now(stripe_subscription_id=stripe_subscription_id)
