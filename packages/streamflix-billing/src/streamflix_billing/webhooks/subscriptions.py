"""``customer.subscription.*``: keep the local mirror of a Stripe subscription, in order.

A subscription remembers the creation time of the newest event applied to it
(``stripe_state_at``). An older event is skipped; one from the same second is "in doubt" and
the subscription is re-fetched from Stripe. A subscription Stripe ended stays ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from ..gateway import get_gateway
from ..models import (
    LIVE_STATUSES,
    EventKind,
    Plan,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from ..services.customers import user_for_customer
from ..services.subscriptions import subscription_announce, subscription_event_record
from .handling import Ignored, Unprocessable, from_timestamp

STRIPE_STATUS = {
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.EXPIRED,
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELED,
    "unpaid": SubscriptionStatus.UNPAID,
    "paused": SubscriptionStatus.UNPAID,
}


def _period(obj: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    start, end = obj.get("current_period_start"), obj.get("current_period_end")
    if start is None or end is None:
        # Newer API versions keep the period on the subscription item.
        items = (obj.get("items") or {}).get("data") or [{}]
        start = start or items[0].get("current_period_start")
        end = end or items[0].get("current_period_end")
    return from_timestamp(start), from_timestamp(end)


def _plan_for(obj: dict[str, Any]) -> Plan | None:
    items = (obj.get("items") or {}).get("data") or []
    for item in items:
        price = item.get("price") or item.get("plan") or {}
        price_id = price.get("id") if isinstance(price, dict) else price
        if price_id:
            plan = Plan.objects.filter(stripe_price_id=price_id).first()
            if plan is not None:
                return plan
    slug = (obj.get("metadata") or {}).get("plan")
    return Plan.objects.filter(slug=slug).first() if slug else None


def subscription_sync(
    *, obj: dict[str, Any], source: str, event_time: datetime, refetched: bool = False
) -> Subscription:
    """Bring the local mirror of a Stripe subscription up to ``obj`` (seen at ``event_time``)."""
    stripe_id = obj["id"]
    local = (
        Subscription.objects.select_for_update().filter(stripe_subscription_id=stripe_id).first()
    )
    if local is not None and local.stripe_state_at is not None:
        if event_time < local.stripe_state_at:
            raise Ignored("stale: a newer state of this subscription was already applied")
        if event_time == local.stripe_state_at and not refetched:
            fresh = get_gateway().subscription_retrieve(stripe_subscription_id=stripe_id)
            return subscription_sync(
                obj=fresh, source=source, event_time=event_time, refetched=True
            )
    status = STRIPE_STATUS.get(obj.get("status", ""), SubscriptionStatus.INCOMPLETE)
    # Stripe never revives a canceled subscription: anything else is an old state.
    if local is not None and SubscriptionStatus.CANCELED == local.status != status:
        raise Ignored("stale: the subscription was already canceled")
    plan = _plan_for(obj) or (local.plan if local else None)
    if plan is None:
        raise ValueError(f"no plan matches Stripe subscription {stripe_id}")
    start, end = _period(obj)
    cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    canceled_at = from_timestamp(obj.get("canceled_at"))
    if local is None:
        user = user_for_customer(str(obj.get("customer") or ""), obj.get("metadata") or {})
        if user is None:
            raise ValueError(f"no user for Stripe subscription {stripe_id}")
        local = Subscription(
            user=user,
            stripe_subscription_id=stripe_id,
            gateway="stripe",
            current_period_start=start or event_time,
            current_period_end=end or event_time,
            plan=plan,
            status=status,
        )
        previous = None
    else:
        previous = Subscription.objects.get(pk=local.pk)
    local.plan = plan
    local.status = status
    local.stripe_customer_id = str(obj.get("customer") or "")
    if start and end and (previous is None or end >= previous.current_period_end):
        local.current_period_start, local.current_period_end = start, end
    local.cancel_at_period_end = cancel_at_period_end
    local.canceled_at = canceled_at
    if status == SubscriptionStatus.PAST_DUE:
        local.past_due_since = local.past_due_since or event_time
    else:
        local.past_due_since = None
    if status == SubscriptionStatus.CANCELED:
        local.ended_at = from_timestamp(obj.get("ended_at")) or event_time
    local.stripe_state_at = event_time
    try:
        with transaction.atomic():
            local.save()
    except IntegrityError:
        other = (
            Subscription.objects.filter(user_id=local.user_id, status__in=LIVE_STATUSES)
            .exclude(pk=local.pk)
            .first()
        )
        if other is None or status not in LIVE_STATUSES:
            raise
        # Retrying cannot help: staff must settle the duplicate at Stripe (refund, cancel).
        raise Unprocessable(
            f"Stripe subscription {stripe_id} would be a second live subscription of user "
            f"{local.user_id} (already live: #{other.pk} {other.stripe_subscription_id or ''}); "
            "cancel one at Stripe, then replay this event"
        ) from None
    _record_changes(previous, local, source=source, when=event_time)
    return local


def _record_changes(
    previous: Subscription | None, current: Subscription, *, source: str, when: datetime
) -> None:
    def record(kind: str, **data: Any) -> None:
        subscription_event_record(
            subscription=current, kind=kind, source=source, occurred_at=when, data=data
        )

    if previous is None:
        record(EventKind.CREATED, plan=current.plan.slug, status=current.status)
    else:
        if previous.plan_id != current.plan_id:
            record(EventKind.PLAN_CHANGED, **{"from": previous.plan.slug, "to": current.plan.slug})
        became_canceled = current.status == SubscriptionStatus.CANCELED != previous.status
        if became_canceled:
            record(EventKind.CANCELED, at_period_end=False)
        else:
            status_change_record(current, previous_status=previous.status, source=source, when=when)
            if current.cancel_at_period_end and not previous.cancel_at_period_end:
                record(EventKind.CANCELED, at_period_end=True)
            elif previous.cancel_at_period_end and not current.cancel_at_period_end:
                record(EventKind.RESUMED)
    if previous is None or previous.status != current.status or previous.plan_id != current.plan_id:
        subscription_announce(current)


def status_change_record(
    subscription: Subscription, *, previous_status: str, source: str, when: datetime
) -> None:
    """Record ``status_changed`` (``from``, ``to``) when a Stripe event moved the status."""
    if subscription.status != previous_status:
        subscription_event_record(
            subscription=subscription,
            kind=EventKind.STATUS_CHANGED,
            source=source,
            occurred_at=when,
            data={"from": previous_status, "to": subscription.status},
        )


def subscription_for_event(stripe_id: str, *, event: WebhookEvent) -> Subscription:
    """The local mirror of Stripe subscription ``stripe_id``, locked; fetched from Stripe and
    created when this site has not seen it yet (its own event may still be on the way)."""
    local = (
        Subscription.objects.select_for_update().filter(stripe_subscription_id=stripe_id).first()
    )
    if local is not None:
        return local
    fresh = get_gateway().subscription_retrieve(stripe_subscription_id=stripe_id)
    return subscription_sync(
        obj=fresh, source=event.event_id, event_time=event.created_at_source, refetched=True
    )


def on_subscription_changed(obj: dict[str, Any], event: WebhookEvent) -> None:
    """Created, updated or deleted: bring the local mirror up to date."""
    subscription_sync(obj=obj, source=event.event_id, event_time=event.created_at_source)
