from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from streamflix_core.testing.api_client import JsonApi, bearer
from streamflix_core.testing.net import ServerDidNotStart, free_port, stop, wait_until_listening

WEBHOOK_SECRET = "whsec_test_streamflix"


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """A localstripe server on a free loopback port for the whole session."""
    script = Path(sys.executable).with_name("localstripe")
    if not script.exists():
        pytest.skip("localstripe is not installed (it is in the test extra)")
    port = free_port()
    process = subprocess.Popen(
        [str(script), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port, process, timeout=20, name="localstripe")
    except ServerDidNotStart as error:
        stop(process)
        pytest.fail(str(error))
    url = f"http://127.0.0.1:{port}"
    previous = stripe.api_base
    stripe.api_base = url
    try:
        yield url
    finally:
        stripe.api_base = previous
        stop(process)


@pytest.fixture
def stripe_mode(settings: Any) -> Any:
    """Billing configured for Stripe (keys set); tests fake or point the API where needed."""
    settings.STREAMFLIX_BILLING = {
        "STRIPE_SECRET_KEY": "sk_test_streamflix",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
        "STRIPE_TIMEOUT_SECONDS": 5,
        "GRACE_PERIOD_DAYS": 3,
    }
    return settings


@pytest.fixture
def localstripe(stripe_mode: Any, localstripe_url: str) -> str:
    stripe_mode.STREAMFLIX_BILLING = {
        **stripe_mode.STREAMFLIX_BILLING,
        "STRIPE_API_BASE": localstripe_url,
    }
    return localstripe_url


@pytest.fixture
def plans(db: Any) -> dict[str, Any]:
    from streamflix_billing.models import Plan

    made = {}
    for order, (slug, price, height, streams, profiles) in enumerate(
        [
            ("basic", 799, 720, 1, 1),
            ("standard", 1299, 1080, 2, 3),
            ("premium", 1799, 2160, 4, 5),
        ]
    ):
        made[slug] = Plan.objects.create(
            slug=slug,
            name=slug.title(),
            price_amount=price,
            currency="usd",
            max_video_height=height,
            max_concurrent_streams=streams,
            max_profiles=profiles,
            sort_order=order,
            stripe_price_id=f"price_{slug}",
        )
    return made


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user(email="viewer@example.com")


@pytest.fixture
def auth() -> Callable[[Any], dict[str, str]]:
    return bearer


def post_json(client: Any, path: str, body: dict[str, Any] | None = None, user: Any = None) -> Any:
    """POST ``body`` as JSON to ``path``, signed in as ``user`` when one is given."""
    api = JsonApi(client)
    return (api if user is None else api.as_user(user)).post(path, body or {})


@pytest.fixture
def fake_stripe_checkout(monkeypatch: Any) -> Callable[..., dict[str, Any]]:
    """Fake the two Stripe calls of a checkout (localstripe has no Checkout).

    ``fake_stripe_checkout(session_id=..., customer_id=...)`` returns the keyword arguments
    the gateway's ``checkout_session_create`` was called with, filled once it is.
    """
    from streamflix_billing.gateway import CheckoutSession, StripeGateway

    def install(session_id: str = "cs_1", customer_id: str = "cus_1") -> dict[str, Any]:
        seen: dict[str, Any] = {}

        def create(self: Any, **kwargs: Any) -> CheckoutSession:
            seen.update(kwargs)
            return CheckoutSession(id=session_id, url=f"https://checkout.stripe.test/{session_id}")

        monkeypatch.setattr(
            StripeGateway, "customer_ensure", lambda self, *, user, idempotency_key: customer_id
        )
        monkeypatch.setattr(StripeGateway, "checkout_session_create", create)
        return seen

    return install


def signed_headers(
    payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The ``Stripe-Signature`` header, made by the stripe SDK's own signing code."""
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp or int(time.time())
    )
    return {"HTTP_STRIPE_SIGNATURE": header}


def event_body(
    event_type: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None
) -> str:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": event_type,
            "created": created or int(time.time()),
            "data": {"object": obj},
        }
    )


@pytest.fixture
def send_event(client: Any) -> Callable[..., Any]:
    """``send_event(type, object, event_id=..., created=...)`` posts a correctly signed event."""

    def send(
        event_type: str,
        obj: dict[str, Any],
        *,
        event_id: str | None = None,
        created: int | None = None,
    ) -> Any:
        body = event_body(event_type, obj, event_id=event_id, created=created)
        return client.post(
            "/api/billing/webhooks/stripe",
            data=body,
            content_type="application/json",
            **signed_headers(body),
        )

    return send


def completed_checkout_session(payment: Any, *, session_id: str, intent_id: str) -> dict[str, Any]:
    """The ``checkout.session`` object Stripe sends when ``payment``'s one-off checkout is
    paid."""
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "payment_intent": intent_id,
        "amount_total": payment.amount,
        "metadata": {"payment_id": str(payment.pk)},
    }


def succeeded_payment(*, subscription: Any, amount: int = 1299) -> Any:
    """A payment of ``subscription``'s plan, paid now through the development gateway."""
    from django.utils import timezone

    from streamflix_billing.models import Payment, PaymentStatus

    return Payment.objects.create(
        user=subscription.user,
        subscription=subscription,
        plan=subscription.plan,
        amount=amount,
        currency="usd",
        status=PaymentStatus.SUCCEEDED,
        gateway="development",
        paid_at=timezone.now(),
    )


@pytest.fixture
def admin_client(client: Any, make_user: Any) -> Any:
    """A client signed in as a superuser (the admin's pages)."""
    admin = make_user(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client
