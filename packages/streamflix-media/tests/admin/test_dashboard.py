"""Media's cards on the admin dashboard: the figures of a small catalog, and the index
page that shows them in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from streamflix_media.admin.dashboard import media_cards
from streamflix_media.models import Title, VideoAsset

pytestmark = pytest.mark.django_db


def _asset(title, status, *, size=0, progress=0.0, name="clip.mp4", **fields):
    return VideoAsset.objects.create(
        role="feature", title=title, status=status, size=size, progress=progress,
        original_filename=name, sha256=f"{VideoAsset.objects.count():064d}", **fields,
    )  # fmt: skip


@pytest.fixture
def catalog(make_title):
    first = make_title("First Light", playable=True)
    second = make_title("Second Wind")
    draft = make_title("Rough Cut", published=False)
    _asset(first, "ready", size=3 * 1024**3)
    _asset(second, "processing", size=1024**3, progress=42.0)
    _asset(draft, "pending", size=512)
    failed = _asset(draft, "failed", size=0)
    old_failure = _asset(second, "failed")
    VideoAsset.objects.filter(pk=old_failure.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=10)
    )
    return {"first": first, "second": second, "draft": draft, "failed": failed}


def _by_title(cards):
    return {card.title: card for card in cards}


def _metrics(card):
    return {metric.label: metric for metric in card.metrics}


def test_catalog_and_transcoding_figures(catalog):
    cards = _by_title(media_cards())
    catalog_metrics = _metrics(cards["Catalog"])
    assert catalog_metrics["Published"].value == "2"
    assert catalog_metrics["Drafts"].value == "1"
    assert catalog_metrics["Playable"].value == "1"
    assert catalog_metrics["Published"].link.endswith("?status__exact=published")

    transcoding = cards["Transcoding"]
    figures = _metrics(transcoding)
    assert figures["Queued"].value == "1"
    assert figures["Running"].value == "1"
    assert figures["Failed (7 days)"].value == "1"
    assert figures["Failed (7 days)"].hint == "2 failed in all"
    assert figures["Failed (7 days)"].link.endswith("/videoasset/?status__exact=failed")
    assert figures["Storage used"].value == "4.0 GiB"
    [running] = transcoding.progress
    assert (running.label, running.percent, running.description) == ("Second Wind", 42.0, "42%")


def test_views_watch_time_top_titles_and_streams(catalog, make_session):
    first, second = catalog["first"], catalog["second"]
    now = timezone.now()
    make_session(first, view_counted=True, watched_seconds=3600, started_at=now)
    make_session(first, view_counted=True, watched_seconds=1800, started_at=now, ended=True)
    make_session(second, view_counted=True, watched_seconds=900, started_at=now, ended=True)
    make_session(
        second, view_counted=True, watched_seconds=600,
        started_at=now - dt.timedelta(days=20), ended=True,
    )  # fmt: skip
    cards = _by_title(media_cards())

    watching = cards["Views and watch time per day (14 days)"]
    assert watching.kind == "chart"
    data = json.loads(watching.chart_json)
    assert len(data["labels"]) == 14
    views, hours = data["datasets"]
    assert views["data"][-1] == 3 and sum(views["data"]) == 3
    assert hours["data"][-1] == 1.75
    assert _metrics(watching)["Watch time"].value == "1.8 h"

    top = cards["Top titles (7 days)"].table
    assert [row[:2] for row in top.rows] == [("First Light", "2"), ("Second Wind", "1")]
    assert top.links[0].endswith(f"/title/{first.pk}/change/")

    streams = _metrics(cards["Active streams"])
    assert streams["Streams now"].value == "1"
    assert streams["Streams now"].link.endswith("?active=yes")


def test_the_index_shows_media_cards_in_bounded_queries(
    superuser_client, catalog, make_session, django_assert_max_num_queries
):
    make_session(catalog["first"], view_counted=True, watched_seconds=60)
    # The session, the user, core's 3, media's 7 (catalog 1, transcoding 2, watching 2,
    # top titles 1, streams 1) and the recent actions.
    with django_assert_max_num_queries(13):
        response = superuser_client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-dashboard-card="media"') == 5
    assert "Top titles (7 days)" in page and "First Light" in page
    assert 'data-type="line"' in page
    assert "Second Wind" in page  # the running transcode's progress bar


def test_titles_are_counted_by_status(make_title):
    make_title("A")
    make_title("B", published=False, status=Title.Status.IN_REVIEW)
    figures = _metrics(_by_title(media_cards())["Catalog"])
    assert figures["In review"].value == "1"
    assert figures["Published"].hint == "of 2 titles"
