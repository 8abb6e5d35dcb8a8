"""Stripe's time budget against the HTTP worker timeout, with a Stripe API that hangs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import checks

from streamflix_billing.gateway import (
    PaymentProviderError,
    StripeGateway,
    configured_stripe_call_budget_seconds,
)
from streamflix_billing.models import Payment

from .conftest import post_json


class HangingServer:
    """Accepts connections and never answers, like a Stripe API that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.accepted: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted.append(connection)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        for connection in self.accepted:
            connection.close()
        self.sock.close()


@pytest.fixture
def hanging_stripe(stripe_mode: Any) -> Iterator[HangingServer]:
    server = HangingServer()
    stripe_mode.STREAMFLIX_BILLING = {
        **stripe_mode.STREAMFLIX_BILLING,
        "STRIPE_API_BASE": server.url,
    }
    try:
        yield server
    finally:
        server.close()


def billing_messages() -> dict[str, Any]:
    return {m.id: m for m in checks.run_checks() if m.id and m.id.startswith("streamflix_billing")}


def test_default_stripe_budget_fits_the_default_worker_timeout(settings):
    settings.STREAMFLIX_BILLING = {}
    # 2 attempts x (3 s connect + 8 s read) + 0.5 s backoff, plus 5 s headroom, within 30 s.
    assert configured_stripe_call_budget_seconds() == 22.5
    assert "streamflix_billing.E001" not in billing_messages()


def test_stripe_budget_beyond_the_worker_timeout_is_a_system_error(settings):
    # The old defaults: 3 attempts x 10 s (+ connect and backoff) cannot fit 30 s.
    settings.STREAMFLIX_BILLING = {"STRIPE_TIMEOUT_SECONDS": 10.0, "STRIPE_MAX_NETWORK_RETRIES": 2}
    error = billing_messages()["streamflix_billing.E001"]
    assert error.level == checks.ERROR
    assert "exceeds the HTTP worker timeout of 30 s" in error.msg


def test_a_shorter_worker_timeout_makes_the_default_budget_an_error(settings):
    settings.STREAMFLIX_BILLING = {}
    settings.STREAMFLIX_CORE = {"HTTP_WORKER_TIMEOUT_SECONDS": 20}
    assert "streamflix_billing.E001" in billing_messages()
    settings.STREAMFLIX_CORE = {"HTTP_WORKER_TIMEOUT_SECONDS": 28}
    assert "streamflix_billing.E001" not in billing_messages()


def test_development_gateway_with_debug_off_warns(settings):
    settings.DEBUG = False
    settings.STREAMFLIX_BILLING = {}
    warning = billing_messages()["streamflix_billing.W001"]
    assert warning.level == checks.WARNING
    assert "development gateway" in warning.msg


def test_development_gateway_with_debug_on_or_stripe_keys_does_not_warn(settings):
    settings.STREAMFLIX_BILLING = {}
    settings.DEBUG = True
    assert "streamflix_billing.W001" not in billing_messages()
    settings.DEBUG = False
    settings.STREAMFLIX_BILLING = {"STRIPE_SECRET_KEY": "sk_test_x"}
    assert "streamflix_billing.W001" not in billing_messages()


def test_hanging_stripe_api_answers_a_clean_502_within_the_call_budget(
    client, user, plans, hanging_stripe, settings
):
    settings.STREAMFLIX_BILLING = {
        **settings.STREAMFLIX_BILLING,
        "STRIPE_CONNECT_TIMEOUT_SECONDS": 0.5,
        "STRIPE_TIMEOUT_SECONDS": 0.5,
        "STRIPE_MAX_NETWORK_RETRIES": 1,
    }
    budget = configured_stripe_call_budget_seconds()  # 2 x (0.5 + 0.5) + 0.5 = 2.5 s
    client.get("/api/billing/plans")  # the first request builds the API; not Stripe's time
    started = time.monotonic()
    response = post_json(client, "/api/billing/checkout", {"plan": "standard"}, user)
    elapsed = time.monotonic() - started
    assert response.status_code == 502
    assert response.json()["code"] == "payment_provider_unavailable"
    assert not Payment.objects.exists()
    assert len(hanging_stripe.accepted) == 2  # the first attempt and the SDK's one retry
    assert elapsed < budget + 1.0


def test_calls_that_no_longer_fit_the_request_budget_get_fewer_retries_then_none(
    db, hanging_stripe, settings
):
    # A 1 s request budget (6 s worker timeout less 5 s headroom); one attempt takes 0.7 s.
    settings.STREAMFLIX_CORE = {"HTTP_WORKER_TIMEOUT_SECONDS": 6}
    settings.STREAMFLIX_BILLING = {
        **settings.STREAMFLIX_BILLING,
        "STRIPE_CONNECT_TIMEOUT_SECONDS": 0.3,
        "STRIPE_TIMEOUT_SECONDS": 0.4,
        "STRIPE_MAX_NETWORK_RETRIES": 1,
    }
    gateway = StripeGateway()
    with pytest.raises(PaymentProviderError):
        gateway.subscription_retrieve(stripe_subscription_id="sub_1")
    # Two attempts (1.9 s) did not fit the budget: the SDK's retry was left out.
    assert len(hanging_stripe.accepted) == 1
    with pytest.raises(PaymentProviderError, match="answering too slowly"):
        gateway.subscription_retrieve(stripe_subscription_id="sub_1")
    time.sleep(0.2)
    assert len(hanging_stripe.accepted) == 1
