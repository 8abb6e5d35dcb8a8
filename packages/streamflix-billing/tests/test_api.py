from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
import stripe
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.gateway import StripeGateway
from streamflix_billing.models import (
    Customer,
    EventKind,
    Payment,
    PaymentStatus,
    Plan,
    Refund,
    Subscription,
    SubscriptionStatus,
)
from streamflix_core.api.errors import status_for
from streamflix_core.errors import DomainError, UpstreamFailed

from .conftest import post_json

pytestmark = pytest.mark.django_db


def subscribe(user: Any, plan: Plan, **fields: Any) -> Subscription:
    now = timezone.now()
    subscription = Subscription.objects.create(
        user=user,
        plan=plan,
        status=fields.pop("status", SubscriptionStatus.ACTIVE),
        current_period_start=now - timedelta(days=1),
        current_period_end=fields.pop("end", now + timedelta(days=29)),
        gateway=fields.pop("gateway", "development"),
        **fields,
    )
    services.subscription_event_record(subscription=subscription, kind="created", source="test")
    return subscription


def paid(user: Any, subscription: Subscription | None = None, amount: int = 1299) -> Payment:
    return Payment.objects.create(
        user=user,
        subscription=subscription,
        amount=amount,
        currency="usd",
        status=PaymentStatus.SUCCEEDED,
        gateway="development",
        paid_at=timezone.now(),
    )


class TestPlans:
    def test_lists_active_plans_cheapest_first(self, client, plans):
        Plan.objects.filter(slug="premium").update(is_active=False)
        body = client.get("/api/billing/plans").json()
        assert [p["slug"] for p in body] == ["basic", "standard"]
        assert body[0]["price_amount"] == 799 and body[0]["currency"] == "usd"
        assert body[1]["max_video_height"] == 1080

    def test_detail_and_404(self, client, plans):
        assert client.get("/api/billing/plans/standard").json()["max_concurrent_streams"] == 2
        missing = client.get("/api/billing/plans/nope")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "No such plan.", "code": "plan_not_found"}
        Plan.objects.filter(slug="basic").update(is_active=False)
        assert client.get("/api/billing/plans/basic").status_code == 404


class TestMySubscription:
    def test_requires_a_token(self, client):
        response = client.get("/api/billing/me/subscription")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_404_without_subscription(self, client, user, auth):
        response = client.get("/api/billing/me/subscription", **auth(user))
        assert response.status_code == 404
        assert response.json()["code"] == "no_subscription"

    def test_current_with_days_remaining(self, client, user, auth, plans):
        subscribe(user, plans["standard"])
        body = client.get("/api/billing/me/subscription", **auth(user)).json()
        assert body["status"] == "active"
        assert body["plan"]["slug"] == "standard"
        assert body["days_remaining"] in (29, 30)

    def test_history_is_paginated_with_bounded_queries(
        self, client, user, auth, plans, django_assert_max_num_queries
    ):
        subscription = subscribe(user, plans["standard"])
        for kind in ("payment_succeeded", "renewed", "plan_changed"):
            services.subscription_event_record(subscription=subscription, kind=kind, source="t")
        # One of these is the kids-profile check loading the session's profile.
        with django_assert_max_num_queries(5):
            body = client.get(
                "/api/billing/me/subscription/history?page_size=3", **auth(user)
            ).json()
        assert body["count"] == 4 and body["pages"] == 2 and len(body["items"]) == 3
        assert body["items"][0]["kind"] == "plan_changed"
        assert body["items"][0]["plan"] == "standard"

    def test_my_payments_only_mine(
        self, client, user, auth, make_user, django_assert_max_num_queries
    ):
        paid(user)
        paid(user, amount=500)
        paid(make_user())
        # One of these is the kids-profile check loading the session's profile.
        with django_assert_max_num_queries(5):
            body = client.get("/api/billing/me/payments", **auth(user)).json()
        assert body["count"] == 2
        assert [p["amount"] for p in body["items"]] == [500, 1299]


class TestCheckout:
    def test_development_checkout_returns_a_local_url(self, client, user, plans):
        response = post_json(client, "/api/billing/checkout", {"plan": "basic"}, user)
        assert response.status_code == 200
        body = response.json()
        assert body["url"].startswith("/billing/dev/checkout/dev_cs_")
        payment = Payment.objects.get()
        assert (payment.status, payment.amount, payment.gateway) == ("pending", 799, "development")
        assert payment.metadata == {"user_id": user.pk, "payment_id": payment.pk, "plan": "basic"}

    def test_client_cannot_choose_return_urls(self, client, user, plans):
        response = post_json(
            client,
            "/api/billing/checkout",
            {"plan": "basic", "success_url": "https://evil.example"},
            user,
        )
        assert response.status_code == 200
        assert "evil" not in str(Payment.objects.get().metadata)

    def test_unknown_plan_is_404(self, client, user, plans):
        response = post_json(client, "/api/billing/checkout", {"plan": "gold"}, user)
        assert response.status_code == 404
        assert response.json()["code"] == "plan_not_found"
        assert not Payment.objects.exists()

    def test_missing_plan_is_422(self, client, user):
        response = post_json(client, "/api/billing/checkout", {}, user)
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"

    def test_already_subscribed_is_409(self, client, user, plans):
        subscribe(user, plans["basic"])
        response = post_json(client, "/api/billing/checkout", {"plan": "premium"}, user)
        assert response.status_code == 409
        assert response.json()["code"] == "already_subscribed"

    def test_an_open_checkout_blocks_a_second_one_until_it_expires(self, client, user, plans):
        first = post_json(client, "/api/billing/checkout", {"plan": "standard"}, user)
        assert first.status_code == 200
        second = post_json(client, "/api/billing/checkout", {"plan": "premium"}, user)
        assert second.status_code == 409
        assert second.json()["code"] == "checkout_pending"
        assert Payment.objects.count() == 1
        # Once the first session can no longer be paid, a new checkout is fine.
        Payment.objects.update(created_at=timezone.now() - timedelta(minutes=31))
        third = post_json(client, "/api/billing/checkout", {"plan": "premium"}, user)
        assert third.status_code == 200
        assert Payment.objects.count() == 2

    @pytest.mark.parametrize("status", ["incomplete", "unpaid"])
    def test_a_subscription_needing_payment_blocks_a_new_checkout(
        self, client, user, plans, status
    ):
        subscribe(user, plans["basic"], status=status)
        response = post_json(client, "/api/billing/checkout", {"plan": "premium"}, user)
        assert response.status_code == 409
        assert response.json()["code"] == "subscription_needs_attention"
        assert status in response.json()["detail"]
        assert not Payment.objects.exists()

    def test_anonymous_is_401(self, client, plans):
        response = post_json(client, "/api/billing/checkout", {"plan": "basic"})
        assert response.status_code == 401

    def test_stripe_checkout_through_the_gateway(
        self, client, user, plans, stripe_mode, fake_stripe_checkout
    ):
        seen = fake_stripe_checkout(session_id="cs_test_1", customer_id="cus_42")
        response = post_json(client, "/api/billing/checkout", {"plan": "standard"}, user)
        assert response.json() == {
            "url": "https://checkout.stripe.test/cs_test_1",
            "session_id": "cs_test_1",
        }
        assert seen["customer_id"] == "cus_42" and seen["mode"] == "subscription"
        assert Payment.objects.get().stripe_checkout_session_id == "cs_test_1"
        assert Customer.objects.get(user=user).stripe_customer_id == "cus_42"

    def test_stripe_outage_mid_checkout_leaves_nothing_half_written(
        self, client, user, plans, stripe_mode, monkeypatch
    ):
        monkeypatch.setattr(
            StripeGateway, "customer_ensure", lambda self, *, user, idempotency_key: "cus_42"
        )

        class DownSessions:
            def create(self, **kwargs: Any) -> Any:
                raise stripe.APIConnectionError("Connection reset by peer")

        original_init = StripeGateway.__init__

        def init(self: Any) -> None:
            original_init(self)
            # The real SDK error class, raised where the SDK would raise it.
            self.api = SimpleNamespace(checkout=SimpleNamespace(sessions=DownSessions()))

        monkeypatch.setattr(StripeGateway, "__init__", init)
        response = post_json(client, "/api/billing/checkout", {"plan": "standard"}, user)
        assert response.status_code == 502
        assert response.json()["code"] == "payment_provider_unavailable"
        assert not Payment.objects.exists()
        assert not Subscription.objects.exists()

    def test_stripe_unreachable_is_502_and_nothing_written(self, client, user, plans, stripe_mode):
        from streamflix_core.testing.net import free_port

        port = free_port()
        stripe_mode.STREAMFLIX_BILLING = {
            **stripe_mode.STREAMFLIX_BILLING,
            "STRIPE_API_BASE": f"http://127.0.0.1:{port}",
        }
        response = post_json(client, "/api/billing/checkout", {"plan": "standard"}, user)
        assert response.status_code == 502
        assert response.json()["code"] == "payment_provider_unavailable"
        # Only the customer's idempotency key is kept, so a retry cannot create a second one.
        assert list(Customer.objects.values_list("stripe_customer_id", flat=True)) == [None]
        assert not Payment.objects.exists()

    def test_plan_without_stripe_price_is_409(self, client, user, plans, stripe_mode):
        Plan.objects.filter(slug="basic").update(stripe_price_id="")
        response = post_json(client, "/api/billing/checkout", {"plan": "basic"}, user)
        assert response.status_code == 409
        assert response.json()["code"] == "plan_not_purchasable"


class TestPortal:
    def test_without_customer_is_409(self, client, user, auth):
        response = client.post("/api/billing/portal", **auth(user))
        assert response.status_code == 409
        assert response.json()["code"] == "no_customer"

    def test_development_portal(self, client, user, auth, plans):
        Customer.objects.create(user=user, stripe_customer_id=f"dev_cus_{user.pk}")
        url = client.post("/api/billing/portal", **auth(user)).json()["url"]
        assert url.startswith("/billing/dev/portal/")
        page = client.get(url)
        assert page.status_code == 200 and user.email in page.content.decode()

    def test_development_portal_links_cannot_be_guessed_or_kept(self, client, user, auth):
        Customer.objects.create(user=user, stripe_customer_id=f"dev_cus_{user.pk}")
        assert client.get(f"/billing/dev/portal/dev_cus_{user.pk}/").status_code == 404
        url = client.post("/api/billing/portal", **auth(user)).json()["url"]
        assert client.get(url[:-2] + "x/").status_code == 404
        with mock.patch("django.core.signing.time.time", return_value=time.time() + 7200):
            assert client.get(url).status_code == 404

    def test_stripe_portal(self, client, user, auth, stripe_mode, monkeypatch):
        Customer.objects.create(user=user, stripe_customer_id="cus_9")
        monkeypatch.setattr(
            StripeGateway,
            "portal_session_create",
            lambda self, *, customer_id: f"https://billing.stripe.test/{customer_id}",
        )
        response = client.post("/api/billing/portal", **auth(user))
        assert response.json() == {"url": "https://billing.stripe.test/cus_9"}


class TestCancelResumeChange:
    def test_cancel_then_resume(self, client, user, auth, plans):
        subscribe(user, plans["basic"])
        response = client.post("/api/billing/me/subscription/cancel", **auth(user))
        assert response.status_code == 200
        assert response.json()["cancel_at_period_end"] is True
        again = client.post("/api/billing/me/subscription/cancel", **auth(user))
        assert again.status_code == 409 and again.json()["code"] == "already_canceled"
        resumed = client.post("/api/billing/me/subscription/resume", **auth(user))
        assert resumed.json()["cancel_at_period_end"] is False
        not_canceled = client.post("/api/billing/me/subscription/resume", **auth(user))
        assert not_canceled.status_code == 409 and not_canceled.json()["code"] == "not_canceled"
        kinds = list(Subscription.objects.get().events.values_list("kind", flat=True))
        assert kinds[:2] == [EventKind.RESUMED, EventKind.CANCELED]

    def test_without_subscription_is_404(self, client, user, auth):
        for action in ("cancel", "resume"):
            response = client.post(f"/api/billing/me/subscription/{action}", **auth(user))
            assert response.status_code == 404
            assert response.json()["code"] == "no_subscription"

    def test_change_plan(self, client, user, plans):
        subscribe(user, plans["basic"])
        url = "/api/billing/me/subscription/change-plan"
        response = post_json(client, url, {"plan": "premium"}, user)
        assert response.json()["plan"]["slug"] == "premium"
        same = post_json(client, url, {"plan": "premium"}, user)
        assert same.status_code == 409 and same.json()["code"] == "same_plan"
        unknown = post_json(client, url, {"plan": "gold"}, user)
        assert unknown.status_code == 404
        event = Subscription.objects.get().events.filter(kind=EventKind.PLAN_CHANGED).get()
        assert event.data == {"from": "basic", "to": "premium"}

    def test_change_plan_without_subscription_is_404(self, client, user, plans):
        response = post_json(
            client, "/api/billing/me/subscription/change-plan", {"plan": "premium"}, user
        )
        assert response.status_code == 404 and response.json()["code"] == "no_subscription"

    def test_a_gift_subscription_keeps_its_plan_and_its_end(self, client, user, auth, plans):
        services.subscription_start_local(
            user=user, plan=plans["basic"], source="test", months=2, gateway="gift"
        )
        cancel = client.post("/api/billing/me/subscription/cancel", **auth(user))
        assert cancel.status_code == 409 and cancel.json()["code"] == "already_canceled"
        resume = client.post("/api/billing/me/subscription/resume", **auth(user))
        assert resume.status_code == 409 and resume.json()["code"] == "gift_subscription"
        change = post_json(
            client, "/api/billing/me/subscription/change-plan", {"plan": "premium"}, user
        )
        assert change.status_code == 409 and change.json()["code"] == "gift_subscription"
        subscription = Subscription.objects.get()
        assert (subscription.plan.slug, subscription.cancel_at_period_end) == ("basic", True)
        assert list(subscription.events.values_list("kind", flat=True)) == [EventKind.CREATED]

    def test_stripe_change_to_a_plan_without_price_is_409(self, client, user, plans, stripe_mode):
        subscribe(user, plans["basic"], gateway="stripe", stripe_subscription_id="sub_9")
        Plan.objects.filter(slug="premium").update(stripe_price_id="")
        response = post_json(
            client, "/api/billing/me/subscription/change-plan", {"plan": "premium"}, user
        )
        assert response.status_code == 409 and response.json()["code"] == "plan_not_purchasable"
        assert Subscription.objects.get().plan.slug == "basic"

    def test_stripe_cancel_failure_changes_nothing(
        self, client, user, auth, plans, stripe_mode, monkeypatch
    ):

        subscribe(user, plans["basic"], gateway="stripe", stripe_subscription_id="sub_9")

        def down(self: Any, **kwargs: Any) -> None:
            raise UpstreamFailed("down", code="payment_provider_unavailable")

        monkeypatch.setattr(StripeGateway, "subscription_set_cancel_at_period_end", down)
        response = client.post("/api/billing/me/subscription/cancel", **auth(user))
        assert response.status_code == 502
        subscription = Subscription.objects.get()
        assert subscription.cancel_at_period_end is False
        assert subscription.events.count() == 1


class TestStaffPayments:
    def test_requires_staff(self, client, user, auth):
        assert client.get("/api/billing/payments").status_code == 401
        response = client.get("/api/billing/payments", **auth(user))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert client.get("/api/billing/refunds", **auth(user)).status_code == 403
        refund = post_json(client, "/api/billing/payments/1/refund", {}, user)
        assert refund.status_code == 403

    def test_non_staff_with_a_bad_body_gets_403_before_validation(self, client, user, auth):
        # staff_auth runs before the body is parsed: a non-staff caller learns nothing more.
        for body in ({"amount": 0}, {"amount": "lots"}):
            response = post_json(client, "/api/billing/payments/1/refund", body, user)
            assert response.status_code == 403
            assert response.json()["code"] == "permission_denied"
        assert not Refund.objects.exists()

    def test_list_payments_with_bounded_queries(
        self, client, staff_user, auth, make_user, django_assert_max_num_queries
    ):
        for _ in range(5):
            paid(make_user())
        # One of these is the kids-profile check loading the session's profile.
        with django_assert_max_num_queries(5):
            body = client.get("/api/billing/payments?page_size=2", **auth(staff_user)).json()
        assert body["count"] == 5 and len(body["items"]) == 2
        assert {"user_id", "stripe_invoice_id", "metadata"} <= set(body["items"][0])

    def test_partial_then_full_refund(self, client, staff_user, user, plans):
        subscription = subscribe(user, plans["standard"])
        payment = paid(user, subscription)
        url = f"/api/billing/payments/{payment.pk}/refund"
        partial = post_json(client, url, {"amount": 300, "reason": "outage"}, staff_user)
        assert partial.status_code == 200
        assert partial.json()["amount"] == 300 and partial.json()["status"] == "succeeded"
        payment.refresh_from_db()
        assert (payment.amount_refunded, payment.status) == (300, "partially_refunded")

        too_much = post_json(client, url, {"amount": 1000}, staff_user)
        assert too_much.status_code == 409
        assert too_much.json()["code"] == "refund_exceeds_payment"

        rest = post_json(client, url, {}, staff_user)
        assert rest.json()["amount"] == 999
        payment.refresh_from_db()
        assert (payment.amount_refunded, payment.status) == (1299, "refunded")
        nothing_left = post_json(client, url, {}, staff_user)
        assert nothing_left.status_code == 409 and nothing_left.json()["code"] == "not_refundable"
        assert subscription.events.filter(kind=EventKind.REFUNDED).count() == 2
        assert Refund.objects.filter(requested_by=staff_user).count() == 2

    def test_refund_errors(self, client, staff_user, user):
        missing = post_json(client, "/api/billing/payments/999/refund", {}, staff_user)
        assert missing.status_code == 404 and missing.json()["code"] == "payment_not_found"
        payment = paid(user)
        negative = post_json(
            client, f"/api/billing/payments/{payment.pk}/refund", {"amount": 0}, staff_user
        )
        assert negative.status_code == 422 and negative.json()["code"] == "validation_error"
        with pytest.raises(DomainError) as caught:
            services.payment_refund(payment_id=payment.pk, amount=0)
        assert (status_for(caught.value), caught.value.code) == (422, "invalid_amount")
        assert not Refund.objects.exists()

    def test_stripe_refund_failure_writes_nothing(
        self, client, staff_user, user, stripe_mode, monkeypatch
    ):

        payment = paid(user)
        Payment.objects.filter(pk=payment.pk).update(
            gateway="stripe", stripe_payment_intent_id="pi_1"
        )

        def down(self: Any, **kwargs: Any) -> Any:
            raise UpstreamFailed("down", code="payment_provider_unavailable")

        monkeypatch.setattr(StripeGateway, "refund_create", down)
        response = post_json(client, f"/api/billing/payments/{payment.pk}/refund", {}, staff_user)
        assert response.status_code == 502
        payment.refresh_from_db()
        assert (payment.amount_refunded, payment.status) == (0, "succeeded")
        assert not Refund.objects.exists()

    def test_list_refunds_with_bounded_queries(
        self, client, staff_user, auth, user, django_assert_max_num_queries
    ):
        for _ in range(3):
            services.payment_refund(payment_id=paid(user).pk, amount=100)
        # One of these is the kids-profile check loading the session's profile.
        with django_assert_max_num_queries(5):
            body = client.get("/api/billing/refunds", **auth(staff_user)).json()
        assert body["count"] == 3 and body["items"][0]["currency"] == "usd"


def test_plans_and_gifts_lists_have_bounded_queries(
    client, user, auth, plans, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        assert len(client.get("/api/billing/plans").json()) == 3
    for months in (1, 2, 3):
        services.gift_purchase(
            user=user, plan_slug="basic", months=months, recipient_email="a@example.com"
        )
    # One of these is the kids-profile check loading the session's profile.
    with django_assert_max_num_queries(5):
        body = client.get("/api/billing/me/gifts", **auth(user)).json()
    assert [g["months"] for g in body["items"]] == [3, 2, 1]
    assert all(g["plan"] == "basic" for g in body["items"])


class TestIdempotencyKeys:
    """Keys come from a uuid stored on the row: a reset database reuses ids, not keys."""

    @pytest.fixture
    def sent(self, stripe_mode: Any, monkeypatch: Any) -> list[str]:
        keys: list[str] = []

        def create(*, params: Any, options: Any) -> Any:
            keys.append(options["idempotency_key"])
            return SimpleNamespace(id=f"obj_{len(keys)}", url="https://pay.example/x")

        api = SimpleNamespace(
            customers=SimpleNamespace(create=create),
            checkout=SimpleNamespace(sessions=SimpleNamespace(create=create)),
        )
        monkeypatch.setattr(StripeGateway, "__init__", lambda self: setattr(self, "api", api))
        return keys

    def test_same_row_ids_after_a_reset_get_new_keys(self, sent, make_user, plans):
        runs = []
        for _ in range(2):
            user = make_user(email="same@example.com", pk=4242)
            customer = services.customer_ensure(user=user)
            payment = Payment.objects.create(
                pk=7, user=user, plan=plans["basic"], amount=100, currency="usd"
            )
            StripeGateway().checkout_session_create(
                customer_id="obj_1",
                payment=payment,
                plan=plans["basic"],
                promo=None,
                mode="subscription",
            )
            runs.append((user.pk, sent[-2:], customer.idempotency_key, payment.idempotency_key))
            # What a database reset does: the rows go, the ids come back.
            Payment.objects.all().delete()
            Customer.objects.all().delete()
            type(user).objects.filter(pk=user.pk).delete()
        (pk1, keys1, cus1, pay1), (pk2, keys2, cus2, pay2) = runs
        assert pk1 == pk2 == 4242
        assert keys1 == [f"streamflix-customer-{cus1}", f"streamflix-checkout-{pay1}"]
        assert keys2 == [f"streamflix-customer-{cus2}", f"streamflix-checkout-{pay2}"]
        assert set(keys1).isdisjoint(keys2)

    def test_a_retried_customer_creation_reuses_its_key(self, sent, user, monkeypatch):
        def lost(*, params: Any, options: Any) -> Any:
            sent.append(options["idempotency_key"])
            raise stripe.APIConnectionError("answer lost")

        gateway = StripeGateway()
        real = gateway.api.customers.create
        gateway.api.customers.create = lost
        with pytest.raises(DomainError):
            services.customer_ensure(user=user, gateway=gateway)
        gateway.api.customers.create = real
        customer = services.customer_ensure(user=user, gateway=gateway)
        assert sent[0] == sent[1] == f"streamflix-customer-{customer.idempotency_key}"
        assert customer.stripe_customer_id == "obj_2"
