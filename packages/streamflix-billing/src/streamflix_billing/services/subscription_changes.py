"""What a subscriber changes about their own subscription: cancel, resume, change plan.

Each change locks the subscription, asks Stripe first when Stripe manages it (a provider
error rolls the change back), then records the event and announces it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from streamflix_core.errors import Conflict, NotFound

from ..gateway import get_gateway
from ..models import EventKind, Subscription
from .plans import plan_on_sale
from .subscriptions import (
    subscription_announce,
    subscription_event_record,
    subscription_live_for,
    subscription_state_advance,
)


def _my_subscription_locked(user: Any) -> Subscription:
    """The user's live subscription, locked for the caller's transaction (404 without one)."""
    live = subscription_live_for(user)
    if live is None:
        raise NotFound("You have no subscription.", code="no_subscription")
    # Lock the subscription only: every subscriber shares the plan row.
    return (
        Subscription.objects.select_for_update(of=("self",)).select_related("plan").get(pk=live.pk)
    )


def subscription_cancel(*, user: Any) -> Subscription:
    """Cancel the user's subscription at the end of the paid period."""
    with transaction.atomic():
        subscription = _my_subscription_locked(user)
        if subscription.cancel_at_period_end:
            raise Conflict("The subscription is already set to end.", code="already_canceled")
        if subscription.gateway == "stripe":
            get_gateway().subscription_set_cancel_at_period_end(
                subscription=subscription, cancel=True
            )
        subscription.cancel_at_period_end = True
        subscription.canceled_at = timezone.now()
        subscription_state_advance(subscription)
        subscription.save()
        subscription_event_record(
            subscription=subscription,
            kind=EventKind.CANCELED,
            source="api",
            data={"at_period_end": True},
        )
        subscription_announce(subscription)
    return subscription


def subscription_resume(*, user: Any) -> Subscription:
    """Undo a cancellation at period end while the period runs."""
    with transaction.atomic():
        subscription = _my_subscription_locked(user)
        if not subscription.cancel_at_period_end:
            raise Conflict("The subscription is not set to end.", code="not_canceled")
        if subscription.gateway == "gift":
            raise Conflict("A gift subscription ends with its gift.", code="gift_subscription")
        if subscription.gateway == "stripe":
            get_gateway().subscription_set_cancel_at_period_end(
                subscription=subscription, cancel=False
            )
        subscription.cancel_at_period_end = False
        subscription.canceled_at = None
        subscription_state_advance(subscription)
        subscription.save()
        subscription_event_record(subscription=subscription, kind=EventKind.RESUMED, source="api")
        subscription_announce(subscription)
    return subscription


def subscription_change_plan(*, user: Any, plan_slug: str) -> Subscription:
    """Move the user's subscription to another plan (Stripe prorates)."""
    plan = plan_on_sale(slug=plan_slug)
    with transaction.atomic():
        subscription = _my_subscription_locked(user)
        if subscription.plan_id == plan.pk:
            raise Conflict("You are already on this plan.", code="same_plan")
        if subscription.gateway == "gift":
            raise Conflict("A gift subscription keeps its plan.", code="gift_subscription")
        if subscription.gateway == "stripe":
            if not plan.stripe_price_id:
                raise Conflict("This plan is not on sale yet.", code="plan_not_purchasable")
            get_gateway().subscription_change_plan(subscription=subscription, plan=plan)
        previous = subscription.plan.slug
        subscription.plan = plan
        subscription_state_advance(subscription)
        subscription.save()
        subscription_event_record(
            subscription=subscription,
            kind=EventKind.PLAN_CHANGED,
            source="api",
            data={"from": previous, "to": plan.slug},
        )
        subscription_announce(subscription)
    return subscription
