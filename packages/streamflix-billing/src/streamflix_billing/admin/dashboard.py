"""Billing's cards on the admin dashboard (registered by ``streamflix_billing.hooks``)."""

from __future__ import annotations

from django.urls import reverse

from streamflix_core.dashboard import Chart, DashboardCard, Dataset, Metric, count, day_labels
from streamflix_core.money import format_money, to_major_units

from .. import selectors

REVENUE_DAYS = 30


def _money_by_currency(amounts: dict[str, int], first: str) -> str:
    """``{"eur": 1299, "usd": 500}`` -> ``"€12.99 · $5.00"`` (the site's currency first)."""
    if not amounts:
        return format_money(0, first)
    ordered = sorted(amounts, key=lambda code: (code != first, code))
    return " · ".join(format_money(amounts[code], code) for code in ordered)


def billing_cards() -> list[DashboardCard]:
    """Subscribers, MRR and revenue (with a chart of revenue per day), churn. Five queries."""
    figures = selectors.dashboard_figures(days=REVENUE_DAYS)
    currency = figures["currency"]
    subscriptions = reverse("admin:streamflix_billing_subscription_changelist")
    payments = reverse("admin:streamflix_billing_payment_changelist")
    at_start, churned = figures["at_start"], figures["churned"]
    churn = f"{churned / at_start:.1%}" if at_start else "—"
    per_day = figures["revenue_per_day"]
    return [
        DashboardCard(
            title="Subscribers",
            plugin="billing",
            kind="metrics",
            order=30,
            metrics=(
                Metric(
                    "Active",
                    count(figures["subscribers"]),
                    link=f"{subscriptions}?status__exact=active",
                ),
                Metric(
                    "Trialing",
                    count(figures["trialing"]),
                    link=f"{subscriptions}?status__exact=trialing",
                ),
                Metric(
                    "Past due",
                    count(figures["past_due"]),
                    link=f"{subscriptions}?status__exact=past_due",
                ),
                Metric(
                    f"Churn ({REVENUE_DAYS} days)",
                    churn,
                    hint=f"{count(churned)} ended of {count(at_start)} at the start",
                ),
            ),
            link=subscriptions,
            link_label="All subscriptions",
        ),
        DashboardCard(
            title=f"Revenue ({REVENUE_DAYS} days)",
            plugin="billing",
            kind="chart",
            order=31,
            metrics=(
                Metric(
                    "MRR",
                    _money_by_currency(figures["mrr"], currency),
                    hint="monthly plan prices of paying subscriptions",
                ),
                Metric(
                    "Revenue",
                    _money_by_currency(figures["revenue"], currency),
                    hint="payments, net of refunds",
                    link=payments,
                ),
            ),
            chart=Chart(
                labels=day_labels([day for day, _ in per_day]),
                datasets=(
                    Dataset(
                        f"Revenue ({currency.upper()})",
                        tuple(float(to_major_units(amount, currency)) for _, amount in per_day),
                    ),
                ),
                type="bar",
            ),
            link=reverse("billing:dashboard"),
            link_label="Billing dashboard",
        ),
    ]
