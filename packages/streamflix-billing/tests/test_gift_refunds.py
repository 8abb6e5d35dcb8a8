"""A gift whose payment was refunded in full can no longer be redeemed."""

from __future__ import annotations

from typing import Any

import pytest

from streamflix_billing.gateway import CheckoutSession, StripeGateway
from streamflix_billing.models import Gift, GiftStatus, Payment, PaymentStatus, Subscription

from .conftest import completed_checkout_session, post_json

pytestmark = pytest.mark.django_db


def buy_paid_gift(client: Any, buyer: Any) -> Gift:
    """Three months of premium bought and paid through the development gateway."""
    bought = post_json(
        client,
        "/api/billing/gifts",
        {"plan": "premium", "months": 3, "recipient_email": "friend@example.com"},
        buyer,
    )
    assert bought.status_code == 200, bought.content
    client.post(bought.json()["url"], {"outcome": "pay"})
    gift = Gift.objects.get()
    assert gift.status == GiftStatus.PAID
    return gift


def redeem(client: Any, code: str, redeemer: Any) -> Any:
    return post_json(client, "/api/billing/gifts/redeem", {"code": code}, redeemer)


def test_a_gift_refunded_in_full_by_staff_cannot_be_redeemed_by_anyone(
    client, user, staff_user, make_user, plans, auth
):
    gift = buy_paid_gift(client, user)
    refunded = post_json(client, f"/api/billing/payments/{gift.payment_id}/refund", {}, staff_user)
    assert refunded.status_code == 200, refunded.content
    gift.refresh_from_db()
    assert gift.status == GiftStatus.REFUNDED

    for redeemer in (make_user(email="friend@example.com"), make_user(), user):
        response = redeem(client, gift.code, redeemer)
        assert response.status_code == 409, response.content
        assert response.json() == {
            "detail": "This gift was refunded and can no longer be redeemed.",
            "code": "gift_refunded",
        }
    assert not Subscription.objects.exists()
    gift.refresh_from_db()
    assert (gift.status, gift.redeemed_by_id, gift.redeemed_at) == (GiftStatus.REFUNDED, None, None)
    listed = client.get("/api/billing/me/gifts", **auth(user)).json()["items"]
    assert listed[0]["status"] == "refunded"


def test_a_partially_refunded_gift_can_still_be_redeemed(
    client, user, staff_user, make_user, plans
):
    gift = buy_paid_gift(client, user)
    partial = post_json(
        client, f"/api/billing/payments/{gift.payment_id}/refund", {"amount": 100}, staff_user
    )
    assert partial.status_code == 200
    gift.refresh_from_db()
    assert gift.status == GiftStatus.PAID
    response = redeem(client, gift.code, make_user())
    assert response.status_code == 200 and response.json()["gateway"] == "gift"


def test_a_gift_paid_then_refunded_before_the_gift_followed_refunds_is_not_redeemable(
    client, user, make_user, plans
):
    # Rows left by earlier versions: the gift still says paid while its payment was refunded.
    gift = buy_paid_gift(client, user)
    Payment.objects.filter(pk=gift.payment_id).update(
        status=PaymentStatus.REFUNDED, amount_refunded=gift.payment.amount
    )
    response = redeem(client, gift.code, make_user())
    assert response.status_code == 409 and response.json()["code"] == "gift_refunded"
    assert not Subscription.objects.exists()


@pytest.fixture
def stripe_paid_gift(client, user, plans, stripe_mode, monkeypatch, send_event) -> Gift:
    """A gift bought through Stripe and paid (``checkout.session.completed``)."""
    monkeypatch.setattr(
        StripeGateway, "customer_ensure", lambda self, *, user, idempotency_key: "cus_1"
    )
    monkeypatch.setattr(
        StripeGateway,
        "checkout_session_create",
        lambda self, **kw: CheckoutSession(id="cs_gift", url="https://checkout.stripe.test/g"),
    )
    post_json(
        client,
        "/api/billing/gifts",
        {"plan": "premium", "months": 3, "recipient_email": "friend@example.com"},
        user,
    )
    payment = Payment.objects.get()
    session = completed_checkout_session(payment, session_id="cs_gift", intent_id="pi_gift")
    assert send_event("checkout.session.completed", session).json()["status"] == "processed"
    return Gift.objects.get(status=GiftStatus.PAID)


def charge_refunded(amount: int, *refunds: tuple[str, int, str]) -> dict[str, Any]:
    return {
        "id": "ch_gift",
        "object": "charge",
        "payment_intent": "pi_gift",
        "amount": 3 * 1799,
        "amount_refunded": amount,
        "refunds": {"data": [{"id": i, "amount": a, "status": s} for i, a, s in refunds]},
    }


def test_a_gift_refunded_in_full_at_stripe_cannot_be_redeemed(
    client, stripe_paid_gift, send_event, make_user
):
    full = 3 * 1799
    response = send_event("charge.refunded", charge_refunded(full, ("re_1", full, "succeeded")))
    assert response.json()["status"] == "processed"
    stripe_paid_gift.refresh_from_db()
    assert stripe_paid_gift.status == GiftStatus.REFUNDED
    redeemed = redeem(client, stripe_paid_gift.code, make_user())
    assert redeemed.status_code == 409 and redeemed.json()["code"] == "gift_refunded"
    assert not Subscription.objects.exists()


def test_a_full_refund_that_fails_at_stripe_makes_the_gift_redeemable_again(
    client, stripe_paid_gift, send_event, make_user
):
    full = 3 * 1799
    send_event("charge.refunded", charge_refunded(0, ("re_1", full, "pending")))
    stripe_paid_gift.refresh_from_db()
    assert stripe_paid_gift.status == GiftStatus.REFUNDED  # a pending refund counts

    failed = {"id": "re_1", "object": "refund", "payment_intent": "pi_gift", "amount": full}
    send_event("refund.updated", {**failed, "status": "failed"})
    stripe_paid_gift.refresh_from_db()
    assert stripe_paid_gift.status == GiftStatus.PAID
    assert redeem(client, stripe_paid_gift.code, make_user()).status_code == 200


def test_a_redeemed_gift_stays_redeemed_when_its_payment_is_refunded(
    client, user, staff_user, make_user, plans
):
    gift = buy_paid_gift(client, user)
    friend = make_user()
    assert redeem(client, gift.code, friend).status_code == 200
    post_json(client, f"/api/billing/payments/{gift.payment_id}/refund", {}, staff_user)
    gift.refresh_from_db()
    assert (gift.status, gift.redeemed_by) == (GiftStatus.REDEEMED, friend)
