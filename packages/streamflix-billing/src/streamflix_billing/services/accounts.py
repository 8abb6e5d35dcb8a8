"""What billing does when an account is deleted: keep the books, stop the billing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from streamflix_core.users import email_of

from ..models import LIVE_STATUSES, Payment, Subscription


def account_billing_release(*, user: Any) -> None:
    """Prepare billing for the deletion of ``user`` (runs in the deleting transaction).

    Payments stay (the foreign key is set to NULL) and remember who paid; a live Stripe
    subscription would keep charging a deleted account, so it is canceled at Stripe once
    the deletion commits (a django-q2 task).
    """
    Payment.objects.filter(user=user).update(
        deleted_user_id=user.pk, deleted_user_email=email_of(user)
    )
    stripe_ids = list(
        Subscription.objects.filter(user=user, gateway="stripe", status__in=LIVE_STATUSES)
        .exclude(stripe_subscription_id=None)
        .values_list("stripe_subscription_id", flat=True)
    )

    def cancel() -> None:
        from django_q.tasks import async_task

        for stripe_id in stripe_ids:
            async_task("streamflix_billing.tasks.stripe_subscription_cancel", stripe_id)

    if stripe_ids:
        transaction.on_commit(cancel)


def on_user_pre_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    account_billing_release(user=instance)
