"""``checkout.session.*``: link a finished checkout to its payment, or cancel an abandoned one."""

from __future__ import annotations

from typing import Any

from ..models import Gift, GiftStatus, Payment, PaymentPurpose, PaymentStatus, WebhookEvent
from ..services.gifts import gift_mark_paid
from ..services.payments_refunds import payment_mark_succeeded
from .handling import Ignored
from .subscriptions import subscription_for_event


def _checkout_payment(session: dict[str, Any]) -> Payment | None:
    """The payment a checkout session was opened for (from its metadata), locked."""
    payment_id = (session.get("metadata") or {}).get("payment_id") or session.get(
        "client_reference_id"
    )
    if not payment_id:
        return None
    return Payment.objects.select_for_update().filter(pk=payment_id).first()


def on_checkout_completed(obj: dict[str, Any], event: WebhookEvent) -> None:
    """A paid checkout: a gift is paid for; a subscription is linked to its payment."""
    payment = _checkout_payment(obj)
    if payment is None:
        raise Ignored("the checkout session belongs to no payment of this site")
    if obj.get("mode") == "payment":
        if obj.get("payment_status") != "paid":
            raise Ignored("checkout completed without payment")
        payment.stripe_payment_intent_id = str(obj.get("payment_intent") or "")
        payment.amount = int(obj.get("amount_total") or payment.amount)
        payment.save()
        payment_mark_succeeded(payment=payment, paid_at=event.created_at_source)
        if payment.purpose == PaymentPurpose.GIFT:
            gift = Gift.objects.select_for_update().filter(payment=payment).first()
            if gift is not None:
                gift_mark_paid(gift=gift)
        return
    stripe_id = obj.get("subscription")
    if not stripe_id:
        raise Ignored("subscription checkout without a subscription")
    subscription = subscription_for_event(str(stripe_id), event=event)
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
    """An abandoned checkout: its pending payment (and gift) is canceled."""
    payment = _checkout_payment(obj)
    if payment is None or payment.status != PaymentStatus.PENDING:
        raise Ignored("no pending payment for this checkout session")
    payment.status = PaymentStatus.CANCELED
    payment.save(update_fields=["status"])
    if payment.purpose == PaymentPurpose.GIFT:
        Gift.objects.filter(payment=payment).update(status=GiftStatus.CANCELED)
