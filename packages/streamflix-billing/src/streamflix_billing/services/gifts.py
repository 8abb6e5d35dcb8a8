"""Gift subscriptions: buy months of a plan for an address; the recipient redeems a code."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from streamflix_core.emails import queue_email
from streamflix_core.errors import Conflict, InvalidInput, NotFound

from ..conf import settings
from ..gateway import CheckoutSession, get_gateway
from ..models import Gift, GiftStatus, Payment, PaymentPurpose, PaymentStatus, Subscription
from .checkout import checkout_session_open
from .customers import customer_ensure
from .plans import plan_on_sale
from .subscriptions import subscription_start_local


def _gift_code() -> str:
    return "GIFT-" + "-".join(secrets.token_hex(2).upper() for _ in range(3))


def gift_purchase(
    *, user: Any, plan_slug: str, months: int, recipient_email: str
) -> CheckoutSession:
    """Open a one-off checkout for ``months`` of ``plan_slug`` as a gift to an address.

    404 ``plan_not_found``; 422 ``invalid_months`` beyond ``GIFT_MAX_MONTHS``.
    """
    plan = plan_on_sale(slug=plan_slug)
    config = settings()
    if not 1 <= months <= config.GIFT_MAX_MONTHS:
        raise InvalidInput(
            f"A gift is 1 to {config.GIFT_MAX_MONTHS} months.", code="invalid_months"
        )
    gateway = get_gateway()
    customer = customer_ensure(user=user, gateway=gateway)
    with transaction.atomic():
        payment = Payment.objects.create(
            user=user,
            plan=plan,
            purpose=PaymentPurpose.GIFT,
            amount=plan.monthly_amount * months,
            currency=plan.currency,
            gateway=gateway.name,
            description=f"Gift: {months} month(s) of {plan.name}",
        )
        gift = Gift.objects.create(
            code=_gift_code(),
            plan=plan,
            months=months,
            recipient_email=recipient_email,
            purchaser=user,
            payment=payment,
        )
        return checkout_session_open(
            gateway=gateway,
            customer=customer,
            payment=payment,
            plan=plan,
            promo=None,
            mode="payment",
            metadata={"gift_id": gift.pk},
        )


def gift_mark_paid(*, gift: Gift) -> Gift:
    """The gift's payment succeeded: make the code redeemable and tell the recipient."""
    if gift.status != GiftStatus.PENDING_PAYMENT:
        return gift
    gift.status = GiftStatus.PAID
    gift.expires_at = timezone.now() + timedelta(days=settings().GIFT_CODE_VALID_DAYS)
    gift.save(update_fields=["status", "expires_at"])
    # Queued (after commit, retried on failure): a lost email would lose the gift.
    queue_email(
        to=gift.recipient_email,
        subject="You received a Streamflix gift",
        body=f"Someone gave you {gift.months} month(s) of Streamflix. Redeem code {gift.code} "
        "in your account.",
    )
    return gift


@transaction.atomic
def gift_redeem(*, user: Any, code: str) -> Subscription:
    """Redeem a paid gift code: a subscription for the gift's months, ending by itself.

    404 ``gift_not_found`` (unknown or unpaid); 409 ``gift_already_redeemed``,
    ``gift_refunded`` (its payment was refunded in full), ``gift_expired`` or
    ``already_subscribed``.
    """
    code = code.strip().upper()
    payment_id = Gift.objects.filter(code=code).values_list("payment_id", flat=True).first()
    # The payment is locked before the gift, the order a refund takes them in: a refund
    # racing this redemption either finishes first (and is seen) or waits for it.
    payment = (
        Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment_id is not None
        else None
    )
    gift = (
        Gift.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(code=code)
        .first()
    )
    if gift is None or gift.status in (GiftStatus.PENDING_PAYMENT, GiftStatus.CANCELED):
        raise NotFound("No such gift code.", code="gift_not_found")
    if gift.status == GiftStatus.REDEEMED:
        raise Conflict("This gift code was already redeemed.", code="gift_already_redeemed")
    if gift.status == GiftStatus.REFUNDED or (
        payment is not None and payment.status == PaymentStatus.REFUNDED
    ):
        raise Conflict(
            "This gift was refunded and can no longer be redeemed.", code="gift_refunded"
        )
    if gift.expires_at is not None and gift.expires_at <= timezone.now():
        raise Conflict("This gift code has expired.", code="gift_expired")
    subscription = subscription_start_local(
        user=user, plan=gift.plan, source=f"gift:{gift.pk}", months=gift.months, gateway="gift"
    )
    gift.status = GiftStatus.REDEEMED
    gift.redeemed_by = user
    gift.redeemed_at = timezone.now()
    gift.save(update_fields=["status", "redeemed_by", "redeemed_at"])
    return subscription


def gift_follow_refunds(*, payment: Payment) -> None:
    """Keep an unredeemed gift in step with its payment: refunded in full, it can no longer
    be redeemed (``refunded``); a full refund that failed makes it redeemable again.

    A gift already redeemed is left as it is, with the subscription it started.
    """
    if payment.purpose != PaymentPurpose.GIFT:
        return
    if payment.status == PaymentStatus.REFUNDED:
        Gift.objects.filter(payment=payment, status=GiftStatus.PAID).update(
            status=GiftStatus.REFUNDED
        )
    elif payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        Gift.objects.filter(payment=payment, status=GiftStatus.REFUNDED).update(
            status=GiftStatus.PAID
        )
