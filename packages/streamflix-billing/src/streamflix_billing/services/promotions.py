"""Promo codes: creating them (and their Stripe twins), checking and counting redemptions."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from streamflix_core.errors import Conflict, InvalidInput

from ..gateway import get_gateway
from ..models import Plan, PromoCode

logger = logging.getLogger(__name__)


def promo_code_validate(*, code: str, plan: Plan | None = None) -> PromoCode:
    """The usable promo code ``code`` (case-insensitive), or a 422 ``promo_code_invalid``."""
    promo = PromoCode.objects.filter(code=code.strip().upper()).first()
    reason = None
    if promo is None or not promo.is_active:
        reason = "Unknown promo code."
    elif promo.expires_at is not None and promo.expires_at <= timezone.now():
        reason = "This promo code has expired."
    elif promo.max_redemptions is not None and promo.times_redeemed >= promo.max_redemptions:
        reason = "This promo code has been used up."
    elif (
        plan is not None
        and promo.amount_off is not None
        and promo.currency
        and promo.currency != plan.currency
    ):
        reason = "This promo code is for another currency."
    if reason or promo is None:
        raise InvalidInput(reason or "Unknown promo code.", code="promo_code_invalid")
    return promo


def promo_code_redeem(*, promo: PromoCode) -> None:
    """Count one redemption, refusing to pass ``max_redemptions`` even under concurrency."""
    updated = (
        PromoCode.objects.filter(pk=promo.pk)
        .filter(Q(max_redemptions__isnull=True) | Q(times_redeemed__lt=F("max_redemptions")))
        .update(times_redeemed=F("times_redeemed") + 1)
    )
    if not updated:
        logger.warning("Promo code %s redeemed past its maximum by a completed payment", promo.code)


def promo_code_create(
    *,
    code: str,
    percent_off: int | None = None,
    amount_off: int | None = None,
    currency: str = "",
    max_redemptions: int | None = None,
    expires_at: datetime | None = None,
) -> PromoCode:
    """Create a promo code and, with Stripe, its coupon and promotion code.

    422 ``invalid_discount`` unless exactly one of ``percent_off`` (1-100) and a positive
    ``amount_off`` is given; 409 ``promo_code_exists``. A gateway error writes nothing.
    """
    if (percent_off is None) == (amount_off is None):
        raise InvalidInput(
            "Give exactly one of percent_off and amount_off.", code="invalid_discount"
        )
    if percent_off is not None and not 1 <= percent_off <= 100:
        raise InvalidInput("percent_off must be between 1 and 100.", code="invalid_discount")
    if amount_off is not None and amount_off <= 0:
        raise InvalidInput("amount_off must be positive.", code="invalid_discount")
    code = code.strip().upper()
    if PromoCode.objects.filter(code=code).exists():
        raise Conflict("This promo code already exists.", code="promo_code_exists")
    with transaction.atomic():
        promo = PromoCode.objects.create(
            code=code,
            percent_off=percent_off,
            amount_off=amount_off,
            currency=currency.lower() if amount_off is not None else "",
            max_redemptions=max_redemptions,
            expires_at=expires_at,
        )
        promo_code_sync(promo=promo)
    return promo


def promo_code_sync(*, promo: PromoCode) -> None:
    """Create the Stripe coupon and promotion code of ``promo`` when missing."""
    if promo.stripe_promotion_code_id:
        return
    coupon_id, promotion_code_id = get_gateway().promotion_code_create(promo=promo)
    if promotion_code_id:
        promo.stripe_coupon_id, promo.stripe_promotion_code_id = coupon_id, promotion_code_id
        promo.save(update_fields=["stripe_coupon_id", "stripe_promotion_code_id"])
