"""Stripe webhooks: verify, store first, apply once, in order.

:func:`webhook_event_receive` (``receiving``) verifies the signature (nothing is written
when it fails), stores the event under its unique id (a redelivery is acknowledged, not
applied again) and applies it. :func:`webhook_event_apply` (``dispatch``) runs one handler
in a transaction; a failure is recorded on the event and retried by a django-q2 task with a
growing delay. The handlers live in one module per event family: ``checkout``,
``subscriptions`` (which also keeps the order-safety rules), ``invoices`` and ``refunds``.
"""

from .checkout import on_checkout_completed, on_checkout_expired
from .dispatch import HANDLERS, webhook_event_apply, webhook_event_replay
from .handling import Ignored
from .invoices import on_invoice_paid, on_invoice_payment_failed
from .receiving import webhook_event_receive
from .refunds import on_charge_refunded, on_refund_updated
from .subscriptions import STRIPE_STATUS, on_subscription_changed, subscription_sync

__all__ = [
    "HANDLERS",
    "STRIPE_STATUS",
    "Ignored",
    "on_charge_refunded",
    "on_checkout_completed",
    "on_checkout_expired",
    "on_invoice_paid",
    "on_invoice_payment_failed",
    "on_refund_updated",
    "on_subscription_changed",
    "subscription_sync",
    "webhook_event_apply",
    "webhook_event_receive",
    "webhook_event_replay",
]
