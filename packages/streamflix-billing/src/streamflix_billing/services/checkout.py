"""Opening a checkout: a pending payment and the gateway's session, written together.

The payment row and the gateway call share one transaction, so a provider outage leaves no
trace but the customer mapping (see :func:`.customers.customer_ensure`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from streamflix_core.errors import Conflict

from ..conf import settings
from ..gateway import CheckoutSession, Gateway, get_gateway
from ..models import Customer, Payment, PaymentPurpose, PaymentStatus, Plan, PromoCode
from .customers import customer_ensure
from .plans import plan_on_sale
from .promotions import promo_code_validate
from .subscriptions import ENTITLED_STATUSES, subscription_live_for


def checkout_start(*, user: Any, plan_slug: str, promo_code: str | None = None) -> CheckoutSession:
    """Open a checkout for ``plan_slug``; the return URLs come from the settings.

    404 ``plan_not_found``; 409 ``already_subscribed``, ``checkout_pending`` (see
    ``CHECKOUT_SESSION_MINUTES``), ``subscription_needs_attention`` (an
    incomplete or unpaid subscription exists) or ``plan_not_purchasable`` (no Stripe
    price); 422 ``promo_code_invalid``; a gateway error (402/400/502) writes nothing.
    """
    plan = plan_on_sale(slug=plan_slug)
    live = subscription_live_for(user)
    if live is not None and live.status in ENTITLED_STATUSES:
        raise Conflict(
            "You already have a subscription; change its plan instead.",
            code="already_subscribed",
        )
    if live is not None:
        # A second subscription could not be stored next to this one (one live per user).
        raise Conflict(
            f"Your subscription is {live.status}: settle its payment in the billing portal "
            "before starting a new one.",
            code="subscription_needs_attention",
        )
    promo = promo_code_validate(code=promo_code, plan=plan) if promo_code else None
    gateway = get_gateway()
    if gateway.name == "stripe" and not plan.stripe_price_id:
        raise Conflict("This plan is not on sale yet.", code="plan_not_purchasable")
    customer = customer_ensure(user=user, gateway=gateway)
    amount = promo.discounted(plan.price_amount) if promo else plan.price_amount
    with transaction.atomic():
        # The customer row serialises two checkouts of one user racing each other.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        _refuse_pending_checkout(user)
        payment = Payment.objects.create(
            user=user,
            plan=plan,
            promo_code=promo,
            purpose=PaymentPurpose.SUBSCRIPTION,
            amount=amount,
            currency=plan.currency,
            gateway=gateway.name,
            description=f"{plan.name} subscription",
        )
        return checkout_session_open(
            gateway=gateway,
            customer=customer,
            payment=payment,
            plan=plan,
            promo=promo,
            mode="subscription",
            metadata={"plan": plan.slug, **({"promo_code": promo.code} if promo else {})},
        )


def _refuse_pending_checkout(user: Any) -> None:
    """409 ``checkout_pending`` while a subscription checkout of ``user`` can still be paid:
    paying both would make two subscriptions (and the second could not be stored)."""
    since = timezone.now() - timedelta(minutes=settings().CHECKOUT_SESSION_MINUTES)
    pending = Payment.objects.filter(
        user=user,
        purpose=PaymentPurpose.SUBSCRIPTION,
        status=PaymentStatus.PENDING,
        created_at__gte=since,
    )
    if pending.exists():
        raise Conflict(
            "A checkout you started is still open: finish it, or wait until it expires "
            f"({settings().CHECKOUT_SESSION_MINUTES} minutes after it was opened).",
            code="checkout_pending",
        )


def checkout_session_open(
    *,
    gateway: Gateway,
    customer: Customer,
    payment: Payment,
    plan: Plan,
    promo: PromoCode | None,
    mode: str,
    metadata: dict[str, Any],
) -> CheckoutSession:
    """Open the gateway's checkout session for a pending ``payment`` and remember its id.

    Call it inside the transaction that created ``payment``. The payment's metadata (which
    Stripe carries back in webhooks) gets ``user_id`` and ``payment_id`` plus ``metadata``.
    """
    payment.metadata = {"user_id": payment.user_id, "payment_id": payment.pk, **metadata}
    session = gateway.checkout_session_create(
        customer_id=customer.stripe_customer_id or "",
        payment=payment,
        plan=plan,
        promo=promo,
        mode=mode,
    )
    payment.stripe_checkout_session_id = session.id
    payment.save(update_fields=["metadata", "stripe_checkout_session_id"])
    return session
