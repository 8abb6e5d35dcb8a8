"""The mapping between users and their customer at the payment gateway."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from streamflix_core.errors import Conflict

from ..gateway import Gateway, get_gateway
from ..models import Customer


def customer_ensure(*, user: Any, gateway: Gateway | None = None) -> Customer:
    """The user's gateway customer, created at the provider (idempotently) when missing.

    Kept even when the caller's transaction later fails: the customer exists at the provider
    as soon as it answers, and a retry reuses it.
    """
    gateway = gateway or get_gateway()
    # The row (and its idempotency key) exists before the gateway is asked, so a retry
    # after a lost answer reuses the key and gets the same customer back.
    customer, _ = Customer.objects.get_or_create(user=user)
    if customer.stripe_customer_id and _customer_matches(customer, gateway):
        return customer
    customer.stripe_customer_id = gateway.customer_ensure(
        user=user, idempotency_key=f"streamflix-customer-{customer.idempotency_key}"
    )
    customer.save(update_fields=["stripe_customer_id"])
    return customer


def _customer_matches(customer: Customer, gateway: Gateway) -> bool:
    is_dev = (customer.stripe_customer_id or "").startswith("dev_")
    return is_dev == (gateway.name == "development")


def portal_session_create(*, user: Any) -> str:
    """A customer-portal URL for ``user`` (409 ``no_customer`` before any checkout)."""
    customer = Customer.objects.filter(user=user).exclude(stripe_customer_id=None).first()
    if customer is None or not customer.stripe_customer_id:
        raise Conflict("You have no billing account yet.", code="no_customer")
    return get_gateway().portal_session_create(customer_id=customer.stripe_customer_id)


def user_for_customer(customer_id: str, metadata: dict[str, Any]) -> Any:
    """The user a Stripe object belongs to: its ``user_id`` metadata, else the customer."""
    user_model: Any = get_user_model()
    user_id = (metadata or {}).get("user_id")
    if user_id:
        user = user_model.objects.filter(pk=user_id).first()
        if user is not None:
            return user
    customer = (
        Customer.objects.select_related("user").filter(stripe_customer_id=customer_id).first()
    )
    return customer.user if customer else None
