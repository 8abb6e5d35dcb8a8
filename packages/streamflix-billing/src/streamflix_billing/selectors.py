"""Billing reads, each a bounded number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from streamflix_core.selectors import per_day

from .conf import settings
from .models import (
    LIVE_STATUSES,
    PAID_STATUSES,
    TERMINAL_STATUSES,
    EventKind,
    Gift,
    Interval,
    Payment,
    Plan,
    Refund,
    Subscription,
    SubscriptionEvent,
    SubscriptionStatus,
)


def plan_list() -> QuerySet[Plan]:
    """Plans on sale, in display order (``sort_order``, then price)."""
    return Plan.objects.filter(is_active=True)


def plan_get(*, slug: str) -> Plan | None:
    """The plan on sale under ``slug``, or ``None``."""
    return Plan.objects.filter(slug=slug, is_active=True).first()


def subscription_current(*, user: Any) -> Subscription | None:
    """The user's live subscription, else the most recent one (one query)."""
    return (
        Subscription.objects.select_related("plan")
        .filter(user=user)
        .order_by(
            # A live subscription first, then the newest ended one.
            Case(When(status__in=[s.value for s in LIVE_STATUSES], then=0), default=1),
            "-created_at",
            "-id",
        )
        .first()
    )


def subscription_history(*, user: Any) -> QuerySet[SubscriptionEvent]:
    """Every event of the user's subscriptions, newest first, with the plan each happened on."""
    return (
        SubscriptionEvent.objects.filter(subscription__user=user)
        .select_related("plan")
        .order_by("-occurred_at", "-id")
    )


def payment_list(*, user: Any = None) -> QuerySet[Payment]:
    """Payments (the user's, or all), newest first, with the plan."""
    payments = Payment.objects.select_related("plan").order_by("-created_at", "-id")
    return payments.filter(user=user) if user is not None else payments


def refund_list() -> QuerySet[Refund]:
    """Every refund, newest first, with its payment."""
    return Refund.objects.select_related("payment").order_by("-created_at", "-id")


def gift_list(*, purchaser: Any) -> QuerySet[Gift]:
    """Gifts ``purchaser`` bought, newest first, with the plan."""
    return Gift.objects.filter(purchaser=purchaser).select_related("plan")


def entitlement_for(*, user: Any, now: datetime | None = None) -> tuple[str, Subscription | None]:
    """``("ok", subscription)`` when ``user`` may play, else ``(reason, subscription)``.

    Reasons: ``no_subscription``, ``past_due`` (unpaid beyond the grace period), ``expired``.
    """
    now = now or timezone.now()
    subscription = subscription_current(user=user)
    if subscription is None or subscription.status == SubscriptionStatus.INCOMPLETE:
        return "no_subscription", subscription
    if subscription.current_period_end <= now:
        return "expired", subscription
    if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        return "ok", subscription
    if subscription.status == SubscriptionStatus.PAST_DUE:
        since = subscription.past_due_since or subscription.current_period_start
        if now < since + timedelta(days=settings().GRACE_PERIOD_DAYS):
            return "ok", subscription
        return "past_due", subscription
    if subscription.status == SubscriptionStatus.UNPAID:
        return "past_due", subscription
    return "expired", subscription


def _month_starts(count: int, now: datetime) -> list[datetime]:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = []
    for back in range(count - 1, -1, -1):
        year, month = first.year, first.month - back
        while month <= 0:
            month += 12
            year -= 1
        months.append(first.replace(year=year, month=month))
    return months


def billing_report(*, months: int = 12, now: datetime | None = None) -> dict[str, Any]:
    """Figures for the admin dashboard: subscribers, MRR, monthly revenue and churn.

    Money is summed in the site's currency (``STREAMFLIX_BILLING["CURRENCY"]``).
    """
    now = now or timezone.now()
    currency = settings().CURRENCY
    active = Subscription.objects.filter(
        status__in=(
            SubscriptionStatus.ACTIVE,
            SubscriptionStatus.TRIALING,
            SubscriptionStatus.PAST_DUE,
        ),
        current_period_end__gt=now,
    ).select_related("plan")
    paying = [s for s in active if s.gateway != "gift" and s.plan.currency == currency]
    mrr = sum(s.plan.monthly_amount for s in paying if s.status != SubscriptionStatus.TRIALING)
    starts = _month_starts(months, now)
    revenue_rows = (
        Payment.objects.filter(status__in=PAID_STATUSES, currency=currency, paid_at__gte=starts[0])
        .annotate(month=TruncMonth("paid_at"))
        .values("month")
        .annotate(gross=Sum("amount"), refunded=Sum("amount_refunded"), count=Count("id"))
    )
    revenue: dict[Any, dict[str, Any]] = {row["month"].date(): dict(row) for row in revenue_rows}
    churn_rows = (
        SubscriptionEvent.objects.filter(
            Q(kind=EventKind.EXPIRED) | Q(kind=EventKind.CANCELED, data__at_period_end=False),
            occurred_at__gte=starts[0],
        )
        .annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(count=Count("id"))
    )
    churn = {row["month"].date(): row["count"] for row in churn_rows}
    created_rows = (
        SubscriptionEvent.objects.filter(kind=EventKind.CREATED, occurred_at__gte=starts[0])
        .annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(count=Count("id"))
    )
    created = {row["month"].date(): row["count"] for row in created_rows}
    series = []
    for start in starts:
        money = revenue.get(start.date(), {})
        series.append(
            {
                "month": start.strftime("%Y-%m"),
                "revenue": (money.get("gross") or 0) - (money.get("refunded") or 0),
                "payments": money.get("count") or 0,
                "churned": churn.get(start.date(), 0),
                "new": created.get(start.date(), 0),
            }
        )
    return {
        "currency": currency,
        "active_subscribers": len(active),
        "mrr": mrr,
        "months": series,
    }


def dashboard_figures(*, days: int = 30, now: datetime | None = None) -> dict[str, Any]:
    """Figures of the admin dashboard's billing cards, in five queries.

    ``subscribers`` (active, period not over), ``trialing``, ``past_due``; ``mrr`` and
    ``revenue`` as ``{currency: minor units}`` (MRR: monthly-normalised plan prices of the
    paying subscriptions, as :func:`billing_report` counts them; revenue: payments made in the
    last ``days`` days, net of refunds); ``revenue_per_day`` (``[(date, minor units)]`` in
    the site's currency); ``churned`` (subscriptions that expired or were canceled at once
    in the last ``days`` days) and ``at_start`` (subscriptions live ``days`` days ago), so
    churn is ``churned / at_start``.
    """
    now = now or timezone.now()
    start = now - timedelta(days=days)
    live_now = Q(current_period_end__gt=now)
    live_at_start = (
        Q(created_at__lt=start)
        & ~Q(status=SubscriptionStatus.INCOMPLETE)
        & (Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        & ~Q(status__in=TERMINAL_STATUSES, ended_at__isnull=True, canceled_at__lt=start)
    )
    counts = Subscription.objects.aggregate(
        subscribers=Count("pk", filter=live_now & Q(status=SubscriptionStatus.ACTIVE)),
        trialing=Count("pk", filter=live_now & Q(status=SubscriptionStatus.TRIALING)),
        past_due=Count("pk", filter=live_now & Q(status=SubscriptionStatus.PAST_DUE)),
        at_start=Count("pk", filter=live_at_start),
    )
    paying = (
        Subscription.objects.filter(
            live_now,
            status__in=(SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE),
        )
        .exclude(gateway="gift")
        .order_by()
        .values("plan__currency", "plan__interval", "plan__price_amount")
        .annotate(subscriptions=Count("pk"))
    )
    mrr: dict[str, int] = {}
    for row in paying:
        price = row["plan__price_amount"]
        monthly = round(price / 12) if row["plan__interval"] == Interval.YEAR else price
        currency = row["plan__currency"].lower()
        mrr[currency] = mrr.get(currency, 0) + monthly * row["subscriptions"]
    paid = Payment.objects.filter(status__in=PAID_STATUSES, paid_at__gte=start)
    revenue = {
        row["currency"].lower(): (row["gross"] or 0) - (row["refunded"] or 0)
        for row in paid.order_by()
        .values("currency")
        .annotate(gross=Sum("amount"), refunded=Sum("amount_refunded"))
    }
    currency = settings().CURRENCY.lower()
    revenue_per_day = per_day(
        Payment.objects.filter(status__in=PAID_STATUSES, currency__iexact=currency),
        field="paid_at",
        days=days,
        value=Sum("amount") - Sum("amount_refunded"),
    )
    churned = (
        SubscriptionEvent.objects.filter(
            Q(kind=EventKind.EXPIRED) | Q(kind=EventKind.CANCELED, data__at_period_end=False),
            occurred_at__gte=start,
        )
        .values("subscription_id")
        .distinct()
        .count()
    )
    return {
        **counts,
        "currency": currency,
        "mrr": mrr,
        "revenue": revenue,
        "revenue_per_day": [(day, int(amount)) for day, amount in revenue_per_day],
        "churned": churned,
        "days": days,
    }
