"""Subscriptions this site starts or ends itself, their history and the change signal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from streamflix_core import signals
from streamflix_core.errors import Conflict

from ..conf import settings
from ..models import (
    LIVE_STATUSES,
    TERMINAL_STATUSES,
    EventKind,
    Plan,
    Subscription,
    SubscriptionEvent,
    SubscriptionStatus,
)
from .plans import add_months, period_end_after

ENTITLED_STATUSES = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.PAST_DUE,
)


def subscription_event_record(
    *,
    subscription: Subscription,
    kind: str,
    source: str,
    occurred_at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> SubscriptionEvent:
    """Append one entry to a subscription's history, on the plan the subscription has now.

    The event keeps that plan: a later plan change does not relabel it.
    """
    return SubscriptionEvent.objects.create(
        subscription=subscription,
        plan_id=subscription.plan_id,
        kind=kind,
        source=source,
        occurred_at=occurred_at or timezone.now(),
        data=data or {},
    )


def subscription_state_advance(subscription: Subscription, at: datetime | None = None) -> None:
    """Mark ``subscription`` as known up to ``at`` (now by default) so that an older Stripe
    event arriving late cannot revert a change made since; call before saving.

    Kept to whole seconds like Stripe's event times: Stripe's own event for the same change
    then compares equal and makes the sync re-fetch the truth instead of being skipped.
    """
    at = (at or timezone.now()).replace(microsecond=0)
    if subscription.stripe_state_at is None or subscription.stripe_state_at < at:
        subscription.stripe_state_at = at


def subscription_announce(subscription: Subscription) -> None:
    """Send ``subscription_changed`` once the surrounding transaction commits."""
    user_id, status, slug = subscription.user_id, subscription.status, subscription.plan.slug

    def send() -> None:
        signals.subscription_changed.send_robust(
            sender=Subscription, user_id=user_id, status=status, plan_slug=slug
        )

    transaction.on_commit(send)


def subscription_live_for(user: Any) -> Subscription | None:
    """The user's live subscription (at most one exists), with its plan."""
    return (
        Subscription.objects.select_related("plan")
        .filter(user=user, status__in=LIVE_STATUSES)
        .first()
    )


def subscription_start_local(
    *, user: Any, plan: Plan, source: str, months: int | None = None, gateway: str = "development"
) -> Subscription:
    """Start a subscription this site manages itself (development gateway or a gift).

    With ``months`` it runs that long and ends by itself; otherwise it starts with the
    plan's trial, if any, or one paid period. A live subscription is a 409
    ``already_subscribed``.
    """
    now = timezone.now()
    if months is not None:
        status, end = SubscriptionStatus.ACTIVE, add_months(now, months)
    elif plan.trial_days:
        status, end = SubscriptionStatus.TRIALING, now + timedelta(days=plan.trial_days)
    else:
        status, end = SubscriptionStatus.ACTIVE, period_end_after(now, plan)
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                user=user,
                plan=plan,
                status=status,
                current_period_start=now,
                current_period_end=end,
                gateway=gateway,
                cancel_at_period_end=months is not None,
            )
    except IntegrityError as exc:
        raise Conflict("You already have a subscription.", code="already_subscribed") from exc
    subscription_event_record(
        subscription=subscription, kind=EventKind.CREATED, source=source, occurred_at=now
    )
    subscription_announce(subscription)
    return subscription


def subscriptions_expire(*, now: datetime | None = None) -> int:
    """Expire subscriptions whose period ended without a renewal, recording ``expired``.

    Stripe-managed ones get ``GRACE_PERIOD_DAYS`` more, for a late renewal webhook.
    """
    now = now or timezone.now()
    grace = timedelta(days=settings().GRACE_PERIOD_DAYS)
    due = Subscription.objects.filter(
        status__in=(*ENTITLED_STATUSES, SubscriptionStatus.UNPAID, SubscriptionStatus.INCOMPLETE)
    ).filter(
        Q(~Q(gateway="stripe"), current_period_end__lte=now)
        | Q(gateway="stripe", current_period_end__lte=now - grace)
    )
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            subscription = (
                Subscription.objects.select_for_update(of=("self",))
                .select_related("plan")
                .get(pk=pk)
            )
            if subscription.status in TERMINAL_STATUSES:
                continue
            subscription.status = SubscriptionStatus.EXPIRED
            subscription.ended_at = now
            subscription.save()
            subscription_event_record(
                subscription=subscription, kind=EventKind.EXPIRED, source="schedule"
            )
            subscription_announce(subscription)
            count += 1
    return count
