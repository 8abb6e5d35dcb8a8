from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from streamflix_billing import services
from streamflix_billing.gateway import StripeGateway
from streamflix_billing.models import (
    EventKind,
    Payment,
    PaymentStatus,
    Refund,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)
from streamflix_core.hooks import PlaybackRequest, decide_playback

from .conftest import event_body, signed_headers

pytestmark = pytest.mark.django_db

NOW = int(time.time())
DAY = 86400


def sub_obj(
    user: Any,
    *,
    sub_id: str = "sub_1",
    status: str = "active",
    start: int = NOW - DAY,
    end: int = NOW + 29 * DAY,
    price: str = "price_standard",
    cancel_at_period_end: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "current_period_start": start,
        "current_period_end": end,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": None,
        "metadata": {"user_id": str(user.pk)},
        "items": {"data": [{"id": "si_1", "price": {"id": price}}]},
        **extra,
    }


def invoice_obj(
    *,
    invoice_id: str = "in_1",
    sub_id: str = "sub_1",
    start: int,
    end: int,
    reason: str = "subscription_cycle",
    amount: int = 1299,
) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "object": "invoice",
        "subscription": sub_id,
        "billing_reason": reason,
        "amount_paid": amount,
        "amount_due": amount,
        "currency": "usd",
        "payment_intent": f"pi_{invoice_id}",
        "lines": {"data": [{"period": {"start": start, "end": end}}]},
    }


def as_dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class TestSignature:
    def post(self, client: Any, body: str, **headers: Any) -> Any:
        return client.post(
            "/api/billing/webhooks/stripe", data=body, content_type="application/json", **headers
        )

    def test_unsigned_is_refused_and_nothing_written(self, client, stripe_mode, user, plans):
        response = self.post(client, event_body("customer.subscription.created", sub_obj(user)))
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_signature"
        assert not WebhookEvent.objects.exists()
        assert not Subscription.objects.exists()

    def test_wrong_secret_is_refused(self, client, stripe_mode, user, plans):
        body = event_body("customer.subscription.created", sub_obj(user))
        response = self.post(client, body, **signed_headers(body, secret="whsec_other"))
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_signature"
        assert not WebhookEvent.objects.exists()

    def test_stale_signature_is_refused(self, client, stripe_mode, user, plans):
        body = event_body("customer.subscription.created", sub_obj(user))
        response = self.post(client, body, **signed_headers(body, timestamp=NOW - 3600))
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_signature"
        assert not WebhookEvent.objects.exists()

    def test_tampered_body_is_refused(self, client, stripe_mode, user, plans):
        body = event_body("customer.subscription.created", sub_obj(user))
        headers = signed_headers(body)
        response = self.post(client, body.replace("active", "trialing"), **headers)
        assert response.status_code == 400
        assert not WebhookEvent.objects.exists()

    def test_signed_garbage_is_invalid_payload(self, client, stripe_mode):
        body = json.dumps({"hello": "world"})
        response = self.post(client, body, **signed_headers(body))
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_payload"
        assert not WebhookEvent.objects.exists()

    def test_without_a_configured_secret_everything_is_refused(self, client, user, plans):
        body = event_body("customer.subscription.created", sub_obj(user))
        response = self.post(client, body, **signed_headers(body))
        assert response.status_code == 400
        assert response.json()["code"] == "webhook_not_configured"
        assert not WebhookEvent.objects.exists()


def test_subscription_created_mirrors_stripe(send_event, stripe_mode, user, plans):
    response = send_event("customer.subscription.created", sub_obj(user), created=NOW)
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "status": "processed"}
    subscription = Subscription.objects.get(stripe_subscription_id="sub_1")
    assert subscription.user == user
    assert subscription.plan == plans["standard"]
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_end == as_dt(NOW + 29 * DAY)
    assert list(subscription.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_duplicate_event_is_acknowledged_and_not_applied_again(
    send_event, stripe_mode, user, plans
):
    send_event("customer.subscription.created", sub_obj(user), event_id="evt_dup", created=NOW)
    again = send_event("customer.subscription.created", sub_obj(user), event_id="evt_dup")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert WebhookEvent.objects.get().attempts == 1
    assert Subscription.objects.get().events.count() == 1


def test_duplicate_invoice_paid_extends_the_period_once(send_event, stripe_mode, user, plans):
    start, end = NOW - 30 * DAY, NOW
    send_event("customer.subscription.created", sub_obj(user, start=start, end=end), created=start)
    invoice = invoice_obj(start=end, end=end + 30 * DAY)

    first = send_event("invoice.paid", invoice, event_id="evt_paid", created=NOW)
    redelivered = send_event("invoice.paid", invoice, event_id="evt_paid", created=NOW)
    # Stripe may also emit a second event for the same invoice: keyed by invoice, ignored.
    second = send_event("invoice.paid", invoice, event_id="evt_paid_again", created=NOW + 1)

    assert first.json()["status"] == "processed"
    assert redelivered.json()["duplicate"] is True
    assert second.json()["status"] == "ignored"
    subscription = Subscription.objects.get()
    assert subscription.current_period_end == as_dt(end + 30 * DAY)
    assert subscription.events.filter(kind=EventKind.RENEWED).count() == 1
    payment = Payment.objects.get()
    assert (payment.amount, payment.status, payment.stripe_invoice_id) == (
        1299,
        "succeeded",
        "in_1",
    )
    assert payment.subscription == subscription


def test_deleted_before_a_late_updated_stays_canceled(send_event, stripe_mode, user, plans):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    deleted = sub_obj(user, status="canceled", canceled_at=NOW - 10, ended_at=NOW - 10)
    send_event("customer.subscription.deleted", deleted, created=NOW - 10)
    late = send_event(
        "customer.subscription.updated",
        sub_obj(user, cancel_at_period_end=True),
        created=NOW - 50,
    )
    assert late.json()["status"] == "ignored"
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert subscription.cancel_at_period_end is False
    assert subscription.events.filter(kind=EventKind.CANCELED).count() == 1
    assert "stale" in WebhookEvent.objects.get(type="customer.subscription.updated").error


def test_same_second_update_is_in_doubt_and_refetched(
    send_event, stripe_mode, user, plans, monkeypatch
):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    send_event("customer.subscription.deleted", sub_obj(user, status="canceled"), created=NOW - 10)
    fetched: list[str] = []

    def retrieve(self: Any, *, stripe_subscription_id: str) -> dict[str, Any]:
        fetched.append(stripe_subscription_id)
        return sub_obj(user, status="canceled")

    monkeypatch.setattr(StripeGateway, "subscription_retrieve", retrieve)
    send_event("customer.subscription.updated", sub_obj(user), created=NOW - 10)
    assert fetched == ["sub_1"]
    assert Subscription.objects.get().status == SubscriptionStatus.CANCELED


def test_invoice_for_an_unknown_subscription_refetches_it(
    send_event, stripe_mode, user, plans, monkeypatch
):
    monkeypatch.setattr(
        StripeGateway,
        "subscription_retrieve",
        lambda self, *, stripe_subscription_id: sub_obj(user, sub_id=stripe_subscription_id),
    )
    response = send_event(
        "invoice.paid",
        invoice_obj(start=NOW - DAY, end=NOW + 29 * DAY, reason="subscription_create"),
    )
    assert response.json()["status"] == "processed"
    subscription = Subscription.objects.get(stripe_subscription_id="sub_1")
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert Payment.objects.get().subscription == subscription


def test_payment_failed_past_due_grace_then_denied(send_event, stripe_mode, user, plans):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    response = send_event(
        "invoice.payment_failed", invoice_obj(start=NOW, end=NOW + 30 * DAY), created=NOW
    )
    assert response.json()["status"] == "processed"
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert subscription.events.filter(kind=EventKind.PAYMENT_FAILED).count() == 1
    assert Payment.objects.get().status == PaymentStatus.FAILED

    within = decide_playback(PlaybackRequest(user=user))
    assert within.allowed and within.max_video_height == 1080

    Subscription.objects.filter(pk=subscription.pk).update(
        past_due_since=timezone.now() - timedelta(days=3, minutes=1)
    )
    after = decide_playback(PlaybackRequest(user=user))
    assert (after.allowed, after.reason) == (False, "past_due")

    # Paying the invoice later restores playback.
    send_event("invoice.paid", invoice_obj(start=NOW, end=NOW + 30 * DAY), created=NOW + 60)
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    assert decide_playback(PlaybackRequest(user=user)).allowed


def test_checkout_completed_then_first_invoice_share_one_payment(
    send_event, stripe_mode, user, plans, monkeypatch, fake_stripe_checkout
):
    fake_stripe_checkout(session_id="cs_1")
    services.checkout_start(user=user, plan_slug="standard")
    payment = Payment.objects.get()
    monkeypatch.setattr(
        StripeGateway,
        "subscription_retrieve",
        lambda self, *, stripe_subscription_id: sub_obj(
            user, metadata={"user_id": str(user.pk), "payment_id": str(payment.pk)}
        ),
    )
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "subscription": "sub_1",
        "invoice": "in_first",
        "payment_status": "paid",
        "client_reference_id": str(payment.pk),
        "metadata": {"payment_id": str(payment.pk), "user_id": str(user.pk)},
    }
    assert send_event("checkout.session.completed", session).json()["status"] == "processed"
    invoice = invoice_obj(
        invoice_id="in_first", start=NOW - DAY, end=NOW + 29 * DAY, reason="subscription_create"
    )
    assert send_event("invoice.paid", invoice).json()["status"] == "processed"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.subscription == Subscription.objects.get()
    assert Payment.objects.count() == 1
    assert Subscription.objects.get().events.filter(kind=EventKind.PAYMENT_SUCCEEDED).count() == 1


def test_first_invoice_before_checkout_completed_voids_the_checkout_payment(
    send_event, stripe_mode, user, plans, monkeypatch, fake_stripe_checkout
):
    fake_stripe_checkout(session_id="cs_2")
    services.checkout_start(user=user, plan_slug="standard")
    checkout_payment = Payment.objects.get()
    monkeypatch.setattr(
        StripeGateway,
        "subscription_retrieve",
        lambda self, *, stripe_subscription_id: sub_obj(user),
    )
    invoice = invoice_obj(
        invoice_id="in_early", start=NOW - DAY, end=NOW + 29 * DAY, reason="subscription_create"
    )
    send_event("invoice.paid", invoice, created=NOW)
    session = {
        "id": "cs_2",
        "mode": "subscription",
        "subscription": "sub_1",
        "invoice": "in_early",
        "payment_status": "paid",
        "metadata": {"payment_id": str(checkout_payment.pk)},
    }
    assert send_event("checkout.session.completed", session).json()["status"] == "processed"
    checkout_payment.refresh_from_db()
    assert checkout_payment.status == PaymentStatus.CANCELED
    assert Payment.objects.get(stripe_invoice_id="in_early").status == PaymentStatus.SUCCEEDED
    assert Payment.objects.filter(status=PaymentStatus.SUCCEEDED).count() == 1


def test_refunds_from_stripe_partial_then_full(send_event, stripe_mode, user, plans):
    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    send_event("invoice.paid", invoice_obj(start=NOW, end=NOW + 30 * DAY), created=NOW)
    payment = Payment.objects.get()
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": payment.stripe_payment_intent_id,
        "amount": 1299,
        "amount_refunded": 300,
        "refunds": {"data": [{"id": "re_1", "amount": 300, "status": "succeeded"}]},
    }
    send_event("charge.refunded", charge)
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (300, PaymentStatus.PARTIALLY_REFUNDED)

    charge["amount_refunded"] = 1299
    charge["refunds"]["data"].append({"id": "re_2", "amount": 999, "status": "succeeded"})
    send_event("charge.refunded", charge)
    send_event("charge.refunded", charge)  # another event for the same state changes nothing
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (1299, PaymentStatus.REFUNDED)
    assert Refund.objects.count() == 2
    assert Subscription.objects.get().events.filter(kind=EventKind.REFUNDED).count() == 2

    send_event(
        "refund.updated",
        {"id": "re_2", "amount": 999, "status": "failed", "payment_intent": "pi_in_1"},
    )
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (300, PaymentStatus.PARTIALLY_REFUNDED)


def test_a_failing_handler_is_stored_retried_and_replayable(
    send_event, stripe_mode, user, plans, monkeypatch
):
    from django_q.models import Schedule

    from streamflix_billing import tasks, webhooks

    def broken(obj: Any, event: Any) -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(webhooks.HANDLERS, "customer.subscription.created", broken)
    response = send_event("customer.subscription.created", sub_obj(user), created=NOW)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts) == (WebhookStatus.FAILED, 1)
    assert "database hiccup" in event.error
    assert not Subscription.objects.exists()
    retry = Schedule.objects.get(func="streamflix_billing.tasks.webhook_event_retry")
    assert retry.schedule_type == Schedule.ONCE and retry.next_run > timezone.now()

    monkeypatch.setitem(
        webhooks.HANDLERS, "customer.subscription.created", webhooks.on_subscription_changed
    )
    assert tasks.webhook_event_retry(event.pk) == WebhookStatus.PROCESSED
    event.refresh_from_db()
    assert (event.status, event.attempts, event.error) == (WebhookStatus.PROCESSED, 2, "")
    assert Subscription.objects.get().events.count() == 1

    # An admin replay of an applied event is "in doubt" (same second): the subscription is
    # re-fetched from Stripe and nothing is recorded twice.
    monkeypatch.setattr(
        StripeGateway,
        "subscription_retrieve",
        lambda self, *, stripe_subscription_id: sub_obj(user),
    )
    assert webhooks.webhook_event_replay(webhook_event_id=event.pk).status == "processed"
    assert Subscription.objects.get().events.count() == 1


def test_retries_stop_after_the_maximum(send_event, stripe_mode, user, plans, monkeypatch):
    from django_q.models import Schedule

    from streamflix_billing import webhooks

    stripe_mode.STREAMFLIX_BILLING = {**stripe_mode.STREAMFLIX_BILLING, "WEBHOOK_MAX_ATTEMPTS": 2}
    monkeypatch.setitem(
        webhooks.HANDLERS, "invoice.paid", lambda obj, event: (_ for _ in ()).throw(KeyError("x"))
    )
    send_event("invoice.paid", invoice_obj(start=NOW, end=NOW + DAY))
    event = WebhookEvent.objects.get()
    webhooks.webhook_event_apply(webhook_event_id=event.pk)
    assert WebhookEvent.objects.get().attempts == 2
    assert Schedule.objects.count() == 1


def test_unknown_event_types_are_stored_and_ignored(send_event, stripe_mode):
    response = send_event("customer.created", {"id": "cus_1", "object": "customer"})
    assert response.json()["status"] == "ignored"
    assert WebhookEvent.objects.get().status == WebhookStatus.IGNORED


def test_expired_checkout_cancels_its_pending_payment(
    send_event, stripe_mode, user, plans, fake_stripe_checkout
):
    fake_stripe_checkout(session_id="cs_x")
    services.gift_purchase(user=user, plan_slug="basic", months=2, recipient_email="a@b.co")
    payment = Payment.objects.get()
    session = {"id": "cs_x", "mode": "payment", "metadata": {"payment_id": str(payment.pk)}}
    assert send_event("checkout.session.expired", session).json()["status"] == "processed"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert payment.gift.status == "canceled"
    assert send_event("checkout.session.expired", session).json()["status"] == "ignored"


def test_newer_api_shapes_are_understood(send_event, stripe_mode, user, plans):
    """Newer Stripe API versions move the period to the items and the subscription and
    payment intent of an invoice under ``parent`` and ``payments``."""
    obj = sub_obj(user)
    start, end = obj.pop("current_period_start"), obj.pop("current_period_end")
    obj["items"]["data"][0].update(current_period_start=start, current_period_end=end)
    send_event("customer.subscription.created", obj, created=NOW - 100)
    assert Subscription.objects.get().current_period_end == as_dt(end)

    invoice = invoice_obj(start=end, end=end + 30 * DAY)
    del invoice["subscription"], invoice["payment_intent"]
    invoice["parent"] = {"subscription_details": {"subscription": "sub_1"}}
    invoice["payments"] = {"data": [{"payment": {"payment_intent": "pi_new"}}]}
    assert send_event("invoice.paid", invoice, created=NOW).json()["status"] == "processed"
    assert Subscription.objects.get().current_period_end == as_dt(end + 30 * DAY)
    assert Payment.objects.get().stripe_payment_intent_id == "pi_new"


class TestLocalChangesWinOverOlderEvents:
    """A local change advances ``stripe_state_at``: an older event arriving late is stale."""

    @pytest.fixture
    def subscribed(self, send_event, stripe_mode, user, plans, monkeypatch):
        monkeypatch.setattr(
            StripeGateway, "subscription_set_cancel_at_period_end", lambda self, **kw: None
        )
        monkeypatch.setattr(StripeGateway, "subscription_change_plan", lambda self, **kw: None)
        send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
        return Subscription.objects.get()

    def test_cancel_then_an_older_update_stays_canceled(self, subscribed, send_event, user):
        services.subscription_cancel(user=user)
        late = send_event("customer.subscription.updated", sub_obj(user), created=NOW - 50)
        assert late.json()["status"] == "ignored"
        subscription = Subscription.objects.get()
        assert subscription.cancel_at_period_end is True
        assert subscription.canceled_at is not None

    def test_resume_then_an_older_cancel_update_stays_resumed(self, subscribed, send_event, user):
        services.subscription_cancel(user=user)
        services.subscription_resume(user=user)
        late = send_event(
            "customer.subscription.updated",
            sub_obj(user, cancel_at_period_end=True),
            created=NOW - 50,
        )
        assert late.json()["status"] == "ignored"
        assert Subscription.objects.get().cancel_at_period_end is False

    def test_plan_change_then_an_older_update_keeps_the_new_plan(
        self, subscribed, send_event, user, plans
    ):
        services.subscription_change_plan(user=user, plan_slug="premium")
        send_event("customer.subscription.updated", sub_obj(user), created=NOW - 50)
        assert Subscription.objects.get().plan == plans["premium"]

    def test_invoice_paid_then_an_older_past_due_update_stays_active(
        self, subscribed, send_event, user
    ):
        send_event(
            "invoice.paid",
            invoice_obj(start=NOW + 29 * DAY, end=NOW + 59 * DAY),
            created=NOW - 20,
        )
        late = send_event(
            "customer.subscription.updated", sub_obj(user, status="past_due"), created=NOW - 30
        )
        assert late.json()["status"] == "ignored"
        assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
        assert Subscription.objects.get().stripe_state_at == as_dt(NOW - 20)


def test_a_second_live_subscription_fails_once_with_a_clear_error(
    send_event, stripe_mode, user, plans, caplog
):
    from django_q.models import Schedule

    send_event("customer.subscription.created", sub_obj(user), created=NOW - 100)
    response = send_event(
        "customer.subscription.created", sub_obj(user, sub_id="sub_2"), created=NOW - 50
    )
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    event = WebhookEvent.objects.get(payload__data__object__id="sub_2")
    assert event.status == WebhookStatus.FAILED and event.attempts == 1
    assert "second live subscription" in event.error and "sub_1" in event.error
    # Retrying cannot help: no retry is scheduled, staff are told through the log.
    assert not Schedule.objects.exists()
    assert any("cannot be applied" in r.getMessage() for r in caplog.records)
    assert list(Subscription.objects.values_list("stripe_subscription_id", flat=True)) == ["sub_1"]
