from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from streamflix_billing.gateway import StripeGateway
from streamflix_billing.models import Gift, Payment, Subscription

from .test_api import paid, subscribe

pytestmark = pytest.mark.django_db


PASSWORD = "pw-Secret-123!"


def delete_me(client: Any, user: Any, auth: Any, password: str = PASSWORD) -> Any:
    return client.delete(
        "/api/me",
        data=json.dumps({"password": password}),
        content_type="application/json",
        **auth(user),
    )


@pytest.fixture
def member(make_user: Any) -> Any:
    user = make_user(email="leaving@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_deleting_an_account_keeps_its_payments(
    client, member, auth, plans, monkeypatch, django_capture_on_commit_callbacks
):
    canceled: list[str] = []
    monkeypatch.setattr(
        StripeGateway,
        "subscription_cancel_now",
        lambda self, *, stripe_subscription_id: canceled.append(stripe_subscription_id),
    )
    subscription = subscribe(
        member, plans["basic"], gateway="stripe", stripe_subscription_id="sub_x"
    )
    first, second = paid(member, subscription), paid(member, subscription, amount=500)
    gift = Gift.objects.create(
        code="GIFT-KEEP",
        plan=plans["basic"],
        months=1,
        recipient_email="r@example.com",
        purchaser=member,
        status="paid",
    )
    member_id = member.pk

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_me(client, member, auth)

    assert response.status_code == 204
    assert not get_user_model().objects.filter(pk=member_id).exists()
    assert not Subscription.objects.exists()
    for payment in Payment.objects.filter(pk__in=[first.pk, second.pk]):
        assert payment.user_id is None
        assert payment.deleted_user_id == member_id
        assert payment.deleted_user_email == "leaving@example.com"
    assert Payment.objects.count() == 2
    gift.refresh_from_db()
    assert gift.purchaser_id is None and gift.status == "paid"
    assert canceled == ["sub_x"]


def test_wrong_password_deletes_nothing(client, member, auth, plans):
    paid(member)
    response = delete_me(client, member, auth, password="nope")
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    payment = Payment.objects.get()
    assert payment.user_id == member.pk and payment.deleted_user_id is None


def test_staff_payment_list_shows_a_deleted_payer(client, member, auth, staff_user, plans):
    paid(member)
    assert delete_me(client, member, auth).status_code == 204
    item = client.get("/api/billing/payments", **auth(staff_user)).json()["items"][0]
    assert item["user_id"] is None
    assert item["deleted_user_email"] == "leaving@example.com"


def test_a_checkout_left_open_by_a_deleted_account_is_canceled(client, member, auth, plans):
    from streamflix_billing.models import PaymentStatus

    url = client.post(
        "/api/billing/checkout",
        data=json.dumps({"plan": "standard"}),
        content_type="application/json",
        **auth(member),
    ).json()["url"]
    assert delete_me(client, member, auth).status_code == 204
    client.post(url, {"outcome": "pay"})
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.CANCELED and payment.user_id is None
    assert not Subscription.objects.exists()
