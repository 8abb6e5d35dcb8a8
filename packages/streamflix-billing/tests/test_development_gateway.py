from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from streamflix_billing import services, tasks
from streamflix_billing.models import (
    EventKind,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
)
from streamflix_core.hooks import PlaybackRequest, decide_playback

pytestmark = pytest.mark.django_db


def start_checkout(client: Any, user: Any, auth: Any, plan: str = "standard") -> str:
    response = client.post(
        "/api/billing/checkout", {"plan": plan}, content_type="application/json", **auth(user)
    )
    assert response.status_code == 200
    return response.json()["url"]


def test_subscribe_end_to_end_without_any_account(client, user, auth, plans):
    assert not decide_playback(PlaybackRequest(user=user)).allowed

    url = start_checkout(client, user, auth)
    page = client.get(url)
    assert page.status_code == 200
    assert b"Development gateway" in page.content and b"$12.99" in page.content

    paid = client.post(url, {"outcome": "pay"})
    assert paid.status_code == 302
    assert paid["Location"] == "http://localhost:8000/?checkout=success"

    subscription = Subscription.objects.get(user=user)
    assert (subscription.status, subscription.gateway) == ("active", "development")
    assert subscription.current_period_end > timezone.now() + timedelta(days=27)
    payment = Payment.objects.get()
    assert (payment.status, payment.subscription) == (PaymentStatus.SUCCEEDED, subscription)
    kinds = set(subscription.events.values_list("kind", flat=True))
    assert kinds == {EventKind.CREATED, EventKind.PAYMENT_SUCCEEDED}

    decision = decide_playback(PlaybackRequest(user=user))
    assert decision.allowed
    assert (decision.max_video_height, decision.max_concurrent_streams) == (1080, 2)
    me = client.get("/api/billing/me/subscription", **auth(user)).json()
    assert me["plan"]["slug"] == "standard" and me["gateway"] == "development"

    # Paying the same checkout twice changes nothing.
    again = client.post(url, {"outcome": "pay"})
    assert again.status_code == 302
    assert b"This checkout is succeeded" in client.get(url).content
    assert Payment.objects.count() == 1 and Subscription.objects.count() == 1


def test_declined_payment_starts_nothing(client, user, auth, plans):
    url = start_checkout(client, user, auth)
    declined = client.post(url, {"outcome": "decline"})
    assert declined["Location"] == "http://localhost:8000/?checkout=cancel"
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert not Subscription.objects.exists()


def test_bad_outcome_and_unknown_session(client, user, auth, plans):
    url = start_checkout(client, user, auth)
    assert client.post(url, {"outcome": "maybe"}).status_code == 400
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert client.get("/billing/dev/checkout/dev_cs_nope/").status_code == 404


def test_pages_are_gone_when_stripe_is_configured(client, user, auth, plans, stripe_mode):
    stripe_mode.STREAMFLIX_BILLING = {**stripe_mode.STREAMFLIX_BILLING, "GATEWAY": "development"}
    url = start_checkout(client, user, auth)
    stripe_mode.STREAMFLIX_BILLING = {**stripe_mode.STREAMFLIX_BILLING, "GATEWAY": "auto"}
    assert client.get(url).status_code == 404


def test_renewals_run_on_the_schedule(client, user, auth, plans):
    client.post(start_checkout(client, user, auth), {"outcome": "pay"})
    subscription = Subscription.objects.get()
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_start=timezone.now() - timedelta(days=31),
        current_period_end=timezone.now() - timedelta(minutes=1),
    )
    assert tasks.development_renewals() == 1
    assert tasks.development_renewals() == 0
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_end > timezone.now() + timedelta(days=27)
    renewal = Payment.objects.get(purpose=PaymentPurpose.RENEWAL)
    assert (renewal.amount, renewal.status) == (1299, PaymentStatus.SUCCEEDED)
    assert subscription.events.filter(kind=EventKind.RENEWED).count() == 1


def test_canceled_subscription_expires_on_the_schedule(client, user, auth, plans):
    client.post(start_checkout(client, user, auth, plan="basic"), {"outcome": "pay"})
    services.subscription_cancel(user=user)
    Subscription.objects.update(current_period_end=timezone.now() - timedelta(minutes=1))
    assert tasks.development_renewals() == 0
    assert decide_playback(PlaybackRequest(user=user)).reason == "expired"
    assert tasks.subscriptions_expire() == 1
    assert tasks.subscriptions_expire() == 0
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.EXPIRED
    assert subscription.events.filter(kind=EventKind.EXPIRED).count() == 1
    # Once expired the user may subscribe again.
    assert start_checkout(client, user, auth).startswith("/billing/dev/checkout/")


def test_stripe_subscriptions_get_grace_before_expiry(user, plans, stripe_mode):
    now = timezone.now()
    Subscription.objects.create(
        user=user,
        plan=plans["basic"],
        status=SubscriptionStatus.ACTIVE,
        current_period_start=now - timedelta(days=31),
        current_period_end=now - timedelta(days=1),
        gateway="stripe",
        stripe_subscription_id="sub_late",
    )
    assert services.subscriptions_expire() == 0
    assert services.subscriptions_expire(now=now + timedelta(days=3)) == 1


def test_schedules_are_declared():
    from streamflix_billing.plugin import plugin

    funcs = {s.func for s in plugin.schedules}
    assert funcs == {
        "streamflix_billing.tasks.subscriptions_expire",
        "streamflix_billing.tasks.development_renewals",
    }
