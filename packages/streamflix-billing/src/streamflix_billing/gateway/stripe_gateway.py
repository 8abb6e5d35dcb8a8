"""The Stripe gateway: the only place that talks to Stripe."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import stripe

from streamflix_core.errors import Conflict, DomainError, PaymentFailed

from ..conf import settings
from ..models import Payment, Plan, PromoCode, Subscription
from .base import CheckoutSession, GatewayRefund, PaymentProviderError
from .budget import request_budget_seconds, stripe_call_budget_seconds

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _as_dict(obj: Any) -> dict[str, Any]:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


class StripeGateway:
    """The only place that talks to Stripe.

    Every write carries an idempotency key (customers and checkouts: a uuid stored on our
    row, which a database reset cannot hand out again), so an SDK retry or
    a repeated request never creates a second customer, session or refund. Every call has a
    timeout. A Stripe error is logged and raised as a domain error: a declined card is
    ``PaymentFailed`` (402), a request Stripe rejects a ``DomainError`` (400), everything else
    (outage, rate limit, bad keys) ``UpstreamFailed`` (502).

    One gateway serves one operation (one request), whose Stripe calls together get
    :func:`request_budget_seconds` from the first call: a call gets only the SDK
    retries that still fit, and one that cannot fit a single attempt is not made (502). So a
    hanging Stripe API answers the client a clean 502 before the HTTP server's worker timeout
    kills the worker (a system check keeps one call's budget within it).
    """

    name = "stripe"

    def __init__(self) -> None:
        config = settings()
        base = config.STRIPE_API_BASE or stripe.api_base
        client = stripe.StripeClient(
            config.STRIPE_SECRET_KEY,
            base_addresses={"api": base},
            max_network_retries=config.STRIPE_MAX_NETWORK_RETRIES,
            http_client=stripe.RequestsClient(
                timeout=(config.STRIPE_CONNECT_TIMEOUT_SECONDS, config.STRIPE_TIMEOUT_SECONDS)
            ),
        )
        self.api = client.v1

    # Set by the first call: the operation's Stripe budget runs from then.
    _deadline: float | None = None

    def _retries_that_fit(self, operation: str) -> int:
        config = settings()
        if self._deadline is None:
            self._deadline = time.monotonic() + request_budget_seconds()
        remaining = self._deadline - time.monotonic()
        for retries in range(config.STRIPE_MAX_NETWORK_RETRIES, -1, -1):
            budget = stripe_call_budget_seconds(
                connect_timeout=config.STRIPE_CONNECT_TIMEOUT_SECONDS,
                read_timeout=config.STRIPE_TIMEOUT_SECONDS,
                retries=retries,
            )
            if budget <= remaining:
                return retries
        logger.error(
            "Stripe %s not attempted: %.1f s left of the request budget", operation, remaining
        )
        raise PaymentProviderError(
            "The payment provider is answering too slowly; nothing was charged. Try again later."
        )

    def _call(self, operation: str, fn: Callable[[stripe.RequestOptions], T]) -> T:
        options: stripe.RequestOptions = {"max_network_retries": self._retries_that_fit(operation)}
        try:
            return fn(options)
        except stripe.CardError as exc:
            logger.warning("Stripe %s: card error %s", operation, exc.code)
            raise PaymentFailed(
                exc.user_message or "The card was declined.", code="card_declined"
            ) from exc
        except stripe.InvalidRequestError as exc:
            logger.error("Stripe %s rejected: %s", operation, exc.user_message or exc)
            raise DomainError(
                f"The payment provider rejected the request ({operation}).",
                code="payment_provider_rejected",
            ) from exc
        except (stripe.AuthenticationError, stripe.PermissionError) as exc:
            logger.error("Stripe %s: credentials refused: %s", operation, exc)
            raise PaymentProviderError(
                "The payment provider is misconfigured; try again later.",
                code="payment_provider_misconfigured",
            ) from exc
        except stripe.StripeError as exc:
            logger.error("Stripe %s failed: %s", operation, exc)
            raise PaymentProviderError(
                "The payment provider is unavailable; nothing was charged. Try again later."
            ) from exc

    def customer_ensure(self, *, user: Any, idempotency_key: str) -> str:
        customer = self._call(
            "customer.create",
            lambda opts: self.api.customers.create(
                params={"email": user.email, "metadata": {"user_id": str(user.pk)}},
                options={**opts, "idempotency_key": idempotency_key},
            ),
        )
        return customer.id

    def checkout_session_create(
        self,
        *,
        customer_id: str,
        payment: Payment,
        plan: Plan,
        promo: PromoCode | None,
        mode: str,
    ) -> CheckoutSession:
        config = settings()
        metadata = {key: str(value) for key, value in payment.metadata.items()}
        params: dict[str, Any] = {
            "mode": mode,
            "customer": customer_id,
            "client_reference_id": str(payment.pk),
            "success_url": config.SUCCESS_URL,
            "cancel_url": config.CANCEL_URL,
            "metadata": metadata,
            # Bounded, so the pending payment blocks a second checkout only this long.
            "expires_at": int(time.time()) + config.CHECKOUT_SESSION_MINUTES * 60,
        }
        if mode == "subscription":
            params["line_items"] = [{"price": plan.stripe_price_id, "quantity": 1}]
            params["subscription_data"] = {"metadata": metadata}
            if plan.trial_days:
                params["subscription_data"]["trial_period_days"] = plan.trial_days
        else:
            params["line_items"] = [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": payment.currency,
                        "unit_amount": payment.amount,
                        "product_data": {"name": payment.description or plan.name},
                    },
                }
            ]
            params["payment_intent_data"] = {"metadata": metadata}
        if promo is not None and promo.stripe_promotion_code_id:
            params["discounts"] = [{"promotion_code": promo.stripe_promotion_code_id}]
        session = self._call(
            "checkout.session.create",
            lambda opts: self.api.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={
                    **opts,
                    "idempotency_key": f"streamflix-checkout-{payment.idempotency_key}",
                },
            ),
        )
        return CheckoutSession(id=session.id, url=session.url or "")

    def portal_session_create(self, *, customer_id: str) -> str:
        session = self._call(
            "billing_portal.session.create",
            lambda opts: self.api.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": settings().PORTAL_RETURN_URL},
                options=opts,
            ),
        )
        return session.url

    def refund_create(
        self, *, payment: Payment, amount: int, idempotency_key: str
    ) -> GatewayRefund:
        if not payment.stripe_payment_intent_id:
            raise Conflict(
                "This payment has no Stripe payment intent to refund.",
                code="payment_not_refundable",
            )
        refund = self._call(
            "refund.create",
            lambda opts: self.api.refunds.create(
                params={
                    "payment_intent": payment.stripe_payment_intent_id,
                    "amount": amount,
                    "metadata": {"payment_id": str(payment.pk)},
                },
                options={**opts, "idempotency_key": idempotency_key},
            ),
        )
        return GatewayRefund(id=refund.id, status=refund.status or "pending")

    def subscription_retrieve(self, *, stripe_subscription_id: str) -> dict[str, Any]:
        found = self._call(
            "subscription.retrieve",
            lambda opts: self.api.subscriptions.retrieve(stripe_subscription_id, options=opts),
        )
        return _as_dict(found)

    def subscription_set_cancel_at_period_end(
        self, *, subscription: Subscription, cancel: bool
    ) -> None:
        sub_id = subscription.stripe_subscription_id or ""
        self._call(
            "subscription.update",
            lambda opts: self.api.subscriptions.update(
                sub_id, params={"cancel_at_period_end": cancel}, options=opts
            ),
        )

    def subscription_change_plan(self, *, subscription: Subscription, plan: Plan) -> None:
        current = self.subscription_retrieve(
            stripe_subscription_id=subscription.stripe_subscription_id or ""
        )
        item_id = current["items"]["data"][0]["id"]
        sub_id = subscription.stripe_subscription_id or ""
        # One key per change request (retries inside _call reuse it): a key derived from the
        # subscription and plan would be replayed by Stripe for A→B→A→B within its 24 hours.
        change_key = f"streamflix-plan-{subscription.pk}-{plan.pk}-{uuid.uuid4().hex}"
        self._call(
            "subscription.update",
            lambda opts: self.api.subscriptions.update(
                sub_id,
                params={
                    "items": [{"id": item_id, "price": plan.stripe_price_id}],
                    "proration_behavior": "create_prorations",
                    "metadata": {"plan": plan.slug},
                },
                options={**opts, "idempotency_key": change_key},
            ),
        )

    def subscription_cancel_now(self, *, stripe_subscription_id: str) -> None:
        self._call(
            "subscription.cancel",
            lambda opts: self.api.subscriptions.cancel(stripe_subscription_id, options=opts),
        )

    def promotion_code_create(self, *, promo: PromoCode) -> tuple[str, str]:
        # A coupon id derived from the code keeps a retried creation from making a second one.
        coupon_params: dict[str, Any] = {"id": f"streamflix-{promo.code}", "duration": "once"}
        if promo.percent_off is not None:
            coupon_params["percent_off"] = promo.percent_off
        else:
            coupon_params["amount_off"] = promo.amount_off
            coupon_params["currency"] = promo.currency or settings().CURRENCY
        if promo.expires_at is not None:
            coupon_params["redeem_by"] = int(promo.expires_at.timestamp())
        if promo.max_redemptions is not None:
            coupon_params["max_redemptions"] = promo.max_redemptions
        coupon = self._call(
            "coupon.create",
            lambda opts: self.api.coupons.create(
                params=coupon_params,  # type: ignore[arg-type]
                options={**opts, "idempotency_key": f"streamflix-coupon-{promo.pk}"},
            ),
        )
        code = self._call(
            "promotion_code.create",
            lambda opts: self.api.promotion_codes.create(
                params={"coupon": coupon.id, "code": promo.code},  # type: ignore[typeddict-item]
                options={**opts, "idempotency_key": f"streamflix-promotion-code-{promo.pk}"},
            ),
        )
        return coupon.id, code.id
