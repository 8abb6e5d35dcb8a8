"""Subscription history: each event keeps the plan it happened on, and a status change that
arrives by webhook is an event of its own."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.models import EventKind, Subscription, SubscriptionStatus

from .conftest import post_json
from .test_webhooks import DAY, invoice_obj, sub_obj

pytestmark = pytest.mark.django_db

NOW = int(time.time())


def history(client: Any, user: Any, auth: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """``(kind, plan, data)`` of the caller's history, oldest first."""
    response = client.get("/api/billing/me/subscription/history?page_size=50", **auth(user))
    assert response.status_code == 200, response.content
    return [(e["kind"], e["plan"], e["data"]) for e in reversed(response.json()["items"])]


def test_a_plan_change_does_not_relabel_earlier_events(client, user, auth, plans):
    services.subscription_start_local(user=user, plan=plans["basic"], source="test")
    changed = post_json(
        client, "/api/billing/me/subscription/change-plan", {"plan": "premium"}, user
    )
    assert changed.status_code == 200
    post_json(client, "/api/billing/me/subscription/cancel", {}, user)
    assert [(kind, plan) for kind, plan, _ in history(client, user, auth)] == [
        ("created", "basic"),
        ("plan_changed", "premium"),
        ("canceled", "premium"),
    ]


def test_a_plan_change_from_stripe_does_not_relabel_earlier_events(
    client, user, auth, plans, stripe_mode, send_event
):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    send_event(
        "customer.subscription.updated", sub_obj(user, price="price_premium"), created=NOW - 50
    )
    assert history(client, user, auth) == [
        ("created", "standard", {"plan": "standard", "status": "active"}),
        ("plan_changed", "premium", {"from": "standard", "to": "premium"}),
    ]


def test_a_status_change_from_stripe_adds_a_history_event(
    client, user, auth, plans, stripe_mode, send_event
):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    send_event("customer.subscription.updated", sub_obj(user, status="past_due"), created=NOW - 50)
    send_event("customer.subscription.updated", sub_obj(user, status="active"), created=NOW - 10)
    assert history(client, user, auth) == [
        ("created", "standard", {"plan": "standard", "status": "active"}),
        ("status_changed", "standard", {"from": "active", "to": "past_due"}),
        ("status_changed", "standard", {"from": "past_due", "to": "active"}),
    ]


def test_an_update_without_a_status_change_adds_no_status_event(
    user, plans, stripe_mode, send_event
):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    send_event("customer.subscription.updated", sub_obj(user, metadata={}), created=NOW - 50)
    assert not Subscription.objects.get().events.filter(kind=EventKind.STATUS_CHANGED).exists()


def test_a_failed_then_paid_invoice_records_each_status_change_once(
    user, plans, stripe_mode, send_event
):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    invoice = invoice_obj(start=NOW, end=NOW + 30 * DAY)
    send_event("invoice.payment_failed", invoice, created=NOW - 60)
    # Stripe also reports the new status on the subscription: not a second event.
    send_event("customer.subscription.updated", sub_obj(user, status="past_due"), created=NOW - 50)
    send_event("invoice.paid", invoice, created=NOW)
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.ACTIVE
    changes = [
        e.data
        for e in subscription.events.filter(kind=EventKind.STATUS_CHANGED).order_by("occurred_at")
    ]
    assert changes == [{"from": "active", "to": "past_due"}, {"from": "past_due", "to": "active"}]


def test_a_cancellation_from_stripe_is_a_canceled_event_not_a_status_change(
    user, plans, stripe_mode, send_event
):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    send_event("customer.subscription.deleted", sub_obj(user, status="canceled"), created=NOW)
    kinds = list(Subscription.objects.get().events.values_list("kind", flat=True))
    assert sorted(kinds) == [EventKind.CANCELED, EventKind.CREATED]


def test_history_reads_the_event_plans_in_bounded_queries(
    client, user, auth, plans, django_assert_max_num_queries
):
    subscription = services.subscription_start_local(user=user, plan=plans["basic"], source="test")
    for slug in ("standard", "premium", "basic", "premium"):
        services.subscription_change_plan(user=user, plan_slug=slug)
    with django_assert_max_num_queries(5):
        items = client.get("/api/billing/me/subscription/history", **auth(user)).json()["items"]
    assert [e["plan"] for e in items] == ["premium", "basic", "premium", "standard", "basic"]
    assert subscription.events.count() == 5


class TestMigrationFillsEventPlans:
    """0004 gives every existing event the best plan its history tells."""

    BEFORE = [("streamflix_billing", "0003_idempotency_keys")]
    AFTER = [("streamflix_billing", "0005_event_plan_required")]

    @pytest.fixture
    def old_apps(self, transactional_db: Any) -> Any:
        executor = MigrationExecutor(connection)
        executor.migrate(self.BEFORE)
        yield executor.loader.project_state(self.BEFORE).apps
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    def migrate_forward(self) -> Any:
        executor = MigrationExecutor(connection)
        executor.migrate(self.AFTER)
        return executor.loader.project_state(self.AFTER).apps

    def test_events_get_the_plan_they_happened_on(self, old_apps, make_user):
        Plan = old_apps.get_model("streamflix_billing", "Plan")
        Subscription = old_apps.get_model("streamflix_billing", "Subscription")
        Event = old_apps.get_model("streamflix_billing", "SubscriptionEvent")
        Payment = old_apps.get_model("streamflix_billing", "Payment")
        basic, standard, premium = (
            Plan.objects.create(slug=slug, name=slug, price_amount=price)
            for slug, price in (("basic", 799), ("standard", 1299), ("premium", 1799))
        )
        user_id = make_user().pk
        now = timezone.now()

        def subscription(plan: Any, **fields: Any) -> Any:
            return Subscription.objects.create(
                user_id=user_id,
                plan=plan,
                current_period_start=now,
                current_period_end=now + timedelta(days=30),
                **fields,
            )

        def event(sub: Any, minutes: int, kind: str, **data: Any) -> Any:
            return Event.objects.create(
                subscription=sub,
                kind=kind,
                occurred_at=now + timedelta(minutes=minutes),
                data=data,
            )

        # Changed through the API (which names both plans), now on premium.
        local = subscription(premium, status="canceled")
        local_events = [
            event(local, 1, "created"),
            event(local, 2, "canceled", at_period_end=True),
            event(local, 3, "plan_changed", **{"from": "basic", "to": "standard"}),
            event(local, 4, "resumed"),
            event(local, 5, "plan_changed", **{"from": "standard", "to": "premium"}),
            event(local, 6, "expired"),
        ]
        # Mirrored from Stripe: the creation names its plan, a change names only the new one;
        # a renewal payment names the plan it paid for.
        mirrored = subscription(basic, status="active")
        renewal = Payment.objects.create(
            user_id=user_id, subscription=mirrored, plan=premium, amount=1799, currency="usd"
        )
        mirrored_events = [
            event(mirrored, 1, "created", plan="standard", status="active"),
            event(mirrored, 2, "payment_succeeded", payment_id=renewal.pk - 1000),
            event(mirrored, 3, "plan_changed", to="premium"),
            event(mirrored, 4, "payment_succeeded", payment_id=renewal.pk),
            event(mirrored, 5, "plan_changed", to="basic"),
        ]
        # Nothing in its history names a plan: the subscription's own plan is all we know.
        silent = subscription(standard, status="expired")
        silent_events = [event(silent, 1, "created"), event(silent, 2, "expired")]

        apps = self.migrate_forward()
        Event = apps.get_model("streamflix_billing", "SubscriptionEvent")

        def plans_of(events: list[Any]) -> list[str]:
            return [Event.objects.get(pk=e.pk).plan.slug for e in events]

        assert plans_of(local_events) == [
            "basic",
            "basic",
            "standard",
            "standard",
            "premium",
            "premium",
        ]
        assert plans_of(mirrored_events) == ["standard", "standard", "premium", "premium", "basic"]
        assert plans_of(silent_events) == ["standard", "standard"]

    def test_paid_gifts_whose_payment_was_refunded_become_refunded(self, old_apps, make_user):
        Plan = old_apps.get_model("streamflix_billing", "Plan")
        Payment = old_apps.get_model("streamflix_billing", "Payment")
        Gift = old_apps.get_model("streamflix_billing", "Gift")
        plan = Plan.objects.create(slug="basic", name="Basic", price_amount=799)
        gifts = {}
        for status, payment_status in (
            ("paid", "refunded"),
            ("paid", "partially_refunded"),
            ("redeemed", "refunded"),
        ):
            payment = Payment.objects.create(
                amount=799, currency="usd", status=payment_status, purpose="gift"
            )
            gifts[(status, payment_status)] = Gift.objects.create(
                code=f"GIFT-{status}-{payment_status}",
                plan=plan,
                months=1,
                recipient_email="r@example.com",
                status=status,
                payment=payment,
            )
        apps = self.migrate_forward()
        Gift = apps.get_model("streamflix_billing", "Gift")
        after = {key: Gift.objects.get(pk=gift.pk).status for key, gift in gifts.items()}
        assert after == {
            ("paid", "refunded"): "refunded",
            ("paid", "partially_refunded"): "paid",
            ("redeemed", "refunded"): "redeemed",
        }
