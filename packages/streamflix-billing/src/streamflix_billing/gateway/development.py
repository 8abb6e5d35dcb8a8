"""The development gateway: checkout, portal and subscriptions with no provider behind them."""

from __future__ import annotations

import secrets
from typing import Any

from django.core import signing
from django.urls import reverse

from streamflix_core.errors import DomainError

from ..models import Payment, Plan, PromoCode, Subscription
from .base import CheckoutSession, GatewayRefund

DEV_PORTAL_SALT = "streamflix_billing.dev-portal"
DEV_PORTAL_MAX_AGE_SECONDS = 3600


class DevelopmentGateway:
    """The same interface with no provider behind it: the demo works without an account.

    Checkout returns the URL of the simulated checkout page; its "Pay" and "Decline" buttons
    call :func:`streamflix_billing.services.development.development_checkout_complete`,
    which runs the internal services a Stripe webhook would. Subscription changes are local
    only, and renewals come from the ``billing-development-renewals`` schedule.
    """

    name = "development"

    def customer_ensure(self, *, user: Any, idempotency_key: str) -> str:
        return f"dev_cus_{user.pk}"

    def checkout_session_create(
        self,
        *,
        customer_id: str,
        payment: Payment,
        plan: Plan,
        promo: PromoCode | None,
        mode: str,
    ) -> CheckoutSession:
        session_id = f"dev_cs_{secrets.token_urlsafe(18)}"
        url = reverse("billing:dev-checkout", args=[session_id])
        return CheckoutSession(id=session_id, url=url)

    def portal_session_create(self, *, customer_id: str) -> str:
        # Signed and short-lived, like a Stripe portal session: customer ids are guessable.
        token = signing.dumps(customer_id, salt=DEV_PORTAL_SALT)
        return reverse("billing:dev-portal", args=[token])

    def refund_create(
        self, *, payment: Payment, amount: int, idempotency_key: str
    ) -> GatewayRefund:
        return GatewayRefund(id=f"dev_re_{secrets.token_hex(8)}", status="succeeded")

    def subscription_retrieve(self, *, stripe_subscription_id: str) -> dict[str, Any]:
        raise DomainError(
            "The development gateway keeps no remote subscriptions.",
            code="not_supported",
        )

    def subscription_set_cancel_at_period_end(
        self, *, subscription: Subscription, cancel: bool
    ) -> None:
        return None

    def subscription_change_plan(self, *, subscription: Subscription, plan: Plan) -> None:
        return None

    def subscription_cancel_now(self, *, stripe_subscription_id: str) -> None:
        return None

    def promotion_code_create(self, *, promo: PromoCode) -> tuple[str, str]:
        return "", ""
