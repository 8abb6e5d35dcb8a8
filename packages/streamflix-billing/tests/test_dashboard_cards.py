"""Billing's cards on the admin dashboard, and money shown as currency in the admin."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.admin.dashboard import billing_cards
from streamflix_billing.models import (
    Payment,
    Plan,
    PromoCode,
    Subscription,
    SubscriptionStatus,
)

from .conftest import succeeded_payment

pytestmark = pytest.mark.django_db


def _start(plan: Plan, make_user: Any, *, days_ago: int = 40) -> Subscription:
    subscription = services.subscription_start_local(user=make_user(), plan=plan, source="test")
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return subscription


@pytest.fixture
def book(plans: dict[str, Plan], make_user: Any) -> dict[str, Any]:
    """Two paying subscribers (standard monthly, premium yearly), one trialing, one that
    expired this month: all four were live 40 days ago."""
    Plan.objects.filter(slug="premium").update(interval="year", price_amount=12000)
    standard = _start(plans["standard"], make_user)
    _start(Plan.objects.get(slug="premium"), make_user)
    trialing = _start(plans["basic"], make_user)
    Subscription.objects.filter(pk=trialing.pk).update(status=SubscriptionStatus.TRIALING)
    ended = _start(plans["basic"], make_user)
    Subscription.objects.filter(pk=ended.pk).update(
        current_period_end=timezone.now() - timedelta(minutes=1)
    )
    services.subscriptions_expire()
    payment = succeeded_payment(subscription=standard)
    services.payment_refund(payment_id=payment.pk, amount=299)
    return {"standard": standard, "payment": payment}


def _cards() -> dict[str, Any]:
    return {card.title: card for card in billing_cards()}


def _metrics(card: Any) -> dict[str, Any]:
    return {metric.label: metric for metric in card.metrics}


def test_subscribers_mrr_revenue_and_churn(book):
    cards = _cards()
    subscribers = _metrics(cards["Subscribers"])
    assert subscribers["Active"].value == "2"
    assert subscribers["Trialing"].value == "1"
    assert subscribers["Active"].link.endswith("?status__exact=active")
    # One of the four live 30 days ago has expired since.
    assert subscribers["Churn (30 days)"].value == "25.0%"
    assert subscribers["Churn (30 days)"].hint == "1 ended of 4 at the start"

    revenue = cards["Revenue (30 days)"]
    figures = _metrics(revenue)
    # 12.99 a month + 120.00 a year (10.00 a month); the trial pays nothing yet.
    assert figures["MRR"].value == "$22.99"
    assert figures["Revenue"].value == "$10.00"  # 12.99 paid, 2.99 refunded
    data = json.loads(revenue.chart_json)
    assert len(data["labels"]) == 30
    assert data["datasets"][0]["data"][-1] == 10.0


def test_mrr_in_each_plan_currency(plans, make_user):
    euro = Plan.objects.create(slug="euro", name="Euro", price_amount=1299, currency="eur")
    yen = Plan.objects.create(slug="yen", name="Yen", price_amount=1200, currency="jpy")
    services.subscription_start_local(user=make_user(), plan=euro, source="test")
    services.subscription_start_local(user=make_user(), plan=yen, source="test")
    services.subscription_start_local(user=make_user(), plan=plans["basic"], source="test")
    assert _metrics(_cards()["Revenue (30 days)"])["MRR"].value == "$7.99 · €12.99 · ¥1,200"


def test_no_subscribers_reads_zero_and_no_churn(plans):
    figures = _metrics(_cards()["Subscribers"])
    assert figures["Active"].value == "0"
    assert figures["Churn (30 days)"].value == "—"
    assert _metrics(_cards()["Revenue (30 days)"])["MRR"].value == "$0.00"


def test_the_index_shows_billing_cards_in_bounded_queries(
    admin_client, book, django_assert_max_num_queries
):
    # The session, the user, core's 3, billing's 5, the recent actions.
    with django_assert_max_num_queries(11):
        response = admin_client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-dashboard-card="billing"') == 2
    assert "$22.99" in page
    assert "minor units" not in page


def test_the_admin_shows_money_as_currency(admin_client, book, plans):
    Plan.objects.filter(slug="basic").update(currency="eur")
    PromoCode.objects.create(code="TENOFF", amount_off=1000, currency="usd")
    pages = {
        name: admin_client.get(reverse(f"admin:streamflix_billing_{name}_changelist")).content
        for name in ("plan", "payment", "refund", "promocode")
    }
    assert "€7.99".encode() in pages["plan"] and b"$12.99" in pages["plan"]
    assert b"$12.99" in pages["payment"] and b"$2.99" in pages["payment"]
    assert b"$2.99" in pages["refund"]
    assert b"$10.00" in pages["promocode"]
    payment = admin_client.get(
        reverse("admin:streamflix_billing_payment_change", args=[book["payment"].pk])
    ).content
    assert b"$2.99" in payment
    for page in [*pages.values(), payment]:
        assert b"minor units" not in page.lower()
        assert b"Minor units" not in page
    billing = admin_client.get(reverse("billing:dashboard")).content
    assert b"minor units" not in billing and b"$22.99" in billing


def test_plan_prices_are_typed_as_currency(admin_client, plans):
    url = reverse("admin:streamflix_billing_plan_change", args=[plans["standard"].pk])
    form = admin_client.get(url).content.decode()
    assert 'value="12.99"' in form
    data = {
        "name": "Standard",
        "slug": "standard",
        "description": "",
        "price_amount": "14.50",
        "currency": "usd",
        "interval": "month",
        "trial_days": "0",
        "features": "[]",
        "max_profiles": "3",
        "max_concurrent_streams": "2",
        "max_video_height": "1080",
        "is_active": "on",
        "sort_order": "1",
        "stripe_product_id": "",
        "stripe_price_id": "price_standard",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Plan.objects.get(slug="standard").price_amount == 1450
    yen = admin_client.post(url, {**data, "currency": "jpy", "price_amount": "1500.5"})
    assert yen.status_code == 200
    assert b"JPY amounts have at most 0 decimal places." in yen.content
    admin_client.post(url, {**data, "currency": "jpy", "price_amount": "1500"})
    assert Plan.objects.get(slug="standard").price_amount == 1500


def test_development_checkout_shows_currency(client, plans, user):
    payment = Payment.objects.create(
        user=user, plan=plans["standard"], amount=1299, currency="eur", gateway="development",
        stripe_checkout_session_id="dev_cs_1",
    )  # fmt: skip
    page = client.get(reverse("billing:dev-checkout", args=[payment.stripe_checkout_session_id]))
    assert page.status_code == 200
    assert "€12.99" in page.content.decode()
    assert b"minor units" not in page.content
