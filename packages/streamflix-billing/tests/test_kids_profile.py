"""A session watching as a kids profile cannot act for the account: 403 ``kids_profile`` on
every billing operation but the plan catalogue, before anything is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.models import (
    Customer,
    Gift,
    GiftStatus,
    Payment,
    PaymentStatus,
    Refund,
    Subscription,
    SubscriptionEvent,
)
from streamflix_core.testing.api_client import bearer

from .conftest import succeeded_payment

pytestmark = pytest.mark.django_db

# Every billing operation of a signed-in caller: (method, path, body).
ACCOUNT_OPERATIONS = [
    ("get", "/api/billing/me/subscription", None),
    ("get", "/api/billing/me/subscription/history", None),
    ("get", "/api/billing/me/payments", None),
    ("get", "/api/billing/me/gifts", None),
    ("post", "/api/billing/checkout", {"plan": "premium"}),
    ("post", "/api/billing/portal", {}),
    ("post", "/api/billing/me/subscription/cancel", {}),
    ("post", "/api/billing/me/subscription/resume", {}),
    ("post", "/api/billing/me/subscription/change-plan", {"plan": "premium"}),
    ("post", "/api/billing/gifts", {"plan": "basic", "months": 2, "recipient_email": "k@x.io"}),
    ("post", "/api/billing/gifts/redeem", {"code": "GIFT-KIDS-0001"}),
]
STAFF_OPERATIONS = [
    ("get", "/api/billing/payments", None),
    ("get", "/api/billing/refunds", None),
    ("post", "/api/billing/payments/{payment_id}/refund", {}),
]


def switch_to(client: Any, user: Any, profile: Any) -> dict[str, str]:
    """Switch ``user``'s session to ``profile`` through core's API; its new access token."""
    response = client.post(
        f"/api/profiles/{profile.pk}/switch", {}, content_type="application/json", **bearer(user)
    )
    assert response.status_code == 200, response.content
    assert response.json()["profile_id"] == profile.pk
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access']}"}


def call(client: Any, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if method == "get":
        return client.get(path, **headers)
    return client.post(path, body, content_type="application/json", **headers)


@pytest.fixture
def household(user: Any, make_user: Any, make_profile: Any, plans: dict[str, Any]) -> Any:
    """An account with an adult and a kids profile, a subscription set to end, a paid
    payment and a paid gift code waiting for someone."""
    adult = make_profile(user, name="Ana")
    kids = make_profile(user, name="Kids", is_kids=True, maturity_limit=7)
    subscription = services.subscription_start_local(
        user=user, plan=plans["standard"], source="test"
    )
    Subscription.objects.filter(pk=subscription.pk).update(cancel_at_period_end=True)
    payment = succeeded_payment(subscription=subscription)
    gift_payment = Payment.objects.create(
        user=make_user(),
        plan=plans["basic"],
        purpose="gift",
        amount=1598,
        currency="usd",
        status=PaymentStatus.SUCCEEDED,
        gateway="development",
        paid_at=timezone.now(),
    )
    Gift.objects.create(
        code="GIFT-KIDS-0001",
        plan=plans["basic"],
        months=2,
        recipient_email="k@x.io",
        status=GiftStatus.PAID,
        payment=gift_payment,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return {"adult": adult, "kids": kids, "subscription": subscription, "payment": payment}


def snapshot() -> dict[str, Any]:
    """Everything a billing operation could write."""
    return {
        "subscriptions": list(
            Subscription.objects.order_by("pk").values_list(
                "pk", "plan_id", "status", "cancel_at_period_end", "canceled_at"
            )
        ),
        "events": SubscriptionEvent.objects.count(),
        "payments": list(
            Payment.objects.order_by("pk").values_list("pk", "status", "amount_refunded")
        ),
        "refunds": Refund.objects.count(),
        "customers": Customer.objects.count(),
        "gifts": list(Gift.objects.order_by("pk").values_list("pk", "status", "redeemed_by_id")),
    }


@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_OPERATIONS)
def test_a_kids_profile_session_gets_403_on_every_account_operation_and_nothing_is_written(
    client, user, household, method, path, body
):
    headers = switch_to(client, user, household["kids"])
    before = snapshot()
    response = call(client, method, path, body, headers)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "kids_profile"
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), STAFF_OPERATIONS)
def test_a_staff_member_watching_as_a_kids_profile_gets_403_and_nothing_is_written(
    client, staff_user, make_profile, household, method, path, body
):
    make_profile(staff_user, name="Staff")
    kids = make_profile(staff_user, name="Staff kids", is_kids=True, maturity_limit=7)
    headers = switch_to(client, staff_user, kids)
    before = snapshot()
    target = path.format(payment_id=household["payment"].pk)
    response = call(client, method, target, body, headers)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "kids_profile"
    assert snapshot() == before


def test_a_kids_default_profile_is_refused_even_without_a_profile_claim(
    client, user, household, make_user, make_profile
):
    # A token without a profile claim watches as the default profile: a kids one is refused.
    child_account = make_user(email="only-kids@example.com")
    make_profile(child_account, name="Kids", is_kids=True, maturity_limit=7)
    response = client.post(
        "/api/billing/checkout",
        {"plan": "basic"},
        content_type="application/json",
        **bearer(child_account),
    )
    assert response.status_code == 403 and response.json()["code"] == "kids_profile"
    assert not Payment.objects.filter(user=child_account).exists()


def test_the_adult_profile_session_still_manages_billing(client, user, household):
    headers = switch_to(client, user, household["adult"])
    resumed = call(client, "post", "/api/billing/me/subscription/resume", {}, headers)
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["cancel_at_period_end"] is False
    history = call(client, "get", "/api/billing/me/subscription/history", None, headers)
    assert history.status_code == 200 and history.json()["items"][0]["kind"] == "resumed"


def test_the_plan_catalogue_stays_open_to_a_kids_profile_session(client, user, household):
    headers = switch_to(client, user, household["kids"])
    assert client.get("/api/billing/plans", **headers).status_code == 200
    assert client.get("/api/billing/plans/basic", **headers).status_code == 200


def test_the_openapi_documents_403_on_every_account_and_staff_operation(client):
    schema = client.get("/api/openapi.json").json()
    for method, path, _ in ACCOUNT_OPERATIONS + STAFF_OPERATIONS:
        operation = schema["paths"][path][method]
        assert "403" in operation["responses"], (method, path)
