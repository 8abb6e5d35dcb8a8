"""Social's cards on the admin dashboard (registered by ``streamflix_social.hooks``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone

from streamflix_core.dashboard import Chart, DashboardCard, Dataset, Metric, count, day_labels

from .. import selectors

CHART_DAYS = 14
RECENT_DAYS = 7


def social_cards() -> list[DashboardCard]:
    """Comments to moderate, ratings and likes per day, discovery. Four queries."""
    return [moderation_card(), engagement_card(), discovery_card()]


def moderation_card() -> DashboardCard:
    comments = reverse("admin:streamflix_social_comment_changelist")
    figures = selectors.moderation_figures(days=RECENT_DAYS)
    queue = f"{comments}?moderation=reported"
    return DashboardCard(
        title="Comments",
        plugin="social",
        kind="metrics",
        order=40,
        metrics=(
            Metric(
                "To moderate",
                count(figures["to_moderate"]),
                hint="reported, still visible",
                link=queue,
            ),
            Metric("Hidden", count(figures["hidden"]), link=f"{comments}?moderation=hidden"),
            Metric(f"Written ({RECENT_DAYS} days)", count(figures["recent"])),
        ),
        link=queue,
        link_label="Moderation queue",
    )


def engagement_card() -> DashboardCard:
    days = selectors.ratings_and_likes_per_day(days=CHART_DAYS)
    return DashboardCard(
        title=f"Ratings and likes per day ({CHART_DAYS} days)",
        plugin="social",
        kind="chart",
        order=41,
        metrics=(
            Metric("Ratings", count(sum(ratings for _, ratings, _ in days))),
            Metric("Likes", count(sum(likes for _, _, likes in days))),
        ),
        chart=Chart(
            labels=day_labels([day for day, _, _ in days]),
            datasets=(
                Dataset("Ratings", tuple(ratings for _, ratings, _ in days)),
                Dataset("Likes", tuple(likes for _, _, likes in days)),
            ),
            type="bar",
        ),
        link=reverse("admin:streamflix_social_rating_changelist"),
        link_label="All ratings",
    )


def discovery_card() -> DashboardCard:
    """The last recommendations refresh, how much it covers and whether the latest failed
    (one query)."""
    figures = selectors.discovery_card()
    runs = reverse("admin:streamflix_social_refreshrun_changelist")
    last = figures["last_refresh_at"]
    status = figures["latest_status"]
    if last is None:
        when, how = "never", "no refresh has finished yet"
    else:
        when = formats.date_format(timezone.localtime(last), "SHORT_DATETIME_FORMAT")
        how = f"{figures['last_refresh_mode']}, {figures['last_refresh_seconds'] or 0:.1f} s"
    return DashboardCard(
        title="Discovery",
        plugin="social",
        kind="metrics",
        order=42,
        metrics=(
            Metric("Last refresh", when, hint=how, link=runs),
            Metric(
                "Profiles with picks",
                f"{figures['profile_coverage']:.0%}",
                hint=f"of {count(figures['profiles'])} profiles",
            ),
            Metric(
                "Titles with neighbours",
                f"{figures['title_coverage']:.0%}",
                hint=f"of {count(figures['titles'])} titles",
            ),
            Metric(
                "Latest run",
                str(status or "none"),
                hint=(figures["latest_error"] or "")[:120],
                link=f"{runs}?status__exact=failed" if status == "failed" else runs,
            ),
        ),
        link=runs,
        link_label="Refresh runs",
    )
