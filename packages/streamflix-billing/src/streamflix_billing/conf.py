"""``STREAMFLIX_BILLING`` settings: fields and defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BillingSettings:
    """Settings of the billing plugin.

    Attributes:
        STRIPE_SECRET_KEY: the Stripe secret API key. Empty (the default) selects the local
            development gateway: a simulated checkout page, no account anywhere.
        STRIPE_WEBHOOK_SECRET: the signing secret of the Stripe webhook endpoint
            (``whsec_...``). Without it every webhook is refused with 400.
        STRIPE_API_BASE: another Stripe API base URL (a localstripe server in tests);
            empty means the SDK's default.
        STRIPE_CONNECT_TIMEOUT_SECONDS: how long one attempt of a Stripe call may wait to
            connect.
        STRIPE_TIMEOUT_SECONDS: how long one attempt of a Stripe call may wait for the answer
            (the read timeout).
        STRIPE_MAX_NETWORK_RETRIES: how often the SDK retries a failed call (with the same
            idempotency key, so a retry never charges twice). One call can take
            ``(retries + 1) x (connect + read timeout)`` plus the SDK's backoff (0.5 s, 1 s,
            2 s, ... up to 5 s between attempts); a system check (``streamflix_billing.E001``)
            requires that plus 5 s to fit ``STREAMFLIX_CORE["HTTP_WORKER_TIMEOUT_SECONDS"]``.
            The defaults take at most 2 x (3 + 8) + 0.5 = 22.5 s, within 30 s.
        WEBHOOK_TOLERANCE_SECONDS: how old a signed webhook may be before it is refused as stale.
        WEBHOOK_MAX_ATTEMPTS: how often a failing webhook handler is tried before it waits
            for a replay from the admin.
        WEBHOOK_RETRY_DELAY_SECONDS: delay before the first retry; doubled on each attempt.
        GATEWAY: ``"auto"`` (Stripe when a secret key is set, else development),
            ``"stripe"`` or ``"development"``.
        SUCCESS_URL: where checkout sends the customer after paying (never from the client).
        CANCEL_URL: where checkout sends the customer who gives up.
        CHECKOUT_SESSION_MINUTES: how long a Stripe checkout session can be paid (Stripe
            accepts 30 to 1440). While a subscription checkout of the user is that young, a
            new one is refused (409 ``checkout_pending``), so nobody pays twice.
        PORTAL_RETURN_URL: where the Stripe customer portal's "back" link points.
        CURRENCY: ISO 4217 code (lower case) of plans created without one and of gifts.
        GRACE_PERIOD_DAYS: days after the period end during which a ``past_due``
            subscription still plays.
        GIFT_MAX_MONTHS: the longest gift one can buy.
        GIFT_CODE_VALID_DAYS: how long a paid gift code can be redeemed.
    """

    STRIPE_SECRET_KEY: str = ""
    STRIPE_WEBHOOK_SECRET: str = ""
    STRIPE_API_BASE: str = ""
    STRIPE_CONNECT_TIMEOUT_SECONDS: float = 3.0
    STRIPE_TIMEOUT_SECONDS: float = 8.0
    STRIPE_MAX_NETWORK_RETRIES: int = 1
    WEBHOOK_TOLERANCE_SECONDS: int = 300
    WEBHOOK_MAX_ATTEMPTS: int = 5
    WEBHOOK_RETRY_DELAY_SECONDS: int = 60
    GATEWAY: str = "auto"
    SUCCESS_URL: str = "http://localhost:8000/?checkout=success"
    CANCEL_URL: str = "http://localhost:8000/?checkout=cancel"
    CHECKOUT_SESSION_MINUTES: int = 30
    PORTAL_RETURN_URL: str = "http://localhost:8000/"
    CURRENCY: str = "usd"
    GRACE_PERIOD_DAYS: int = 3
    GIFT_MAX_MONTHS: int = 24
    GIFT_CODE_VALID_DAYS: int = 365


def settings() -> BillingSettings:
    """The billing plugin's settings, merged over the defaults above."""
    from streamflix_core.conf import plugin_settings

    from .plugin import plugin

    return plugin_settings(plugin)
