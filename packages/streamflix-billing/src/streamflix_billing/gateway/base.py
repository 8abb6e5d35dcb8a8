"""What billing asks of a payment provider, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from streamflix_core.errors import UpstreamFailed

from ..models import Payment, Plan, PromoCode, Subscription


class PaymentProviderError(UpstreamFailed):
    """The payment provider failed or is unreachable; nothing was written."""

    code = "payment_provider_unavailable"


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    status: str


class Gateway(Protocol):
    """What billing asks of a payment provider; :class:`StripeGateway` and
    :class:`DevelopmentGateway` answer it."""

    name: str

    def customer_ensure(self, *, user: Any, idempotency_key: str) -> str: ...

    def checkout_session_create(
        self,
        *,
        customer_id: str,
        payment: Payment,
        plan: Plan,
        promo: PromoCode | None,
        mode: str,
    ) -> CheckoutSession: ...

    def portal_session_create(self, *, customer_id: str) -> str: ...

    def refund_create(
        self, *, payment: Payment, amount: int, idempotency_key: str
    ) -> GatewayRefund: ...

    def subscription_retrieve(self, *, stripe_subscription_id: str) -> dict[str, Any]: ...

    def subscription_set_cancel_at_period_end(
        self, *, subscription: Subscription, cancel: bool
    ) -> None: ...

    def subscription_change_plan(self, *, subscription: Subscription, plan: Plan) -> None: ...

    def subscription_cancel_now(self, *, stripe_subscription_id: str) -> None: ...

    def promotion_code_create(self, *, promo: PromoCode) -> tuple[str, str]: ...
