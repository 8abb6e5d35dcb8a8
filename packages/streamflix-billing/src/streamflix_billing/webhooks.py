"""Stripe webhooks: verify, store first, apply once, in order.

:func:`webhook_event_receive` verifies the signature (nothing is written when it fails),
stores the event under its unique id (a redelivery is acknowledged, not applied again) and
applies it. :func:`webhook_event_apply` runs one handler in a transaction; a failure is
recorded on the event and retried by a django-q2 task with a growing delay.

Order safety: a subscription remembers the creation time of the newest event applied to it
(``stripe_state_at``). An older event is skipped; one from the same second is "in doubt" and
the subscription is re-fetched from Stripe. A subscription Stripe ended stays ended.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.db import transaction
from django.utils import timezone

from streamflix_core.api.errors import ApiError

from . import services
from .conf import settings
from .gateway import get_gateway
from .models import (
    EventKind,
    Gift,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Plan,
    Refund,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)

logger = logging.getLogger(__name__)

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


class Ignored(Exception):
    """The event needs no change (unknown object, stale state); recorded as ``ignored``."""


def _ts(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def webhook_event_receive(*, payload: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Verify and store a Stripe event, then apply it. Returns ``(event, duplicate)``.

    Raises a 400 ``invalid_signature`` (nothing written) for an unsigned, wrongly signed or
    stale request, and a 400 ``invalid_payload`` for a body that is not a Stripe event.
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
        created = _ts(event.get("created")) or timezone.now()
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


def _period(obj: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    start, end = obj.get("current_period_start"), obj.get("current_period_end")
    if start is None or end is None:
        # Newer API versions keep the period on the subscription item.
        items = (obj.get("items") or {}).get("data") or [{}]
        start = start or items[0].get("current_period_start")
        end = end or items[0].get("current_period_end")
    return _ts(start), _ts(end)


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
    canceled_at = _ts(obj.get("canceled_at"))
    if local is None:
        user = services.user_for_customer(str(obj.get("customer") or ""), obj.get("metadata") or {})
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
        local.ended_at = _ts(obj.get("ended_at")) or event_time
    local.stripe_state_at = event_time
    local.save()
    _record_changes(previous, local, source=source, when=event_time)
    return local


def _record_changes(
    previous: Subscription | None, current: Subscription, *, source: str, when: datetime
) -> None:
    def record(kind: str, **data: Any) -> None:
        services.subscription_event_record(
            subscription=current, kind=kind, source=source, occurred_at=when, data=data
        )

    if previous is None:
        record(EventKind.CREATED, plan=current.plan.slug, status=current.status)
    else:
        if previous.plan_id != current.plan_id:
            record(EventKind.PLAN_CHANGED, to=current.plan.slug)
        if current.status == SubscriptionStatus.CANCELED and previous.status != current.status:
            record(EventKind.CANCELED, at_period_end=False)
        elif current.cancel_at_period_end and not previous.cancel_at_period_end:
            record(EventKind.CANCELED, at_period_end=True)
        elif previous.cancel_at_period_end and not current.cancel_at_period_end:
            record(EventKind.RESUMED)
    if previous is None or previous.status != current.status or previous.plan_id != current.plan_id:
        services._announce(current)


def _subscription_for(stripe_id: str, *, source: str, event_time: datetime) -> Subscription:
    local = (
        Subscription.objects.select_for_update().filter(stripe_subscription_id=stripe_id).first()
    )
    if local is not None:
        return local
    fresh = get_gateway().subscription_retrieve(stripe_subscription_id=stripe_id)
    return subscription_sync(obj=fresh, source=source, event_time=event_time, refetched=True)


def on_subscription_changed(obj: dict[str, Any], event: WebhookEvent) -> None:
    subscription_sync(obj=obj, source=event.event_id, event_time=event.created_at_source)


def on_checkout_completed(obj: dict[str, Any], event: WebhookEvent) -> None:
    metadata = obj.get("metadata") or {}
    payment_id = metadata.get("payment_id") or obj.get("client_reference_id")
    payment = (
        Payment.objects.select_for_update().filter(pk=payment_id).first() if payment_id else None
    )
    if payment is None:
        raise Ignored("the checkout session belongs to no payment of this site")
    if obj.get("mode") == "payment":
        if obj.get("payment_status") != "paid":
            raise Ignored("checkout completed without payment")
        payment.stripe_payment_intent_id = str(obj.get("payment_intent") or "")
        payment.amount = int(obj.get("amount_total") or payment.amount)
        payment.save()
        services._payment_succeed(payment, paid_at=event.created_at_source)
        if payment.purpose == PaymentPurpose.GIFT:
            gift = Gift.objects.select_for_update().filter(payment=payment).first()
            if gift is not None:
                services.gift_mark_paid(gift=gift)
        return
    stripe_id = obj.get("subscription")
    if not stripe_id:
        raise Ignored("subscription checkout without a subscription")
    subscription = _subscription_for(
        str(stripe_id), source=event.event_id, event_time=event.created_at_source
    )
    payment.subscription = subscription
    invoice_id = obj.get("invoice")
    # The money is recorded by invoice.paid, which finds this payment by the invoice id.
    # When that invoice arrived first it already has its own payment row: this one is void.
    if invoice_id and Payment.objects.filter(stripe_invoice_id=invoice_id).exists():
        if payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.CANCELED
            payment.metadata = {**payment.metadata, "superseded_by_invoice": invoice_id}
    elif invoice_id:
        payment.stripe_invoice_id = invoice_id
    payment.save()


def on_checkout_expired(obj: dict[str, Any], event: WebhookEvent) -> None:
    payment_id = (obj.get("metadata") or {}).get("payment_id") or obj.get("client_reference_id")
    payment = (
        Payment.objects.select_for_update().filter(pk=payment_id).first() if payment_id else None
    )
    if payment is None or payment.status != PaymentStatus.PENDING:
        raise Ignored("no pending payment for this checkout session")
    payment.status = PaymentStatus.CANCELED
    payment.save(update_fields=["status"])
    if payment.purpose == PaymentPurpose.GIFT:
        Gift.objects.filter(payment=payment).update(status="canceled")


def _invoice_subscription_id(invoice: dict[str, Any]) -> str:
    direct = invoice.get("subscription")
    if isinstance(direct, dict):
        return str(direct.get("id") or "")
    if direct:
        return str(direct)
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    return str(parent.get("subscription") or "")


def _invoice_metadata(invoice: dict[str, Any]) -> dict[str, Any]:
    details = invoice.get("subscription_details") or (invoice.get("parent") or {}).get(
        "subscription_details"
    )
    return (details or {}).get("metadata") or {}


def _invoice_payment(invoice: dict[str, Any], subscription: Subscription) -> Payment:
    """The payment row of an invoice: the one already keyed by it, else the checkout's
    pending payment (the first invoice), else a new one."""
    payment = Payment.objects.select_for_update().filter(stripe_invoice_id=invoice["id"]).first()
    if payment is not None:
        return payment
    checkout_payment_id = _invoice_metadata(invoice).get("payment_id")
    if checkout_payment_id and invoice.get("billing_reason") == "subscription_create":
        payment = (
            Payment.objects.select_for_update()
            .filter(pk=checkout_payment_id, stripe_invoice_id__isnull=True)
            .first()
        )
        if payment is not None:
            payment.stripe_invoice_id = invoice["id"]
            return payment
    return Payment(
        user_id=subscription.user_id,
        plan=subscription.plan,
        purpose=PaymentPurpose.RENEWAL,
        amount=int(invoice.get("amount_due") or 0),
        currency=str(invoice.get("currency") or subscription.plan.currency),
        gateway="stripe",
        stripe_invoice_id=invoice["id"],
        description=f"{subscription.plan.name} invoice",
        metadata={"user_id": subscription.user_id, "subscription_id": subscription.pk},
    )


def _invoice_payment_intent(invoice: dict[str, Any]) -> str:
    """The invoice's payment intent: a field in older API versions, else its first payment."""
    direct = invoice.get("payment_intent")
    if direct:
        return str(direct.get("id") if isinstance(direct, dict) else direct)
    for entry in (invoice.get("payments") or {}).get("data") or []:
        intent = (entry.get("payment") or {}).get("payment_intent")
        if intent:
            return str(intent.get("id") if isinstance(intent, dict) else intent)
    return ""


def _line_period(invoice: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    lines = (invoice.get("lines") or {}).get("data") or []
    for line in lines:
        period = line.get("period") or {}
        if period.get("end"):
            return _ts(period.get("start")), _ts(period.get("end"))
    return None, None


def on_invoice_paid(obj: dict[str, Any], event: WebhookEvent) -> None:
    stripe_id = _invoice_subscription_id(obj)
    if not stripe_id:
        raise Ignored("invoice without subscription")
    when = event.created_at_source
    subscription = _subscription_for(stripe_id, source=event.event_id, event_time=when)
    payment = _invoice_payment(obj, subscription)
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED) and payment.pk:
        raise Ignored("invoice already recorded as paid")
    payment.subscription = subscription
    payment.amount = int(obj.get("amount_paid") or payment.amount)
    payment.currency = str(obj.get("currency") or payment.currency)
    payment.stripe_payment_intent_id = _invoice_payment_intent(obj)
    payment.metadata = {**payment.metadata, "subscription_id": subscription.pk}
    payment.save()
    services._payment_succeed(payment, paid_at=when)
    services.subscription_event_record(
        subscription=subscription,
        kind=EventKind.PAYMENT_SUCCEEDED,
        source=event.event_id,
        occurred_at=when,
        data={"payment_id": payment.pk, "amount": payment.amount, "invoice": obj["id"]},
    )
    start, end = _line_period(obj)
    extended = end is not None and end > subscription.current_period_end
    if extended:
        subscription.current_period_start = start or subscription.current_period_end
        subscription.current_period_end = end  # type: ignore[assignment]
    if subscription.status != SubscriptionStatus.CANCELED:
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.past_due_since = None
        subscription.ended_at = None
    subscription.save()
    if extended and obj.get("billing_reason") == "subscription_cycle":
        services.subscription_event_record(
            subscription=subscription,
            kind=EventKind.RENEWED,
            source=event.event_id,
            occurred_at=when,
            data={"period_end": subscription.current_period_end.isoformat()},
        )
    services._announce(subscription)


def on_invoice_payment_failed(obj: dict[str, Any], event: WebhookEvent) -> None:
    stripe_id = _invoice_subscription_id(obj)
    if not stripe_id:
        raise Ignored("invoice without subscription")
    when = event.created_at_source
    subscription = _subscription_for(stripe_id, source=event.event_id, event_time=when)
    payment = _invoice_payment(obj, subscription)
    if payment.pk and payment.status != PaymentStatus.PENDING:
        raise Ignored("invoice already settled")
    payment.subscription = subscription
    payment.status = PaymentStatus.FAILED
    payment.save()
    if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        subscription.status = SubscriptionStatus.PAST_DUE
        subscription.past_due_since = subscription.past_due_since or when
        subscription.save()
        services._announce(subscription)
    services.subscription_event_record(
        subscription=subscription,
        kind=EventKind.PAYMENT_FAILED,
        source=event.event_id,
        occurred_at=when,
        data={"invoice": obj["id"], "attempt": obj.get("attempt_count")},
    )


def _refund_upsert(data: dict[str, Any], payment: Payment) -> tuple[Refund, bool]:
    refund = Refund.objects.filter(stripe_refund_id=data["id"]).first()
    status = services._refund_status(str(data.get("status") or "pending"))
    if refund is None:
        return (
            Refund.objects.create(
                payment=payment,
                amount=int(data.get("amount") or 0),
                reason=str(data.get("reason") or ""),
                status=status,
                stripe_refund_id=data["id"],
            ),
            True,
        )
    if refund.status != status:
        refund.status = status
        refund.save(update_fields=["status"])
    return refund, False


def _payment_by_intent(intent: Any) -> Payment:
    intent_id = intent.get("id") if isinstance(intent, dict) else intent
    payment = (
        Payment.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
        if intent_id
        else None
    )
    if payment is None:
        raise Ignored("refund of a payment this site does not know")
    return payment


def on_charge_refunded(obj: dict[str, Any], event: WebhookEvent) -> None:
    payment = _payment_by_intent(obj.get("payment_intent"))
    before = payment.amount_refunded
    for data in (obj.get("refunds") or {}).get("data") or []:
        _refund_upsert(data, payment)
    services.payment_amount_refunded_update(payment, floor=int(obj.get("amount_refunded") or 0))
    if payment.amount_refunded > before and payment.subscription_id:
        services.subscription_event_record(
            subscription=payment.subscription,  # type: ignore[arg-type]
            kind=EventKind.REFUNDED,
            source=event.event_id,
            occurred_at=event.created_at_source,
            data={"payment_id": payment.pk, "amount": payment.amount_refunded - before},
        )


def on_refund_updated(obj: dict[str, Any], event: WebhookEvent) -> None:
    payment = _payment_by_intent(obj.get("payment_intent"))
    _refund_upsert(obj, payment)
    services.payment_amount_refunded_update(payment)


HANDLERS = {
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
