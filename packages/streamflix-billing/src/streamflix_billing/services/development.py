"""The development gateway's side of the flow: simulated checkouts and scheduled renewals.

They run the same internal steps as Stripe's ``checkout.session.completed`` and
``invoice.paid`` webhooks, so the demo exercises the real services without an account.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from streamflix_core.errors import NotFound

from ..models import (
    EventKind,
    Gift,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
)
from .gifts import gift_mark_paid
from .payments_refunds import payment_mark_succeeded
from .plans import period_end_after
from .subscriptions import (
    subscription_announce,
    subscription_event_record,
    subscription_start_local,
)

RENEWABLE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)


@transaction.atomic
def development_checkout_complete(*, session_id: str, succeed: bool) -> Payment:
    """Finish a simulated checkout: pay (start the subscription or the gift) or decline.

    Runs the same internal steps a Stripe ``checkout.session.completed`` and
    ``invoice.paid`` would. Completing twice changes nothing. 404 ``checkout_not_found``.
    """
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("plan", "promo_code")
        .filter(stripe_checkout_session_id=session_id, gateway="development")
        .first()
    )
    if payment is None:
        raise NotFound("No such checkout.", code="checkout_not_found")
    if payment.status != PaymentStatus.PENDING:
        return payment
    if not succeed or (payment.user_id is None and payment.purpose != PaymentPurpose.GIFT):
        # The payer's account was deleted meanwhile: there is nobody to subscribe.
        payment.status = PaymentStatus.CANCELED if succeed else PaymentStatus.FAILED
        payment.save(update_fields=["status"])
        return payment
    now = timezone.now()
    if payment.purpose == PaymentPurpose.GIFT:
        payment_mark_succeeded(payment=payment, paid_at=now)
        gift_mark_paid(gift=Gift.objects.select_for_update().get(payment=payment))
        return payment
    assert payment.plan is not None
    subscription = subscription_start_local(
        user=payment.user, plan=payment.plan, source="development"
    )
    payment.subscription = subscription
    payment.metadata = {**payment.metadata, "subscription_id": subscription.pk}
    payment_mark_succeeded(payment=payment, paid_at=now)
    subscription_event_record(
        subscription=subscription,
        kind=EventKind.PAYMENT_SUCCEEDED,
        source="development",
        data={"payment_id": payment.pk, "amount": payment.amount},
    )
    return payment


@transaction.atomic
def subscription_renew_local(*, subscription_id: int) -> Subscription:
    """Renew a development-gateway subscription whose period ended: a payment, a new period.

    Anything else (another gateway, set to end, not yet due) is returned unchanged.
    """
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=subscription_id)
    )
    now = timezone.now()
    if (
        subscription.gateway != "development"
        or subscription.cancel_at_period_end
        or subscription.status not in RENEWABLE_STATUSES
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
    subscription_announce(subscription)
    return subscription


def subscriptions_renew_local() -> int:
    """Renew every due development-gateway subscription (the renewals schedule)."""
    due = Subscription.objects.filter(
        gateway="development",
        cancel_at_period_end=False,
        status__in=RENEWABLE_STATUSES,
        current_period_end__lte=timezone.now(),
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        subscription_renew_local(subscription_id=pk)
        count += 1
    return count
