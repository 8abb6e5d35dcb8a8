"""Social's cards on the admin dashboard."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from streamflix_social.admin.dashboard import social_cards
from streamflix_social.models import Comment, Like, Rating, RefreshRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.fixture
def activity(make_title, make_user, make_profile):
    first, second = make_title("Night Train"), make_title("Harbor")
    ana = make_profile(make_user(email="ana@example.com"), name="Ana")
    bo = make_profile(make_user(email="bo@example.com"), name="Bo")
    reported = Comment.objects.create(title=first, profile=ana, text="spam", report_count=2)
    Comment.objects.create(title=first, profile=bo, text="ok")
    Comment.objects.create(title=first, profile=ana, text="old", is_hidden=True, report_count=1)
    Like.objects.create(profile=ana, title=first)
    Like.objects.create(profile=bo, title=first)
    Like.objects.create(
        profile=ana, title=second, created_at=timezone.now() - dt.timedelta(days=30)
    )
    Rating.objects.create(profile=ana, title=first, value=5)
    return {"reported": reported}


def _cards():
    return {card.title: card for card in social_cards()}


def test_comments_to_moderate_link_the_queue(activity):
    card = _cards()["Comments"]
    figures = {m.label: m for m in card.metrics}
    assert figures["To moderate"].value == "1"
    assert figures["To moderate"].link.endswith("/comment/?moderation=reported")
    assert figures["Hidden"].value == "1"
    assert figures["Written (7 days)"].value == "3"
    assert card.link.endswith("?moderation=reported")


def test_ratings_and_likes_per_day(activity):
    card = _cards()["Ratings and likes per day (14 days)"]
    data = json.loads(card.chart_json)
    ratings, likes = data["datasets"]
    assert len(data["labels"]) == 14
    assert (ratings["data"][-1], likes["data"][-1]) == (1, 2)
    assert sum(likes["data"]) == 2  # the month-old like is outside the chart
    assert {m.label: m.value for m in card.metrics} == {"Ratings": "1", "Likes": "2"}


def test_the_discovery_card_says_no_refresh_has_finished_yet(activity):
    assert [card.order for card in social_cards()] == [40, 41, 42]
    figures = {m.label: m for m in _cards()["Discovery"].metrics}
    assert figures["Last refresh"].value == "never"
    assert figures["Profiles with picks"].value == "0%"
    assert figures["Latest run"].value == "none"


def test_the_discovery_card_shows_the_last_refresh_and_a_failed_latest_run(activity):
    started = timezone.now() - dt.timedelta(hours=2)
    RefreshRun.objects.create(
        mode=RefreshRun.Mode.FULL, status=RefreshRun.Status.FINISHED, started_at=started,
        finished_at=started + dt.timedelta(seconds=12), seconds=11.5, profiles=40, titles=10,
        profile_coverage=0.75, title_coverage=0.5,
    )  # fmt: skip
    RefreshRun.objects.create(
        mode=RefreshRun.Mode.INCREMENTAL, status=RefreshRun.Status.FAILED,
        started_at=timezone.now(), error="database is locked",
    )  # fmt: skip
    figures = {m.label: m for m in _cards()["Discovery"].metrics}
    assert figures["Last refresh"].value != "never"
    assert figures["Last refresh"].hint == "full, 11.5 s"
    assert (figures["Profiles with picks"].value, figures["Titles with neighbours"].value) == (
        "75%",
        "50%",
    )
    assert figures["Profiles with picks"].hint == "of 40 profiles"
    assert figures["Latest run"].value == "failed"
    assert figures["Latest run"].hint == "database is locked"
    assert figures["Latest run"].link.endswith("/refreshrun/?status__exact=failed")


def test_the_index_shows_every_plugin_cards(admin_client, activity, django_assert_max_num_queries):
    # The session, the user, core 3, media 7, social 4, the recent actions.
    with django_assert_max_num_queries(17):
        response = admin_client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-dashboard-card="social"') == 3
    assert page.count('data-dashboard-card="media"') == 5
    assert "?moderation=reported" in page
    # Cards come in order: core's accounts, then media, then social.
    assert page.index('data-dashboard-card="core"') < page.index('data-dashboard-card="media"')
    assert page.index('data-dashboard-card="media"') < page.index('data-dashboard-card="social"')
