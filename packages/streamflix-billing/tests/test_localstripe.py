"""The Stripe gateway against a real localstripe server over HTTP (customers, subscriptions,
payment intents, refunds). Checkout, portal, prices and promotion codes are not covered by
localstripe; those sit behind the gateway class and are faked in the other test modules."""

from __future__ import annotations

import time
from typing import Any

import pytest
import stripe
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.gateway import StripeGateway
from streamflix_billing.models import (
    Customer,
    Payment,
    PaymentStatus,
    Refund,
    Subscription,
    SubscriptionStatus,
)
from streamflix_core.api.errors import status_for

pytestmark = pytest.mark.django_db


def sdk(base: str) -> Any:
    return stripe.StripeClient("sk_test_streamflix", base_addresses={"api": base}).v1


def stripe_payment(user: Any, *, intent_id: str, amount: int) -> Payment:
    """A succeeded Stripe payment of ``amount`` cents, paid through ``intent_id``."""
    return Payment.objects.create(
        user=user,
        amount=amount,
        currency="usd",
        status=PaymentStatus.SUCCEEDED,
        gateway="stripe",
        stripe_payment_intent_id=intent_id,
        paid_at=timezone.now(),
    )


def card_customer(api: Any, email: str) -> tuple[str, str]:
    customer = api.customers.create(params={"email": email})
    method = api.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"},
        }
    )
    api.payment_methods.attach(method.id, params={"customer": customer.id})
    api.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    return customer.id, method.id


def test_customer_is_created_once_and_mapped(localstripe, user):
    first = services.customer_ensure(user=user)
    again = services.customer_ensure(user=user)
    assert first.stripe_customer_id.startswith("cus_")
    assert again.pk == first.pk and Customer.objects.count() == 1
    remote = sdk(localstripe).customers.retrieve(first.stripe_customer_id)
    assert remote.email == user.email
    assert remote.metadata["user_id"] == str(user.pk)


def test_partial_and_full_refunds_through_stripe(localstripe, user, staff_user):
    api = sdk(localstripe)
    customer_id, method_id = card_customer(api, user.email)
    intent = api.payment_intents.create(
        params={
            "amount": 1299,
            "currency": "usd",
            "customer": customer_id,
            "payment_method": method_id,
            "confirm": True,
        }
    )
    assert intent.status == "succeeded"
    payment = stripe_payment(user, intent_id=intent.id, amount=1299)
    partial = services.payment_refund(payment_id=payment.pk, amount=300, requested_by=staff_user)
    assert partial.stripe_refund_id.startswith("re_") and partial.status == "succeeded"
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (300, PaymentStatus.PARTIALLY_REFUNDED)

    rest = services.payment_refund(payment_id=payment.pk)
    assert rest.amount == 999
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (1299, PaymentStatus.REFUNDED)
    remote = [api.refunds.retrieve(r.stripe_refund_id) for r in Refund.objects.all()]
    assert sorted(r.amount for r in remote) == [300, 999]
    assert all(r.payment_intent == intent.id for r in remote)


def test_refund_of_an_unknown_intent_is_a_clear_4xx(localstripe, user):
    payment = stripe_payment(user, intent_id="pi_does_not_exist", amount=500)
    from streamflix_core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        services.payment_refund(payment_id=payment.pk)
    assert (status_for(caught.value), caught.value.code) == (400, "payment_provider_rejected")
    payment.refresh_from_db()
    assert payment.amount_refunded == 0 and not Refund.objects.exists()


def test_subscription_lifecycle_against_localstripe(localstripe, user, plans, send_event):
    api = sdk(localstripe)
    customer_id, _ = card_customer(api, user.email)
    Customer.objects.create(user=user, stripe_customer_id=customer_id)
    product = api.products.create(params={"name": "Standard"})
    remote_plan = api.plans.create(
        params={"product": product.id, "amount": 1299, "currency": "usd", "interval": "month"}
    )
    plans["standard"].stripe_price_id = remote_plan.id
    plans["standard"].save()
    remote = api.subscriptions.create(
        params={"customer": customer_id, "items": [{"plan": remote_plan.id}]}
    )

    # Stripe tells us about it; the user is found through the customer mapping.
    created = int(time.time())
    send_event("customer.subscription.created", remote.to_dict(), created=created)
    subscription = Subscription.objects.get(stripe_subscription_id=remote.id)
    assert subscription.user == user and subscription.plan == plans["standard"]
    assert subscription.status == SubscriptionStatus.ACTIVE

    # Cancel at period end goes to Stripe, then locally.
    services.subscription_cancel(user=user)
    assert api.subscriptions.retrieve(remote.id).cancel_at_period_end is True
    services.subscription_resume(user=user)
    assert api.subscriptions.retrieve(remote.id).cancel_at_period_end is False

    # An event from the same second as our last change is in doubt: the real object is
    # re-fetched from Stripe (where it has been canceled meanwhile).
    api.subscriptions.cancel(remote.id)
    stale_copy = remote.to_dict()
    subscription.refresh_from_db()
    same_second = int(subscription.stripe_state_at.timestamp())
    send_event("customer.subscription.updated", stale_copy, created=same_second)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED


def test_gateway_retrieve_returns_plain_dicts(localstripe, user):
    api = sdk(localstripe)
    customer_id, _ = card_customer(api, user.email)
    product = api.products.create(params={"name": "Basic"})
    remote_plan = api.plans.create(
        params={"product": product.id, "amount": 799, "currency": "usd", "interval": "month"}
    )
    remote = api.subscriptions.create(
        params={"customer": customer_id, "items": [{"plan": remote_plan.id}]}
    )
    found = StripeGateway().subscription_retrieve(stripe_subscription_id=remote.id)
    assert isinstance(found, dict)
    assert found["items"]["data"][0]["plan"]["id"] == remote_plan.id


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (stripe.CardError("declined", None, "card_declined"), 402, "card_declined"),
        (stripe.InvalidRequestError("No such price", "price"), 400, "payment_provider_rejected"),
        (stripe.AuthenticationError("bad key"), 502, "payment_provider_misconfigured"),
        (stripe.RateLimitError("slow down"), 502, "payment_provider_unavailable"),
        (stripe.APIConnectionError("timed out"), 502, "payment_provider_unavailable"),
    ],
)
def test_stripe_errors_become_clear_api_errors(stripe_mode, error, status, code, caplog):
    from streamflix_core.errors import DomainError

    def fail(options: dict) -> None:
        raise error

    with pytest.raises(DomainError) as caught:
        StripeGateway()._call("test.call", fail)
    assert (status_for(caught.value), caught.value.code) == (status, code)
    assert "test.call" in caplog.text


def test_changing_plans_back_and_forth_sends_a_fresh_idempotency_key(user, plans, monkeypatch):
    # localstripe cannot update a subscription item's price, so the SDK call is captured.
    subscription = Subscription.objects.create(
        user=user,
        plan=plans["standard"],
        status=SubscriptionStatus.ACTIVE,
        stripe_subscription_id="sub_123",
        current_period_start=timezone.now(),
        current_period_end=timezone.now() + timezone.timedelta(days=30),
    )
    gateway = StripeGateway()
    monkeypatch.setattr(
        gateway, "subscription_retrieve", lambda **kw: {"items": {"data": [{"id": "si_1"}]}}
    )
    keys = []

    def update(sub_id, params, options):
        keys.append(options["idempotency_key"])
        return {"id": sub_id}

    monkeypatch.setattr(gateway.api.subscriptions, "update", update)
    for slug in ("premium", "standard", "premium"):
        gateway.subscription_change_plan(subscription=subscription, plan=plans[slug])
    assert len(set(keys)) == 3
