"""Core's cards on the admin dashboard: accounts and sign-ups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from .. import selectors
from ..dashboard import Chart, DashboardCard, Dataset, Metric, count, day_labels

SIGNUP_DAYS = 14


def _changelist(model: Any, query: str = "") -> str:
    meta = model._meta
    try:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def accounts_cards() -> list[DashboardCard]:
    """Accounts (active, unverified, staff, profiles) and sign-ups per day. Three queries."""
    from ..models import Profile

    user_model = get_user_model()
    figures = selectors.account_figures()
    signups = selectors.signups_per_day(days=SIGNUP_DAYS)
    users = _changelist(user_model)
    return [
        DashboardCard(
            title="Accounts",
            plugin="core",
            kind="metrics",
            order=10,
            metrics=(
                Metric(
                    "Active accounts",
                    count(figures["accounts"]),
                    hint=f"{count(figures['inactive'])} inactive",
                    link=_changelist(user_model, "is_active__exact=1"),
                ),
                Metric(
                    "Unverified emails",
                    count(figures["unverified"]),
                    link=_changelist(user_model, "email_verified__exact=0"),
                ),
                Metric("Viewer profiles", count(figures["profiles"]), link=_changelist(Profile)),
                Metric("Staff", count(figures["staff"])),
            ),
            link=users,
            link_label="All users",
        ),
        DashboardCard(
            title=f"Sign-ups per day ({SIGNUP_DAYS} days)",
            plugin="core",
            kind="chart",
            order=11,
            metrics=(
                Metric(f"Last {SIGNUP_DAYS} days", count(sum(n for _, n in signups))),
                Metric("Today", count(signups[-1][1])),
            ),
            chart=Chart(
                labels=day_labels([day for day, _ in signups]),
                datasets=(Dataset("Sign-ups", tuple(n for _, n in signups)),),
                type="bar",
            ),
            link=users,
            link_label="All users",
        ),
    ]
