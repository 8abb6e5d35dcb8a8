"""The admin of playback sessions: the list with who is active now, the stop action, the
chart of hours watched per day; read-only, and closed to non-staff."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from streamflix_media import selectors
from streamflix_media.models import PlaybackSession

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:streamflix_media_playbacksession_changelist"


@pytest.fixture
def admin_client(client, make_user):
    user = make_user(email="ops@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_the_list_shows_sessions_and_the_chart(
    admin_client, movie, make_session, django_assert_max_num_queries
):
    # Started now: the chart's last bar is today's.
    make_session(movie, device="Kitchen iPad", watched_seconds=5400, started_at=timezone.now())
    make_session(movie, device="Old phone", ended=True, watched_seconds=600)
    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kitchen iPad" in html and "Old phone" in html and "Night Train" in html
    assert 'id="watch-time-chart"' in html and 'data-type="bar"' in html
    chart = json.loads(page.context["watch_time_chart"])
    assert len(chart["labels"]) == 30 and chart["datasets"][0]["data"][-1] == 1.67


def test_the_active_filter_and_the_search(admin_client, movie, make_session):
    make_session(movie, device="Kitchen iPad")
    make_session(movie, device="Old phone", ended=True)
    make_session(movie, device="Silent laptop", last_seen_at=timezone.now() - dt.timedelta(hours=2))
    active = admin_client.get(reverse(CHANGELIST), {"active": "yes"}).content.decode()
    assert "Kitchen iPad" in active
    assert "Old phone" not in active and "Silent laptop" not in active
    inactive = admin_client.get(reverse(CHANGELIST), {"active": "no"}).content.decode()
    assert "Kitchen iPad" not in inactive and "Silent laptop" in inactive
    session = PlaybackSession.objects.get(device="Old phone")
    found = admin_client.get(reverse(CHANGELIST), {"q": session.user.email}).content.decode()
    assert "Old phone" in found and "Kitchen iPad" not in found


def test_the_stop_action_ends_the_selected_sessions(admin_client, movie, make_session):
    playing = make_session(movie, device="TV")
    other = make_session(movie, device="Phone")
    untouched = make_session(movie, device="Tablet")
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "stop_selected", "_selected_action": [playing.pk, other.pk]},
    )
    assert response.status_code == 302
    for session in (playing, other):
        session.refresh_from_db()
        assert session.ended_at is not None and session.end_reason == "staff"
    untouched.refresh_from_db()
    assert untouched.ended_at is None
    assert "Stopped 2 session(s)." in [str(m) for m in get_messages(response.wsgi_request)]


def test_the_sessions_are_read_only(admin_client, movie, make_session):
    session = make_session(movie, device="TV", watched_seconds=60)
    page = admin_client.get(
        reverse("admin:streamflix_media_playbacksession_change", args=[session.pk])
    )
    assert page.status_code == 200 and "TV" in page.content.decode()
    admin_client.post(
        reverse("admin:streamflix_media_playbacksession_change", args=[session.pk]),
        {"device": "Hacked", "watched_seconds": 99999},
    )
    session.refresh_from_db()
    assert session.device == "TV" and session.watched_seconds == 60
    add = admin_client.get(reverse("admin:streamflix_media_playbacksession_add"))
    assert add.status_code == 403


def test_non_staff_cannot_reach_the_pages(client, make_user, movie, make_session):
    session = make_session(movie)
    client.force_login(make_user(email="viewer@example.com"))
    for url in (
        reverse(CHANGELIST),
        reverse("admin:streamflix_media_playbacksession_change", args=[session.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(
        reverse(CHANGELIST), {"action": "stop_selected", "_selected_action": [session.pk]}
    )
    session.refresh_from_db()
    assert session.ended_at is None


def test_watch_time_per_day_has_every_day(movie, make_session, django_assert_num_queries):
    now = timezone.now()
    make_session(movie, started_at=now, watched_seconds=3600)
    make_session(movie, started_at=now, watched_seconds=1800)
    make_session(movie, started_at=now - dt.timedelta(days=2), watched_seconds=7200)
    make_session(movie, started_at=now - dt.timedelta(days=40), watched_seconds=7200)
    with django_assert_num_queries(1):
        per_day = selectors.watch_time_per_day(days=7)
    today = timezone.localdate()
    assert [day for day, _ in per_day] == [today - dt.timedelta(days=n) for n in range(6, -1, -1)]
    assert [hours for _, hours in per_day] == [0, 0, 0, 0, 2.0, 0, 1.5]
