from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.gateway import CheckoutSession, StripeGateway
from streamflix_billing.models import (
    Gift,
    GiftStatus,
    Payment,
    PromoCode,
    Subscription,
    SubscriptionStatus,
)
from streamflix_core.api.errors import status_for
from streamflix_core.errors import DomainError, UpstreamFailed
from streamflix_core.hooks import PlaybackRequest, decide_playback

from .conftest import completed_checkout_session, post_json

pytestmark = pytest.mark.django_db


def checkout(client: Any, user: Any, **body: Any) -> Any:
    return post_json(client, "/api/billing/checkout", {"plan": "standard", **body}, user)


class TestPromoCodes:
    def test_percent_off_applies_and_counts_on_payment(self, client, user, auth, plans):
        promo = services.promo_code_create(code="welcome20", percent_off=20, max_redemptions=1)
        assert promo.code == "WELCOME20"
        url = checkout(client, user, promo_code="Welcome20").json()["url"]
        payment = Payment.objects.get()
        assert payment.amount == 1039 and payment.promo_code == promo
        promo.refresh_from_db()
        assert promo.times_redeemed == 0  # counted when paid, not when checkout opens
        client.post(url, {"outcome": "pay"}, **auth(user))
        promo.refresh_from_db()
        assert promo.times_redeemed == 1

    def test_amount_off(self, client, user, plans):
        services.promo_code_create(code="FIVE", amount_off=500, currency="usd")
        checkout(client, user, promo_code="five")
        assert Payment.objects.get().amount == 799

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"is_active": False}, "Unknown promo code."),
            ({"expires_at": timezone.now() - timedelta(minutes=1)}, "This promo code has expired."),
            ({"max_redemptions": 2, "times_redeemed": 2}, "This promo code has been used up."),
        ],
    )
    def test_unusable_codes_are_422_and_nothing_written(self, client, user, plans, fields, message):
        PromoCode.objects.create(code="BAD", percent_off=10, **fields)
        response = checkout(client, user, promo_code="bad")
        assert response.status_code == 422
        assert response.json() == {"detail": message, "code": "promo_code_invalid", "errors": []}
        assert not Payment.objects.exists()

    def test_unknown_code(self, client, user, plans):
        response = checkout(client, user, promo_code="NOPE")
        assert response.status_code == 422 and response.json()["code"] == "promo_code_invalid"

    @pytest.mark.parametrize(
        "discount",
        [
            {"percent_off": 10, "amount_off": 100},
            {},
            {"percent_off": 150},
            {"percent_off": 0},
            {"amount_off": 0, "currency": "usd"},
        ],
    )
    def test_create_refuses_a_bad_discount(self, discount):
        with pytest.raises(DomainError) as caught:
            services.promo_code_create(code="X", **discount)
        assert (status_for(caught.value), caught.value.code) == (422, "invalid_discount")
        assert not PromoCode.objects.exists()

    def test_create_validates(self):
        services.promo_code_create(code="X", percent_off=10)
        with pytest.raises(DomainError) as caught:
            services.promo_code_create(code="x", percent_off=10)
        assert caught.value.code == "promo_code_exists"

    def test_mapped_to_stripe_coupon_and_promotion_code(
        self, client, user, plans, stripe_mode, monkeypatch, fake_stripe_checkout
    ):
        monkeypatch.setattr(
            StripeGateway,
            "promotion_code_create",
            lambda self, *, promo: (f"streamflix-{promo.code}", "promo_123"),
        )
        promo = services.promo_code_create(code="SPRING", percent_off=50)
        assert (promo.stripe_coupon_id, promo.stripe_promotion_code_id) == (
            "streamflix-SPRING",
            "promo_123",
        )
        seen = fake_stripe_checkout(session_id="cs_p")
        checkout(client, user, promo_code="spring")
        assert seen["promo"] == promo

    def test_stripe_failure_while_creating_writes_nothing(self, stripe_mode, monkeypatch):
        def down(self: Any, *, promo: PromoCode) -> Any:
            raise UpstreamFailed("down", code="payment_provider_unavailable")

        monkeypatch.setattr(StripeGateway, "promotion_code_create", down)
        with pytest.raises(DomainError):
            services.promo_code_create(code="LATER", percent_off=10)
        assert not PromoCode.objects.exists()


class TestGifts:
    def buy(self, client: Any, user: Any, **body: Any) -> Any:
        return post_json(
            client,
            "/api/billing/gifts",
            {"plan": "premium", "months": 3, "recipient_email": "Friend@Example.com", **body},
            user,
        )

    def test_buy_pay_and_redeem(
        self, client, user, auth, plans, make_user, django_capture_on_commit_callbacks
    ):
        response = self.buy(client, user)
        assert response.status_code == 200
        gift = Gift.objects.get()
        assert (gift.status, gift.months, gift.recipient_email) == (
            "pending_payment",
            3,
            "friend@example.com",
        )
        assert gift.payment.amount == 3 * 1799 and gift.payment.purpose == "gift"
        listed = client.get("/api/billing/me/gifts", **auth(user)).json()
        assert listed["items"][0]["code"] is None  # not before it is paid

        with django_capture_on_commit_callbacks(execute=True):
            client.post(response.json()["url"], {"outcome": "pay"})
        gift.refresh_from_db()
        assert gift.status == GiftStatus.PAID and gift.expires_at is not None
        assert len(mail.outbox) == 1 and gift.code in mail.outbox[0].body
        assert mail.outbox[0].to == ["friend@example.com"]
        assert client.get("/api/billing/me/gifts", **auth(user)).json()["items"][0]["code"] == (
            gift.code
        )
        assert not Subscription.objects.filter(user=user).exists()

        friend = make_user(email="friend@example.com")
        redeemed = post_json(
            client, "/api/billing/gifts/redeem", {"code": gift.code.lower()}, friend
        )
        assert redeemed.status_code == 200
        body = redeemed.json()
        assert (body["plan"]["slug"], body["status"], body["gateway"]) == (
            "premium",
            "active",
            "gift",
        )
        assert body["cancel_at_period_end"] is True  # a gift ends by itself
        assert 88 <= body["days_remaining"] <= 93
        assert decide_playback(PlaybackRequest(user=friend)).max_video_height == 2160

        again = post_json(client, "/api/billing/gifts/redeem", {"code": gift.code}, make_user())
        assert again.status_code == 409 and again.json()["code"] == "gift_already_redeemed"

    def test_unpaid_and_unknown_codes_are_404(self, client, user, plans):
        self.buy(client, user)
        gift = Gift.objects.get()
        for code in (gift.code, "GIFT-0000-0000-0000"):
            response = post_json(client, "/api/billing/gifts/redeem", {"code": code}, user)
            assert response.status_code == 404 and response.json()["code"] == "gift_not_found"

    def test_expired_code_is_409(self, client, user, plans):
        self.buy(client, user)
        Gift.objects.update(status=GiftStatus.PAID, expires_at=timezone.now() - timedelta(days=1))
        response = post_json(
            client, "/api/billing/gifts/redeem", {"code": Gift.objects.get().code}, user
        )
        assert response.status_code == 409 and response.json()["code"] == "gift_expired"

    def test_redeeming_while_subscribed_is_409_and_keeps_the_gift(self, client, user, plans):
        self.buy(client, user)
        Gift.objects.update(status=GiftStatus.PAID)
        services.subscription_start_local(user=user, plan=plans["basic"], source="test")
        response = post_json(
            client, "/api/billing/gifts/redeem", {"code": Gift.objects.get().code}, user
        )
        assert response.status_code == 409 and response.json()["code"] == "already_subscribed"
        assert Gift.objects.get().status == GiftStatus.PAID
        assert Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).count() == 1

    @pytest.mark.parametrize(
        "body",
        [{"months": 0}, {"months": 99}, {"recipient_email": "not-an-email"}, {"plan": "gold"}],
    )
    def test_bad_input(self, client, user, plans, body):
        response = self.buy(client, user, **body)
        assert response.status_code in (404, 422)
        assert response.json()["code"] in ("validation_error", "invalid_months", "plan_not_found")
        assert not Gift.objects.exists() and not Payment.objects.exists()

    def test_stripe_gift_checkout_completed(
        self, client, user, plans, stripe_mode, monkeypatch, send_event
    ):
        monkeypatch.setattr(
            StripeGateway, "customer_ensure", lambda self, *, user, idempotency_key: "cus_1"
        )
        monkeypatch.setattr(
            StripeGateway,
            "checkout_session_create",
            lambda self, **kw: CheckoutSession(id="cs_gift", url="https://checkout.stripe.test/g"),
        )
        self.buy(client, user)
        payment = Payment.objects.get()
        session = completed_checkout_session(payment, session_id="cs_gift", intent_id="pi_gift")
        assert send_event("checkout.session.completed", session).json()["status"] == "processed"
        payment.refresh_from_db()
        assert (payment.status, payment.stripe_payment_intent_id) == ("succeeded", "pi_gift")
        assert Gift.objects.get().status == GiftStatus.PAID


def test_a_paid_gift_email_is_queued_through_core(
    user, plans, monkeypatch, django_capture_on_commit_callbacks
):
    import django_q.tasks

    from streamflix_billing.models import Gift

    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *args, **kw: queued.append(args))
    gift = Gift.objects.create(
        code="GIFT-Q",
        plan=plans["basic"],
        months=2,
        recipient_email="r@example.com",
        purchaser=user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.gift_mark_paid(gift=gift)
    # Through core's queue (retried there), not a fire-and-forget send_mail.
    assert len(queued) == 1
    task, spec = queued[0][:2]
    from streamflix_core import emails

    assert task == emails.TASK
    assert spec["to"] == "r@example.com" and "GIFT-Q" in spec["body"]
