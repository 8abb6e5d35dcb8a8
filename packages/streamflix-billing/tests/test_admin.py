from __future__ import annotations

import io
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.models import (
    Payment,
    Plan,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)

from .conftest import succeeded_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(plans: dict[str, Any], make_user: Any) -> dict[str, Any]:
    user = make_user(email="payer@example.com")
    subscription = services.subscription_start_local(
        user=user, plan=plans["standard"], source="test"
    )
    payment = succeeded_payment(subscription=subscription)
    ended = services.subscription_start_local(user=make_user(), plan=plans["basic"], source="test")
    Subscription.objects.filter(pk=ended.pk).update(
        current_period_end=timezone.now() - timedelta(minutes=1)
    )
    services.subscriptions_expire()
    return {"user": user, "subscription": subscription, "payment": payment}


@pytest.mark.parametrize(
    "model",
    ["plan", "customer", "subscription", "payment", "refund", "webhookevent", "promocode", "gift"],
)
def test_changelists_render(admin_client, history, model):
    response = admin_client.get(reverse(f"admin:streamflix_billing_{model}_changelist"))
    assert response.status_code == 200


def test_subscription_page_shows_its_history(admin_client, history):
    url = reverse("admin:streamflix_billing_subscription_change", args=[history["subscription"].pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"created" in response.content


def test_refund_action(admin_client, history):
    payment = history["payment"]
    response = admin_client.post(
        reverse("admin:streamflix_billing_payment_changelist"),
        {"action": "refund_in_full", "_selected_action": [payment.pk]},
        follow=True,
    )
    assert response.status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", 1299)


def test_replay_action(admin_client, history, stripe_mode, monkeypatch, user):
    from streamflix_billing import webhooks

    body = {
        "id": "evt_replay",
        "type": "customer.subscription.created",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": "sub_r",
                "customer": "cus_r",
                "status": "active",
                "current_period_start": int(time.time()),
                "current_period_end": int(time.time()) + 86400,
                "metadata": {"user_id": str(user.pk)},
                "items": {"data": [{"price": {"id": "price_premium"}}]},
            }
        },
    }
    event = WebhookEvent.objects.create(
        event_id="evt_replay",
        type=body["type"],
        payload=json.loads(json.dumps(body)),
        created_at_source=timezone.now(),
        status=WebhookStatus.FAILED,
        attempts=5,
    )
    assert webhooks.HANDLERS[event.type]
    response = admin_client.post(
        reverse("admin:streamflix_billing_webhookevent_changelist"),
        {"action": "replay", "_selected_action": [event.pk]},
        follow=True,
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.status == WebhookStatus.PROCESSED
    assert Subscription.objects.get(stripe_subscription_id="sub_r").plan.slug == "premium"


def test_dashboard_figures(admin_client, history):
    response = admin_client.get(reverse("billing:dashboard"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report["active_subscribers"] == 1
    assert report["mrr"] == 1299
    this_month = report["months"][-1]
    assert (this_month["revenue"], this_month["new"], this_month["churned"]) == (1299, 2, 1)
    assert b"Export transactions" in response.content


def test_dashboard_refunds_reduce_revenue_and_yearly_plans_count_monthly(admin_client, history):
    services.payment_refund(payment_id=history["payment"].pk, amount=299)
    Plan.objects.filter(slug="standard").update(interval="year", price_amount=12000)
    report = admin_client.get(reverse("billing:dashboard")).context["report"]
    assert report["months"][-1]["revenue"] == 1000
    assert report["mrr"] == 1000


def test_transactions_csv(admin_client, history):
    response = admin_client.get(reverse("billing:transactions-csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    import csv

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "created_at", "paid_at"]
    assert rows[1][3] == "payer@example.com" and rows[1][6] == "1299"


def test_dashboard_is_staff_only(client, user):
    client.force_login(user)
    for name in ("billing:dashboard", "billing:transactions-csv"):
        assert client.get(reverse(name)).status_code == 302


def test_sidebar_links_resolve():
    from streamflix_core.plugins import sidebar_navigation

    groups = {g["title"]: g for g in sidebar_navigation()}
    links = [str(item["link"]) for item in groups["Billing"]["items"]]
    assert "/billing/admin/dashboard/" in links


def test_demo_seed_is_idempotent(db):
    from django.contrib.auth import get_user_model

    from streamflix_billing.demo import DEMO_VIEWER_EMAIL, seed
    from streamflix_core.hooks import PlaybackRequest, decide_playback

    out = io.StringIO()
    seed(out)
    seed(out)
    assert list(Plan.objects.values_list("max_video_height", "max_concurrent_streams")) == [
        (720, 1),
        (1080, 2),
        (2160, 4),
    ]
    viewer = get_user_model().objects.get(email=DEMO_VIEWER_EMAIL)
    subscription = Subscription.objects.get(user=viewer)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert decide_playback(PlaybackRequest(user=viewer)).allowed
    assert "3 plans" in out.getvalue()


def test_transactions_csv_query_count_does_not_grow_with_rows(
    admin_client, plans, make_user, django_assert_max_num_queries
):

    for plan in list(plans.values()) * 3:
        Payment.objects.create(
            user=make_user(),
            plan=plan,
            amount=plan.price_amount,
            currency="usd",
            status="succeeded",
        )
    # Session + user for the staff check, then one query for every payment with its plan.
    with django_assert_max_num_queries(3):
        response = admin_client.get(reverse("billing:transactions-csv"))
        rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 1 + 3 * len(plans)
