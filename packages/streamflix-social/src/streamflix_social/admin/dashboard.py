"""Social's cards on the admin dashboard (registered by ``streamflix_social.hooks``)."""

from __future__ import annotations

from django.urls import reverse

from streamflix_core.dashboard import Chart, DashboardCard, Dataset, Metric, count, day_labels

from .. import selectors

CHART_DAYS = 14
RECENT_DAYS = 7


def social_cards() -> list[DashboardCard]:
    """Comments to moderate, ratings and likes per day (and, later, discovery). Three
    queries."""
    cards = [moderation_card(), engagement_card()]
    discovery = discovery_card()
    if discovery is not None:
        cards.append(discovery)
    return cards


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


def discovery_card() -> DashboardCard | None:
    """The discovery card's place (order 42): search and recommendation figures, to be read
    from ``streamflix_social.selectors.discovery_stats`` when the discovery work adds that
    module. Until then there is no discovery card."""
    return None
