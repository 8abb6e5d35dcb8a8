"""``charge.refunded`` and ``refund.updated``: refunds mirrored by their Stripe id."""

from __future__ import annotations

from typing import Any

from ..models import EventKind, Payment, Refund, WebhookEvent
from ..services.payments_refunds import payment_amount_refunded_update, refund_status_for
from ..services.subscriptions import subscription_event_record
from .handling import Ignored


def _refund_upsert(data: dict[str, Any], payment: Payment) -> tuple[Refund, bool]:
    refund = Refund.objects.filter(stripe_refund_id=data["id"]).first()
    status = refund_status_for(str(data.get("status") or "pending"))
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
    """Mirror a charge's refunds and the payment's refunded amount."""
    payment = _payment_by_intent(obj.get("payment_intent"))
    before = payment.amount_refunded
    for data in (obj.get("refunds") or {}).get("data") or []:
        _refund_upsert(data, payment)
    payment_amount_refunded_update(payment, floor=int(obj.get("amount_refunded") or 0))
    if payment.amount_refunded > before and payment.subscription_id:
        subscription_event_record(
            subscription=payment.subscription,  # type: ignore[arg-type]
            kind=EventKind.REFUNDED,
            source=event.event_id,
            occurred_at=event.created_at_source,
            data={"payment_id": payment.pk, "amount": payment.amount_refunded - before},
        )


def on_refund_updated(obj: dict[str, Any], event: WebhookEvent) -> None:
    """Mirror one refund's new status on its payment."""
    payment = _payment_by_intent(obj.get("payment_intent"))
    _refund_upsert(obj, payment)
    payment_amount_refunded_update(payment)
