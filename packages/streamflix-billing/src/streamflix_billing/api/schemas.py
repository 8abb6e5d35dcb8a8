"""Billing API schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import StrictInt, field_validator

from streamflix_core.api.account_schemas import EMAIL_PATTERN, clean_email


class PlanOut(Schema):
    slug: str
    name: str
    description: str
    price_amount: int = Field(description="Minor units.")
    currency: str
    interval: str
    trial_days: int
    features: list[Any]
    max_profiles: int
    max_concurrent_streams: int
    max_video_height: int


class SubscriptionOut(Schema):
    id: int
    plan: PlanOut
    status: str
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    canceled_at: datetime | None
    days_remaining: int
    gateway: str


class SubscriptionEventOut(Schema):
    id: int
    subscription_id: int
    kind: str
    occurred_at: datetime
    plan: str = Field(alias="plan.slug", description="The plan when the event happened.")
    data: dict[str, Any]


class PaymentOut(Schema):
    id: int
    amount: int = Field(description="Minor units.")
    amount_refunded: int
    currency: str
    status: str
    purpose: str
    description: str
    plan: str | None = Field(None, alias="plan.slug")
    created_at: datetime
    paid_at: datetime | None


class StaffPaymentOut(PaymentOut):
    user_id: int | None = Field(description="Null once the payer deleted their account.")
    deleted_user_id: int | None
    deleted_user_email: str
    subscription_id: int | None
    gateway: str
    stripe_payment_intent_id: str
    stripe_invoice_id: str | None
    metadata: dict[str, Any]


class RefundIn(Schema):
    amount: int | None = Field(None, ge=1, description="Minor units; omit for all that is left.")
    reason: str = Field("", max_length=200)


class RefundOut(Schema):
    id: int
    payment_id: int
    amount: int
    currency: str = Field(alias="payment.currency")
    reason: str
    status: str
    requested_by_id: int | None
    created_at: datetime


class CheckoutIn(Schema):
    plan: str = Field(min_length=1, max_length=60)
    promo_code: str | None = Field(None, max_length=40)


class RedirectOut(Schema):
    url: str


class CheckoutOut(RedirectOut):
    session_id: str


class ChangePlanIn(Schema):
    plan: str = Field(min_length=1, max_length=60)


class GiftIn(Schema):
    plan: str = Field(min_length=1, max_length=60)
    months: StrictInt = Field(ge=1)
    recipient_email: str = Field(max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN})

    @field_validator("recipient_email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        return clean_email(value).lower()


class GiftOut(Schema):
    id: int
    plan: str = Field(alias="plan.slug")
    months: int
    recipient_email: str
    status: str
    code: str | None = Field(None, description="Shown once the gift is paid.")
    expires_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_code(obj: Any) -> str | None:
        return obj.code if obj.status != "pending_payment" else None


class GiftRedeemIn(Schema):
    code: str = Field(min_length=4, max_length=40)


class PromoCodeOut(Schema):
    code: str
    percent_off: int | None
    amount_off: int | None
    currency: str
    expires_at: datetime | None


class WebhookAck(Schema):
    received: bool
    duplicate: bool
    status: str
