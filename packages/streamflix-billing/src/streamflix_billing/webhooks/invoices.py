"""``invoice.paid`` and ``invoice.payment_failed``: money per invoice, once; renewals; past due.

Invoice payments are keyed by the invoice id, so a redelivered or replayed invoice extends
nothing twice. The readers accept both older API versions (fields on the invoice) and newer
ones (under ``parent`` and ``payments``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..models import (
    EventKind,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from ..services.payments_refunds import payment_mark_succeeded
from ..services.subscriptions import (
    subscription_announce,
    subscription_event_record,
    subscription_state_advance,
)
from .handling import Ignored, from_timestamp
from .subscriptions import status_change_record, subscription_for_event


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
            return from_timestamp(period.get("start")), from_timestamp(period.get("end"))
    return None, None


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


def _invoice_subscription_and_payment(
    invoice: dict[str, Any], event: WebhookEvent
) -> tuple[Subscription, Payment]:
    """The invoice's subscription (locked, fetched when unknown) and its payment row."""
    stripe_id = _invoice_subscription_id(invoice)
    if not stripe_id:
        raise Ignored("invoice without subscription")
    subscription = subscription_for_event(stripe_id, event=event)
    return subscription, _invoice_payment(invoice, subscription)


def on_invoice_paid(obj: dict[str, Any], event: WebhookEvent) -> None:
    """Record the payment once per invoice; a renewal extends the period once."""
    subscription, payment = _invoice_subscription_and_payment(obj, event)
    when = event.created_at_source
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED) and payment.pk:
        raise Ignored("invoice already recorded as paid")
    payment.subscription = subscription
    payment.amount = int(obj.get("amount_paid") or payment.amount)
    payment.currency = str(obj.get("currency") or payment.currency)
    payment.stripe_payment_intent_id = _invoice_payment_intent(obj)
    payment.metadata = {**payment.metadata, "subscription_id": subscription.pk}
    payment.save()
    payment_mark_succeeded(payment=payment, paid_at=when)
    subscription_event_record(
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
    previous_status = subscription.status
    if subscription.status != SubscriptionStatus.CANCELED:
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.past_due_since = None
        subscription.ended_at = None
    subscription_state_advance(subscription, when)
    subscription.save()
    status_change_record(
        subscription, previous_status=previous_status, source=event.event_id, when=when
    )
    if extended and obj.get("billing_reason") == "subscription_cycle":
        subscription_event_record(
            subscription=subscription,
            kind=EventKind.RENEWED,
            source=event.event_id,
            occurred_at=when,
            data={"period_end": subscription.current_period_end.isoformat()},
        )
    subscription_announce(subscription)


def on_invoice_payment_failed(obj: dict[str, Any], event: WebhookEvent) -> None:
    """A failed invoice: the subscription becomes past due (its grace starts)."""
    subscription, payment = _invoice_subscription_and_payment(obj, event)
    when = event.created_at_source
    if payment.pk and payment.status != PaymentStatus.PENDING:
        raise Ignored("invoice already settled")
    payment.subscription = subscription
    payment.status = PaymentStatus.FAILED
    payment.save()
    subscription_event_record(
        subscription=subscription,
        kind=EventKind.PAYMENT_FAILED,
        source=event.event_id,
        occurred_at=when,
        data={"invoice": obj["id"], "attempt": obj.get("attempt_count")},
    )
    if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        previous_status = subscription.status
        subscription.status = SubscriptionStatus.PAST_DUE
        subscription.past_due_since = subscription.past_due_since or when
        subscription.save()
        status_change_record(
            subscription, previous_status=previous_status, source=event.event_id, when=when
        )
        subscription_announce(subscription)
