"""The time budget of Stripe calls: one call (timeouts, retries and the SDK's backoff) and
all the calls of one HTTP request, which must end before the HTTP worker's timeout."""

from __future__ import annotations

import stripe

from ..conf import settings

REQUEST_HEADROOM_SECONDS = 5.0
"""Time an HTTP request needs besides its Stripe calls (its own queries, the response): the
Stripe budget must leave this much of the HTTP worker timeout."""


def _backoff_seconds(retries: int) -> float:
    """The longest the Stripe SDK sleeps before its retries (jitter only shortens it)."""
    delays = (
        min(stripe.HTTPClient.INITIAL_DELAY * 2 ** (n - 1), stripe.HTTPClient.MAX_DELAY)
        for n in range(1, retries + 1)
    )
    return sum(max(stripe.HTTPClient.INITIAL_DELAY, delay) for delay in delays)


def stripe_call_budget_seconds(
    *, connect_timeout: float, read_timeout: float, retries: int
) -> float:
    """The longest one Stripe call can take: every attempt may spend its connect and read
    timeouts, with the SDK's backoff between attempts."""
    return (retries + 1) * (connect_timeout + read_timeout) + _backoff_seconds(retries)


def configured_stripe_call_budget_seconds() -> float:
    """:func:`stripe_call_budget_seconds` of the configured timeouts and retries."""
    config = settings()
    return stripe_call_budget_seconds(
        connect_timeout=config.STRIPE_CONNECT_TIMEOUT_SECONDS,
        read_timeout=config.STRIPE_TIMEOUT_SECONDS,
        retries=config.STRIPE_MAX_NETWORK_RETRIES,
    )


def request_budget_seconds() -> float:
    """The time Stripe calls of one HTTP request may take together: the HTTP worker timeout
    (``STREAMFLIX_CORE["HTTP_WORKER_TIMEOUT_SECONDS"]``) less :data:`REQUEST_HEADROOM_SECONDS`."""
    from streamflix_core.conf import settings as core_settings

    return core_settings().HTTP_WORKER_TIMEOUT_SECONDS - REQUEST_HEADROOM_SECONDS
