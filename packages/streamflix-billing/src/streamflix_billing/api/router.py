"""The billing plugin's API, mounted at ``/api/billing/``.

Billing is the account holder's business: every operation on the caller's own billing
(reads included: subscription, history, payments, gift codes) and every staff operation
refuses a session watching as a kids profile with 403 ``kids_profile``. Only the plan
catalogue and Stripe's webhook are open.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from streamflix_core.api.errors import ErrorOut, ValidationErrorOut
from streamflix_core.api.pagination import PageNumber
from streamflix_core.auth import StaffAccessTokenAuth, account_auth, require_account_session
from streamflix_core.errors import NotFound

from .. import selectors, services, webhooks
from .schemas import (
    ChangePlanIn,
    CheckoutIn,
    CheckoutOut,
    GiftIn,
    GiftOut,
    GiftRedeemIn,
    PaymentOut,
    PlanOut,
    RedirectOut,
    RefundIn,
    RefundOut,
    StaffPaymentOut,
    SubscriptionEventOut,
    SubscriptionOut,
    WebhookAck,
)

router = Router()


class StaffAccountSessionAuth(StaffAccessTokenAuth):
    """``staff_auth`` that also refuses a kids-profile session (403 ``kids_profile``), before
    the request body is parsed."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user:
            require_account_session(request)
        return user


staff_account_auth = StaffAccountSessionAuth()

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    402: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
    502: ErrorOut,
}
# A read of the caller's own billing: no token (401), a kids-profile session (403), a bad
# page (422).
ACCOUNT_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


@router.get("/plans", response=list[PlanOut])
def plan_list(request: HttpRequest) -> Any:
    """Plans on sale, cheapest first."""
    return selectors.plan_list()


@router.get("/plans/{slug}", response={200: PlanOut, 404: ErrorOut})
def plan_detail(request: HttpRequest, slug: str) -> Any:
    """One plan on sale (404 ``plan_not_found``)."""
    plan = selectors.plan_get(slug=slug)
    if plan is None:
        raise NotFound("No such plan.", code="plan_not_found")
    return plan


@router.get("/me/subscription", auth=account_auth, response={200: SubscriptionOut, **ERRORS})
def subscription_detail(request: HttpRequest) -> Any:
    """The caller's current subscription (or the last one that ended)."""
    subscription = selectors.subscription_current(user=request.user)
    if subscription is None:
        raise NotFound("You have no subscription.", code="no_subscription")
    return subscription


@router.get(
    "/me/subscription/history",
    auth=account_auth,
    response={200: list[SubscriptionEventOut], **ACCOUNT_READ_ERRORS},
)
@paginate(PageNumber)
def subscription_history(request: HttpRequest) -> Any:
    """The caller's subscription events, newest first."""
    return selectors.subscription_history(user=request.user)


@router.get(
    "/me/payments", auth=account_auth, response={200: list[PaymentOut], **ACCOUNT_READ_ERRORS}
)
@paginate(PageNumber)
def payment_list(request: HttpRequest) -> Any:
    """The caller's payments, newest first."""
    return selectors.payment_list(user=request.user)


@router.post("/checkout", auth=account_auth, response={200: CheckoutOut, **ERRORS})
def checkout_start(request: HttpRequest, payload: CheckoutIn) -> Any:
    """Open a checkout for a plan; the answer's ``url`` is where the customer pays."""
    session = services.checkout_start(
        user=request.user, plan_slug=payload.plan, promo_code=payload.promo_code or None
    )
    return {"url": session.url, "session_id": session.id}


@router.post("/portal", auth=account_auth, response={200: RedirectOut, **ERRORS})
def portal_open(request: HttpRequest) -> Any:
    """A customer-portal URL (payment methods, invoices)."""
    return {"url": services.portal_session_create(user=request.user)}


@router.post(
    "/me/subscription/cancel", auth=account_auth, response={200: SubscriptionOut, **ERRORS}
)
def subscription_cancel(request: HttpRequest) -> Any:
    """Cancel at the end of the paid period."""
    return services.subscription_cancel(user=request.user)


@router.post(
    "/me/subscription/resume", auth=account_auth, response={200: SubscriptionOut, **ERRORS}
)
def subscription_resume(request: HttpRequest) -> Any:
    """Undo a cancellation while the period runs (409 ``not_canceled``)."""
    return services.subscription_resume(user=request.user)


@router.post(
    "/me/subscription/change-plan", auth=account_auth, response={200: SubscriptionOut, **ERRORS}
)
def subscription_change_plan(request: HttpRequest, payload: ChangePlanIn) -> Any:
    """Move to another plan; Stripe prorates (409 ``same_plan``)."""
    return services.subscription_change_plan(user=request.user, plan_slug=payload.plan)


@router.post("/gifts", auth=account_auth, response={200: CheckoutOut, **ERRORS})
def gift_purchase(request: HttpRequest, payload: GiftIn) -> Any:
    """Buy months of a plan for an email address; the code is mailed once paid."""
    session = services.gift_purchase(
        user=request.user,
        plan_slug=payload.plan,
        months=payload.months,
        recipient_email=payload.recipient_email,
    )
    return {"url": session.url, "session_id": session.id}


@router.get("/me/gifts", auth=account_auth, response={200: list[GiftOut], **ACCOUNT_READ_ERRORS})
@paginate(PageNumber)
def gift_list(request: HttpRequest) -> Any:
    """Gifts the caller bought; a code shows once its payment succeeded."""
    return selectors.gift_list(purchaser=request.user)


@router.post("/gifts/redeem", auth=account_auth, response={200: SubscriptionOut, **ERRORS})
def gift_redeem(request: HttpRequest, payload: GiftRedeemIn) -> Any:
    """Start the subscription a paid gift code buys."""
    return services.gift_redeem(user=request.user, code=payload.code)


@router.get("/payments", auth=staff_account_auth, response={200: list[StaffPaymentOut], **ERRORS})
@paginate(PageNumber)
def payment_list_all(request: HttpRequest) -> Any:
    """Every payment (staff only)."""
    return selectors.payment_list()


@router.post(
    "/payments/{payment_id}/refund", auth=staff_account_auth, response={200: RefundOut, **ERRORS}
)
def payment_refund(request: HttpRequest, payment_id: int, payload: RefundIn) -> Any:
    """Refund a payment in full (no amount) or in part (staff only)."""
    return services.payment_refund(
        payment_id=payment_id,
        amount=payload.amount,
        reason=payload.reason,
        requested_by=request.user,
    )


@router.get("/refunds", auth=staff_account_auth, response={200: list[RefundOut], **ERRORS})
@paginate(PageNumber)
def refund_list(request: HttpRequest) -> Any:
    """Every refund, newest first (staff only)."""
    return selectors.refund_list()


@router.post("/webhooks/stripe", response={200: WebhookAck, 400: ErrorOut})
def stripe_webhook_receive(request: HttpRequest) -> Any:
    """Stripe's events. Signed with ``STRIPE_WEBHOOK_SECRET``; anything else is a 400."""
    event, duplicate = webhooks.webhook_event_receive(
        payload=request.body, signature=request.headers.get("Stripe-Signature")
    )
    return {"received": True, "duplicate": duplicate, "status": event.status}
