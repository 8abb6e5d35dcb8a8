"""Media's cards on the admin dashboard (registered by ``streamflix_media.hooks``)."""

from __future__ import annotations

from django.urls import reverse

from streamflix_core.dashboard import (
    Chart,
    DashboardCard,
    Dataset,
    Metric,
    ProgressItem,
    Table,
    count,
    day_labels,
    duration_hours,
    file_size,
)

from .. import selectors

CHART_DAYS = 14
TOP_DAYS = 7
FAILED_DAYS = 7


def media_cards() -> list[DashboardCard]:
    """Catalog, transcoding, views and watch time, top titles, active streams. Seven
    queries in all."""
    return [
        catalog_card(),
        transcoding_card(),
        watching_card(),
        top_titles_card(),
        streams_card(),
    ]


def catalog_card() -> DashboardCard:
    titles = reverse("admin:streamflix_media_title_changelist")
    figures = selectors.catalog_figures()
    return DashboardCard(
        title="Catalog",
        plugin="media",
        kind="metrics",
        order=20,
        metrics=(
            Metric(
                "Published",
                count(figures["published"]),
                hint=f"of {count(figures['total'])} titles",
                link=f"{titles}?status__exact=published",
            ),
            Metric(
                "Playable",
                count(figures["playable"]),
                hint="published, with a ready video",
            ),
            Metric("Drafts", count(figures["draft"]), link=f"{titles}?status__exact=draft"),
            Metric(
                "In review",
                count(figures["in_review"]),
                link=f"{titles}?status__exact=in_review",
            ),
        ),
        link=titles,
        link_label="All titles",
    )


def transcoding_card() -> DashboardCard:
    videos = reverse("admin:streamflix_media_videoasset_changelist")
    figures = selectors.transcode_figures(failed_days=FAILED_DAYS)
    running = selectors.running_transcodes()
    return DashboardCard(
        title="Transcoding",
        plugin="media",
        kind="progress",
        order=21,
        metrics=(
            Metric("Queued", count(figures["queued"]), link=f"{videos}?status__exact=pending"),
            Metric("Running", count(figures["running"]), link=f"{videos}?status__exact=processing"),
            Metric(
                f"Failed ({FAILED_DAYS} days)",
                count(figures["failed_recently"]),
                hint=f"{count(figures['failed'])} failed in all",
                link=f"{videos}?status__exact=failed",
            ),
            Metric(
                "Storage used",
                file_size(figures["stored_bytes"]),
                hint="recorded size of the source videos",
            ),
        ),
        progress=tuple(
            ProgressItem(
                label=row["name"],
                percent=round(row["progress"], 1),
                description=f"{row['progress']:.0f}%",
                link=reverse("admin:streamflix_media_videoasset_change", args=[row["id"]]),
            )
            for row in running
        ),
        link=videos,
        link_label="All videos",
    )


def watching_card() -> DashboardCard:
    days = selectors.views_and_watch_time_per_day(days=CHART_DAYS)
    return DashboardCard(
        title=f"Views and watch time per day ({CHART_DAYS} days)",
        plugin="media",
        kind="chart",
        order=22,
        metrics=(
            Metric("Views", count(sum(views for _, views, _ in days))),
            Metric("Watch time", duration_hours(sum(hours for _, _, hours in days))),
        ),
        chart=Chart(
            labels=day_labels([day for day, _, _ in days]),
            datasets=(
                Dataset("Views", tuple(views for _, views, _ in days)),
                Dataset("Hours watched", tuple(hours for _, _, hours in days)),
            ),
            type="line",
        ),
        link=reverse("admin:streamflix_media_playbacksession_changelist"),
        link_label="Playback sessions",
    )


def top_titles_card() -> DashboardCard:
    rows = selectors.top_titles(days=TOP_DAYS)
    return DashboardCard(
        title=f"Top titles ({TOP_DAYS} days)",
        plugin="media",
        kind="table",
        order=23,
        table=Table(
            headers=("Title", "Views", "Hours watched"),
            rows=tuple((row["name"], count(row["views"]), f"{row['hours']:,.1f}") for row in rows),
            links=tuple(
                reverse("admin:streamflix_media_title_change", args=[row["id"]]) for row in rows
            ),
        ),
    )


def streams_card() -> DashboardCard:
    sessions = reverse("admin:streamflix_media_playbacksession_changelist")
    figures = selectors.stream_figures()
    return DashboardCard(
        title="Active streams",
        plugin="media",
        kind="metrics",
        order=24,
        metrics=(
            Metric("Streams now", count(figures["streams"]), link=f"{sessions}?active=yes"),
            Metric("Accounts watching", count(figures["accounts"])),
        ),
        link=f"{sessions}?active=yes",
        link_label="Active sessions",
    )
