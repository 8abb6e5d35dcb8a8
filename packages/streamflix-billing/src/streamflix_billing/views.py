"""Plain Django views: the development gateway's pages and the admin billing dashboard."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from streamflix_core.errors import DomainError

from . import selectors, services
from .conf import settings
from .gateway import DEV_PORTAL_MAX_AGE_SECONDS, DEV_PORTAL_SALT, gateway_name
from .models import Customer, Payment, PaymentPurpose


def _development_only() -> None:
    if gateway_name() != "development":
        raise Http404("The development gateway is off.")


@require_http_methods(["GET", "POST"])
def dev_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """The simulated checkout page: "Pay" or "Decline" finishes the payment."""
    _development_only()
    payment = (
        Payment.objects.select_related("plan", "promo_code")
        .filter(stripe_checkout_session_id=session_id, gateway="development")
        .first()
    )
    if payment is None:
        raise Http404("No such checkout.")
    error = ""
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        if outcome not in ("pay", "decline"):
            error = "Choose Pay or Decline."
        else:
            try:
                payment = services.development_checkout_complete(
                    session_id=session_id, succeed=outcome == "pay"
                )
            except DomainError as exc:
                error = exc.detail
            else:
                config = settings()
                return redirect(config.SUCCESS_URL if outcome == "pay" else config.CANCEL_URL)
    context = {
        "payment": payment,
        "is_gift": payment.purpose == PaymentPurpose.GIFT,
        "error": error,
    }
    return render(
        request,
        "streamflix_billing/dev_checkout.html",
        context,
        status=400 if error else 200,
    )


def dev_portal(request: HttpRequest, token: str) -> HttpResponse:
    """The development stand-in for Stripe's customer portal: what the customer has.

    ``token`` is the signed, hour-long link the portal endpoint handed out; anything else
    is a 404, so nobody reads another customer's page by guessing its id.
    """
    _development_only()
    try:
        customer_id = signing.loads(token, salt=DEV_PORTAL_SALT, max_age=DEV_PORTAL_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:
        raise Http404("This portal link is invalid or has expired.") from exc
    customer = (
        Customer.objects.select_related("user").filter(stripe_customer_id=customer_id).first()
    )
    if customer is None:
        raise Http404("No such customer.")
    context = {
        "customer": customer,
        "subscription": selectors.subscription_current(user=customer.user),
        "payments": selectors.payment_list(user=customer.user)[:20],
        "return_url": settings().PORTAL_RETURN_URL,
    }
    return render(request, "streamflix_billing/dev_portal.html", context)


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Admin: subscribers, MRR, churn and revenue per month, recent transactions."""
    report = selectors.billing_report()
    peak_revenue = max([m["revenue"] for m in report["months"]] + [1])
    peak_churn = max(
        [m["churned"] for m in report["months"]] + [m["new"] for m in report["months"]] + [1]
    )
    for month in report["months"]:
        month["revenue_pct"] = round(100 * max(month["revenue"], 0) / peak_revenue)
        month["churn_pct"] = round(100 * month["churned"] / peak_churn)
        month["new_pct"] = round(100 * month["new"] / peak_churn)
    context = {
        **admin.site.each_context(request),
        "title": "Billing dashboard",
        "report": report,
        "recent": selectors.payment_list().select_related("user")[:15],
    }
    return render(request, "streamflix_billing/dashboard.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _transaction_rows() -> Any:
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            "id",
            "created_at",
            "paid_at",
            "user_email",
            "purpose",
            "plan",
            "amount",
            "amount_refunded",
            "currency",
            "status",
            "gateway",
            "stripe_payment_intent_id",
            "stripe_invoice_id",
        ]
    )
    payments = selectors.payment_list().select_related("user", "plan").iterator(chunk_size=500)
    for p in payments:
        yield writer.writerow(
            [
                p.pk,
                p.created_at.isoformat(),
                p.paid_at.isoformat() if p.paid_at else "",
                getattr(p.user, "email", "") or p.deleted_user_email,
                p.purpose,
                p.plan.slug if p.plan else "",
                p.amount,
                p.amount_refunded,
                p.currency,
                p.status,
                p.gateway,
                p.stripe_payment_intent_id,
                p.stripe_invoice_id or "",
            ]
        )


@staff_member_required
def transactions_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Admin: every payment as CSV (streamed)."""
    response = StreamingHttpResponse(_transaction_rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="streamflix-transactions.csv"'
    return response
