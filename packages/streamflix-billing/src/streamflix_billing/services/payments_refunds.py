"""Money that moved: marking payments paid, refunding them, keeping refunded totals right."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from streamflix_core.errors import Conflict, InvalidInput, NotFound

from ..gateway import DevelopmentGateway, Gateway, get_gateway
from ..models import PAID_STATUSES, EventKind, Payment, PaymentStatus, Refund, RefundStatus
from .gifts import gift_follow_refunds
from .promotions import promo_code_redeem
from .subscriptions import subscription_event_record


def payment_mark_succeeded(*, payment: Payment, paid_at: datetime) -> bool:
    """Mark ``payment`` paid and count its promo code; ``False`` when it already was."""
    if payment.status != PaymentStatus.PENDING and payment.status != PaymentStatus.FAILED:
        return False
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = paid_at
    payment.save()
    if payment.promo_code_id:
        promo_code_redeem(promo=payment.promo_code)  # type: ignore[arg-type]
    return True


def payment_amount_refunded_update(payment: Payment, *, floor: int = 0) -> None:
    """Recompute what was refunded of ``payment`` from its refunds (never lower than ``floor``)."""
    counted = sum(
        r.amount
        for r in payment.refunds.all()
        if r.status in (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
    )
    payment.amount_refunded = min(payment.amount, max(counted, floor))
    if payment.status in PAID_STATUSES:
        if payment.amount_refunded >= payment.amount:
            payment.status = PaymentStatus.REFUNDED
        elif payment.amount_refunded:
            payment.status = PaymentStatus.PARTIALLY_REFUNDED
        else:
            payment.status = PaymentStatus.SUCCEEDED
    payment.save(update_fields=["amount_refunded", "status"])
    gift_follow_refunds(payment=payment)


def payment_refund(
    *, payment_id: int, amount: int | None = None, reason: str = "", requested_by: Any = None
) -> Refund:
    """Refund ``amount`` (default: all that is left) of a payment through its gateway.

    404 ``payment_not_found``; 409 ``not_refundable`` or ``refund_exceeds_payment``; 422
    ``invalid_amount`` for an amount below 1. A gateway error writes nothing.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise NotFound("No such payment.", code="payment_not_found")
        refundable = payment.refundable_amount
        if refundable <= 0:
            raise Conflict("Nothing of this payment can be refunded.", code="not_refundable")
        amount = refundable if amount is None else amount
        if amount <= 0:
            raise InvalidInput("The refund amount must be positive.", code="invalid_amount")
        if amount > refundable:
            raise Conflict(
                f"At most {refundable} can still be refunded.", code="refund_exceeds_payment"
            )
        result = _gateway_of(payment).refund_create(
            payment=payment,
            amount=amount,
            idempotency_key=f"streamflix-refund-{payment.pk}-{payment.amount_refunded}-{amount}",
        )
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            requested_by=requested_by if getattr(requested_by, "pk", None) else None,
            status=refund_status_for(result.status),
            stripe_refund_id=result.id,
        )
        payment_amount_refunded_update(payment)
        if payment.subscription_id:
            subscription_event_record(
                subscription=payment.subscription,  # type: ignore[arg-type]
                kind=EventKind.REFUNDED,
                source="staff",
                data={"payment_id": payment.pk, "amount": amount, "refund_id": refund.pk},
            )
    return refund


def _gateway_of(payment: Payment) -> Gateway:
    """The gateway that took ``payment``: Stripe, or the local one for everything else."""
    return get_gateway() if payment.gateway == "stripe" else DevelopmentGateway()


def refund_status_for(provider_status: str) -> str:
    """Our :class:`RefundStatus` for a refund status the provider reports."""
    if provider_status in RefundStatus.values:
        return provider_status
    if provider_status == "requires_action":
        return RefundStatus.PENDING
    return RefundStatus.FAILED
