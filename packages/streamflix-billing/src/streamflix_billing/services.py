"""Billing writes. Keyword-only, named ``<thing>_<action>``, transactional.

A call to the payment gateway happens inside the transaction that records its result, so
a gateway error rolls back everything the call would have written. The one exception is the
customer mapping (:func:`customer_ensure`), which is true as soon as the provider has the
customer and is kept so a retry reuses it.
"""

from __future__ import annotations

import calendar
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from streamflix_core import signals
from streamflix_core.api.errors import ApiError, Conflict, NotFound

from .conf import settings
from .gateway import CheckoutSession, Gateway, get_gateway
from .models import (
    LIVE_STATUSES,
    Customer,
    EventKind,
    Gift,
    GiftStatus,
    Interval,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Plan,
    PromoCode,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionEvent,
    SubscriptionStatus,
)

logger = logging.getLogger(__name__)

ENTITLED_STATUSES = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.PAST_DUE,
)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, clamped to the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def period_end_after(start: datetime, plan: Plan) -> datetime:
    return add_months(start, 12 if plan.interval == Interval.YEAR else 1)


def subscription_event_record(
    *,
    subscription: Subscription,
    kind: str,
    source: str,
    occurred_at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> SubscriptionEvent:
    """Append one entry to a subscription's history."""
    return SubscriptionEvent.objects.create(
        subscription=subscription,
        kind=kind,
        source=source,
        occurred_at=occurred_at or timezone.now(),
        data=data or {},
    )


def _announce(subscription: Subscription) -> None:
    """Send ``subscription_changed`` once the surrounding transaction commits."""
    user_id, status, slug = subscription.user_id, subscription.status, subscription.plan.slug

    def send() -> None:
        signals.subscription_changed.send_robust(
            sender=Subscription, user_id=user_id, status=status, plan_slug=slug
        )

    transaction.on_commit(send)


def customer_ensure(*, user: Any, gateway: Gateway | None = None) -> Customer:
    """The user's gateway customer, created at the provider (idempotently) when missing."""
    gateway = gateway or get_gateway()
    existing = Customer.objects.filter(user=user).first()
    if existing is not None and _customer_matches(existing, gateway):
        return existing
    customer_id = gateway.customer_ensure(user=user)
    customer, _ = Customer.objects.update_or_create(
        user=user, defaults={"stripe_customer_id": customer_id}
    )
    return customer


def _customer_matches(customer: Customer, gateway: Gateway) -> bool:
    is_dev = customer.stripe_customer_id.startswith("dev_")
    return is_dev == (gateway.name == "development")


def promo_code_validate(*, code: str, plan: Plan | None = None) -> PromoCode:
    """The usable promo code ``code`` (case-insensitive), or a 422 ``promo_code_invalid``."""
    promo = PromoCode.objects.filter(code=code.strip().upper()).first()
    reason = None
    if promo is None or not promo.is_active:
        reason = "Unknown promo code."
    elif promo.expires_at is not None and promo.expires_at <= timezone.now():
        reason = "This promo code has expired."
    elif promo.max_redemptions is not None and promo.times_redeemed >= promo.max_redemptions:
        reason = "This promo code has been used up."
    elif (
        plan is not None
        and promo.amount_off is not None
        and promo.currency
        and promo.currency != plan.currency
    ):
        reason = "This promo code is for another currency."
    if reason or promo is None:
        raise ApiError(reason or "Unknown promo code.", code="promo_code_invalid", status=422)
    return promo


def _promo_redeem(promo: PromoCode) -> None:
    """Count one redemption, refusing to pass ``max_redemptions`` even under concurrency."""
    updated = (
        PromoCode.objects.filter(pk=promo.pk)
        .filter(Q(max_redemptions__isnull=True) | Q(times_redeemed__lt=F("max_redemptions")))
        .update(times_redeemed=F("times_redeemed") + 1)
    )
    if not updated:
        logger.warning("Promo code %s redeemed past its maximum by a completed payment", promo.code)


def promo_code_create(
    *,
    code: str,
    percent_off: int | None = None,
    amount_off: int | None = None,
    currency: str = "",
    max_redemptions: int | None = None,
    expires_at: datetime | None = None,
) -> PromoCode:
    """Create a promo code and, with Stripe, its coupon and promotion code."""
    if (percent_off is None) == (amount_off is None):
        raise ApiError("Give exactly one of percent_off and amount_off.", status=422)
    if percent_off is not None and not 1 <= percent_off <= 100:
        raise ApiError("percent_off must be between 1 and 100.", status=422)
    code = code.strip().upper()
    if PromoCode.objects.filter(code=code).exists():
        raise Conflict("This promo code already exists.", code="promo_code_exists")
    with transaction.atomic():
        promo = PromoCode.objects.create(
            code=code,
            percent_off=percent_off,
            amount_off=amount_off,
            currency=currency.lower() if amount_off is not None else "",
            max_redemptions=max_redemptions,
            expires_at=expires_at,
        )
        promo_code_sync(promo=promo)
    return promo


def promo_code_sync(*, promo: PromoCode) -> None:
    """Create the Stripe coupon and promotion code of ``promo`` when missing."""
    if promo.stripe_promotion_code_id:
        return
    coupon_id, promotion_code_id = get_gateway().promotion_code_create(promo=promo)
    if promotion_code_id:
        promo.stripe_coupon_id, promo.stripe_promotion_code_id = coupon_id, promotion_code_id
        promo.save(update_fields=["stripe_coupon_id", "stripe_promotion_code_id"])


def subscription_live_for(user: Any) -> Subscription | None:
    return (
        Subscription.objects.select_related("plan")
        .filter(user=user, status__in=LIVE_STATUSES)
        .first()
    )


def checkout_start(*, user: Any, plan_slug: str, promo_code: str | None = None) -> CheckoutSession:
    """Open a checkout for ``plan_slug``; the return URLs come from the settings.

    A pending :class:`Payment` is written in the same transaction as the gateway call, so a
    provider outage leaves no trace but the customer mapping.
    """
    plan = Plan.objects.filter(slug=plan_slug, is_active=True).first()
    if plan is None:
        raise NotFound("No such plan.", code="plan_not_found")
    live = subscription_live_for(user)
    if live is not None and live.status in ENTITLED_STATUSES:
        raise Conflict(
            "You already have a subscription; change its plan instead.",
            code="already_subscribed",
        )
    promo = promo_code_validate(code=promo_code, plan=plan) if promo_code else None
    gateway = get_gateway()
    if gateway.name == "stripe" and not plan.stripe_price_id:
        raise Conflict("This plan is not on sale yet.", code="plan_not_purchasable")
    customer = customer_ensure(user=user, gateway=gateway)
    amount = promo.discounted(plan.price_amount) if promo else plan.price_amount
    with transaction.atomic():
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
        payment.metadata = {
            "user_id": user.pk,
            "payment_id": payment.pk,
            "plan": plan.slug,
            **({"promo_code": promo.code} if promo else {}),
        }
        session = gateway.checkout_session_create(
            customer_id=customer.stripe_customer_id,
            payment=payment,
            plan=plan,
            promo=promo,
            mode="subscription",
        )
        payment.stripe_checkout_session_id = session.id
        payment.save(update_fields=["metadata", "stripe_checkout_session_id"])
    return session


def portal_session_create(*, user: Any) -> str:
    """A customer-portal URL for ``user`` (409 ``no_customer`` before any checkout)."""
    customer = Customer.objects.filter(user=user).first()
    if customer is None:
        raise Conflict("You have no billing account yet.", code="no_customer")
    return get_gateway().portal_session_create(customer_id=customer.stripe_customer_id)


def _payment_succeed(payment: Payment, *, paid_at: datetime) -> bool:
    """Mark ``payment`` paid; ``False`` when it already was (nothing to do again)."""
    if payment.status != PaymentStatus.PENDING and payment.status != PaymentStatus.FAILED:
        return False
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = paid_at
    payment.save()
    if payment.promo_code_id:
        _promo_redeem(payment.promo_code)  # type: ignore[arg-type]
    return True


def subscription_start_local(
    *, user: Any, plan: Plan, source: str, months: int | None = None, gateway: str = "development"
) -> Subscription:
    """Start a subscription this site manages itself (development gateway or a gift)."""
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
    _announce(subscription)
    return subscription


@transaction.atomic
def development_checkout_complete(*, session_id: str, succeed: bool) -> Payment:
    """Finish a simulated checkout: pay (start the subscription or the gift) or decline.

    Runs the same internal steps a Stripe ``checkout.session.completed`` and
    ``invoice.paid`` would. Completing twice changes nothing.
    """
    payment = (
        Payment.objects.select_for_update()
        .select_related("plan", "promo_code")
        .filter(stripe_checkout_session_id=session_id, gateway="development")
        .first()
    )
    if payment is None:
        raise NotFound("No such checkout.", code="checkout_not_found")
    if payment.status != PaymentStatus.PENDING:
        return payment
    if not succeed:
        payment.status = PaymentStatus.FAILED
        payment.save(update_fields=["status"])
        return payment
    now = timezone.now()
    if payment.purpose == PaymentPurpose.GIFT:
        _payment_succeed(payment, paid_at=now)
        gift_mark_paid(gift=Gift.objects.select_for_update().get(payment=payment))
        return payment
    assert payment.plan is not None
    subscription = subscription_start_local(
        user=payment.user, plan=payment.plan, source="development"
    )
    payment.subscription = subscription
    payment.metadata = {**payment.metadata, "subscription_id": subscription.pk}
    _payment_succeed(payment, paid_at=now)
    subscription_event_record(
        subscription=subscription,
        kind=EventKind.PAYMENT_SUCCEEDED,
        source="development",
        data={"payment_id": payment.pk, "amount": payment.amount},
    )
    return payment


@transaction.atomic
def subscription_renew_local(*, subscription_id: int) -> Subscription:
    """Renew a development-gateway subscription whose period ended: a payment, a new period."""
    subscription = (
        Subscription.objects.select_for_update().select_related("plan").get(pk=subscription_id)
    )
    now = timezone.now()
    if (
        subscription.gateway != "development"
        or subscription.cancel_at_period_end
        or subscription.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)
        or subscription.current_period_end > now
    ):
        return subscription
    plan = subscription.plan
    payment = Payment.objects.create(
        user_id=subscription.user_id,
        subscription=subscription,
        plan=plan,
        purpose=PaymentPurpose.RENEWAL,
        amount=plan.price_amount,
        currency=plan.currency,
        gateway="development",
        status=PaymentStatus.SUCCEEDED,
        paid_at=now,
        description=f"{plan.name} renewal",
        metadata={"user_id": subscription.user_id, "subscription_id": subscription.pk},
    )
    start = subscription.current_period_end
    end = period_end_after(start, plan)
    while end <= now:
        start, end = end, period_end_after(end, plan)
    subscription.current_period_start, subscription.current_period_end = start, end
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.save()
    subscription_event_record(
        subscription=subscription,
        kind=EventKind.RENEWED,
        source="development",
        data={"payment_id": payment.pk, "period_end": end.isoformat()},
    )
    _announce(subscription)
    return subscription


def subscriptions_renew_local() -> int:
    """Renew every due development-gateway subscription (the renewals schedule)."""
    due = Subscription.objects.filter(
        gateway="development",
        cancel_at_period_end=False,
        status__in=(SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING),
        current_period_end__lte=timezone.now(),
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        subscription_renew_local(subscription_id=pk)
        count += 1
    return count


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
                Subscription.objects.select_for_update().select_related("plan").get(pk=pk)
            )
            if subscription.status in (SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED):
                continue
            subscription.status = SubscriptionStatus.EXPIRED
            subscription.ended_at = now
            subscription.save()
            subscription_event_record(
                subscription=subscription, kind=EventKind.EXPIRED, source="schedule"
            )
            _announce(subscription)
            count += 1
    return count


def _my_subscription(user: Any) -> Subscription:
    subscription = subscription_live_for(user)
    if subscription is None:
        raise NotFound("You have no subscription.", code="no_subscription")
    return subscription


def subscription_cancel(*, user: Any) -> Subscription:
    """Cancel the user's subscription at the end of the paid period."""
    with transaction.atomic():
        subscription = _my_subscription(user)
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.cancel_at_period_end:
            raise Conflict("The subscription is already set to end.", code="already_canceled")
        if subscription.gateway == "stripe":
            get_gateway().subscription_set_cancel_at_period_end(
                subscription=subscription, cancel=True
            )
        subscription.cancel_at_period_end = True
        subscription.canceled_at = timezone.now()
        subscription.save()
        subscription_event_record(
            subscription=subscription,
            kind=EventKind.CANCELED,
            source="api",
            data={"at_period_end": True},
        )
        _announce(subscription)
    return subscription


def subscription_resume(*, user: Any) -> Subscription:
    """Undo a cancellation at period end while the period runs."""
    with transaction.atomic():
        subscription = _my_subscription(user)
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
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
        subscription.save()
        subscription_event_record(subscription=subscription, kind=EventKind.RESUMED, source="api")
        _announce(subscription)
    return subscription


def subscription_change_plan(*, user: Any, plan_slug: str) -> Subscription:
    """Move the user's subscription to another plan (Stripe prorates)."""
    plan = Plan.objects.filter(slug=plan_slug, is_active=True).first()
    if plan is None:
        raise NotFound("No such plan.", code="plan_not_found")
    with transaction.atomic():
        subscription = _my_subscription(user)
        subscription = (
            Subscription.objects.select_for_update().select_related("plan").get(pk=subscription.pk)
        )
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
        subscription.save()
        subscription_event_record(
            subscription=subscription,
            kind=EventKind.PLAN_CHANGED,
            source="api",
            data={"from": previous, "to": plan.slug},
        )
        _announce(subscription)
    return subscription


def payment_amount_refunded_update(payment: Payment, *, floor: int = 0) -> None:
    """Recompute what was refunded of ``payment`` from its refunds (never lower than ``floor``)."""
    counted = sum(
        r.amount
        for r in payment.refunds.all()
        if r.status in (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
    )
    payment.amount_refunded = min(payment.amount, max(counted, floor))
    if payment.status in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.PARTIALLY_REFUNDED,
        PaymentStatus.REFUNDED,
    ):
        if payment.amount_refunded >= payment.amount:
            payment.status = PaymentStatus.REFUNDED
        elif payment.amount_refunded:
            payment.status = PaymentStatus.PARTIALLY_REFUNDED
        else:
            payment.status = PaymentStatus.SUCCEEDED
    payment.save(update_fields=["amount_refunded", "status"])


def payment_refund(
    *, payment_id: int, amount: int | None = None, reason: str = "", requested_by: Any = None
) -> Refund:
    """Refund ``amount`` (default: all that is left) of a payment through its gateway."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise NotFound("No such payment.", code="payment_not_found")
        refundable = payment.refundable_amount
        if refundable <= 0:
            raise Conflict("Nothing of this payment can be refunded.", code="not_refundable")
        amount = refundable if amount is None else amount
        if amount <= 0:
            raise ApiError("The refund amount must be positive.", status=422)
        if amount > refundable:
            raise Conflict(
                f"At most {refundable} can still be refunded.", code="refund_exceeds_payment"
            )
        gateway = get_gateway() if payment.gateway == "stripe" else _development()
        result = gateway.refund_create(
            payment=payment,
            amount=amount,
            idempotency_key=f"streamflix-refund-{payment.pk}-{payment.amount_refunded}-{amount}",
        )
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            requested_by=requested_by if getattr(requested_by, "pk", None) else None,
            status=_refund_status(result.status),
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


def _development() -> Gateway:
    from .gateway import DevelopmentGateway

    return DevelopmentGateway()


def _refund_status(status: str) -> str:
    if status in RefundStatus.values:
        return status
    if status == "requires_action":
        return RefundStatus.PENDING
    return RefundStatus.FAILED


def _gift_code() -> str:
    return "GIFT-" + "-".join(secrets.token_hex(2).upper() for _ in range(3))


def gift_purchase(
    *, user: Any, plan_slug: str, months: int, recipient_email: str
) -> CheckoutSession:
    """Open a one-off checkout for ``months`` of ``plan_slug`` as a gift to an address."""
    plan = Plan.objects.filter(slug=plan_slug, is_active=True).first()
    if plan is None:
        raise NotFound("No such plan.", code="plan_not_found")
    config = settings()
    if not 1 <= months <= config.GIFT_MAX_MONTHS:
        raise ApiError(
            f"A gift is 1 to {config.GIFT_MAX_MONTHS} months.", code="invalid_months", status=422
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
        payment.metadata = {"user_id": user.pk, "payment_id": payment.pk, "gift_id": gift.pk}
        session = gateway.checkout_session_create(
            customer_id=customer.stripe_customer_id,
            payment=payment,
            plan=plan,
            promo=None,
            mode="payment",
        )
        payment.stripe_checkout_session_id = session.id
        payment.save(update_fields=["metadata", "stripe_checkout_session_id"])
    return session


def gift_mark_paid(*, gift: Gift) -> Gift:
    """The gift's payment succeeded: make the code redeemable and tell the recipient."""
    if gift.status != GiftStatus.PENDING_PAYMENT:
        return gift
    gift.status = GiftStatus.PAID
    gift.expires_at = timezone.now() + timedelta(days=settings().GIFT_CODE_VALID_DAYS)
    gift.save(update_fields=["status", "expires_at"])
    code, email, months = gift.code, gift.recipient_email, gift.months

    def notify() -> None:
        send_mail(
            "You received a Streamflix gift",
            f"Someone gave you {months} month(s) of Streamflix. Redeem code {code} in your "
            "account.",
            None,
            [email],
            fail_silently=True,
        )

    transaction.on_commit(notify)
    return gift


@transaction.atomic
def gift_redeem(*, user: Any, code: str) -> Subscription:
    """Redeem a paid gift code: a subscription for the gift's months, ending by itself."""
    gift = (
        Gift.objects.select_for_update()
        .select_related("plan")
        .filter(code=code.strip().upper())
        .first()
    )
    if gift is None or gift.status in (GiftStatus.PENDING_PAYMENT, GiftStatus.CANCELED):
        raise NotFound("No such gift code.", code="gift_not_found")
    if gift.status == GiftStatus.REDEEMED:
        raise Conflict("This gift code was already redeemed.", code="gift_already_redeemed")
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


def user_for_customer(customer_id: str, metadata: dict[str, Any]) -> Any:
    """The user a Stripe object belongs to: its ``user_id`` metadata, else the customer."""
    user_model: Any = get_user_model()
    user_id = (metadata or {}).get("user_id")
    if user_id:
        user = user_model.objects.filter(pk=user_id).first()
        if user is not None:
            return user
    customer = (
        Customer.objects.select_related("user").filter(stripe_customer_id=customer_id).first()
    )
    return customer.user if customer else None
