"""Billing writes. Keyword-only, named ``<thing>_<action>``, transactional.

A call to the payment gateway happens inside the transaction that records its result, so
a gateway error rolls back everything the call would have written. The one exception is the
customer mapping (:func:`customer_ensure`), which is true as soon as the provider has the
customer and is kept so a retry reuses it.

Each family lives in its own module; every public name is importable from here.
"""

from .checkout import checkout_session_open, checkout_start
from .customers import customer_ensure, portal_session_create, user_for_customer
from .development import (
    development_checkout_complete,
    subscription_renew_local,
    subscriptions_renew_local,
)
from .gifts import gift_follow_refunds, gift_mark_paid, gift_purchase, gift_redeem
from .payments_refunds import (
    payment_amount_refunded_update,
    payment_mark_succeeded,
    payment_refund,
    refund_status_for,
)
from .plans import add_months, period_end_after, plan_on_sale
from .promotions import promo_code_create, promo_code_redeem, promo_code_sync, promo_code_validate
from .subscription_changes import subscription_cancel, subscription_change_plan, subscription_resume
from .subscriptions import (
    ENTITLED_STATUSES,
    subscription_announce,
    subscription_event_record,
    subscription_live_for,
    subscription_start_local,
    subscriptions_expire,
)

__all__ = [
    "ENTITLED_STATUSES",
    "add_months",
    "checkout_session_open",
    "checkout_start",
    "customer_ensure",
    "development_checkout_complete",
    "gift_follow_refunds",
    "gift_mark_paid",
    "gift_purchase",
    "gift_redeem",
    "payment_amount_refunded_update",
    "payment_mark_succeeded",
    "payment_refund",
    "period_end_after",
    "plan_on_sale",
    "portal_session_create",
    "promo_code_create",
    "promo_code_redeem",
    "promo_code_sync",
    "promo_code_validate",
    "refund_status_for",
    "subscription_announce",
    "subscription_cancel",
    "subscription_change_plan",
    "subscription_event_record",
    "subscription_live_for",
    "subscription_renew_local",
    "subscription_resume",
    "subscription_start_local",
    "subscriptions_expire",
    "subscriptions_renew_local",
    "user_for_customer",
]
