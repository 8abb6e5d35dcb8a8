"""Payment gateways: every call to Stripe goes through :class:`StripeGateway`.

:class:`DevelopmentGateway` has the same interface and needs no account: its checkout is a
simulated page served by this plugin (``/billing/dev/checkout/<session>/``) whose buttons
drive the same internal services a Stripe webhook would. :func:`get_gateway` picks one from
``STREAMFLIX_BILLING["GATEWAY"]`` (``auto``: Stripe when a secret key is set).
"""

from __future__ import annotations

from ..conf import settings
from .base import CheckoutSession, Gateway, GatewayRefund, PaymentProviderError
from .budget import (
    REQUEST_HEADROOM_SECONDS,
    configured_stripe_call_budget_seconds,
    request_budget_seconds,
    stripe_call_budget_seconds,
)
from .development import DEV_PORTAL_MAX_AGE_SECONDS, DEV_PORTAL_SALT, DevelopmentGateway
from .stripe_gateway import StripeGateway

__all__ = [
    "DEV_PORTAL_MAX_AGE_SECONDS",
    "DEV_PORTAL_SALT",
    "REQUEST_HEADROOM_SECONDS",
    "CheckoutSession",
    "DevelopmentGateway",
    "Gateway",
    "GatewayRefund",
    "PaymentProviderError",
    "StripeGateway",
    "configured_stripe_call_budget_seconds",
    "gateway_name",
    "get_gateway",
    "request_budget_seconds",
    "stripe_call_budget_seconds",
]


def gateway_name() -> str:
    """``"stripe"`` or ``"development"``, as configured."""
    config = settings()
    if config.GATEWAY == "auto":
        return "stripe" if config.STRIPE_SECRET_KEY else "development"
    return config.GATEWAY


def get_gateway() -> Gateway:
    """The configured gateway (a fresh instance: settings may change in tests)."""
    if gateway_name() == "stripe":
        return StripeGateway()
    return DevelopmentGateway()
