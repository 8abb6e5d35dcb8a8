"""Notifications: created by the receivers (a reply, a new episode), pushed live, and the
``/api/social/notifications`` endpoints."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from streamflix_media.models import Episode, Season, Title
from streamflix_social import signals
from streamflix_social.models import Comment, ListItem, Notification
from streamflix_social.services import notifications_create
from streamflix_social.services.tickets import ws_ticket_issue

from .live_support import TIMEOUT, open_socket

BASE = "/api/social/notifications"


def reply(parent_id, title_id, author_id, comment_id=2):
    signals.comment_posted.send(
        sender=None,
        comment_id=comment_id,
        title_id=title_id,
        parent_id=parent_id,
        profile_id=author_id,
    )


def test_a_reply_notifies_the_parent_author_only(make_viewer, make_title):
    _, alice, alice_api = make_viewer("alice@example.com")
    _, bob, bob_api = make_viewer("bob@example.com")
    title = make_title("Dune")
    parent = Comment.objects.create(title=title, profile=alice, text="First!")
    reply(parent.pk, title.pk, bob.pk)
    reply(parent.pk, title.pk, alice.pk, comment_id=3)  # answering oneself
    reply(None, title.pk, bob.pk, comment_id=4)  # top-level
    reply(999_999, title.pk, bob.pk, comment_id=5)  # parent gone

    page = alice_api.get(BASE).json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["kind"] == "comment.reply"
    assert (item["title_id"], item["comment_id"], item["read_at"]) == (title.pk, 2, None)
    assert item["data"] == {"parent_id": parent.pk, "from_profile_id": bob.pk}
    assert bob_api.get(BASE).json()["count"] == 0


def test_a_new_episode_notifies_profiles_with_the_series_on_my_list(make_viewer, make_title):
    _, alice, alice_api = make_viewer("alice@example.com")
    _, bob, _ = make_viewer("bob@example.com")
    series = make_title("Show", kind=Title.Kind.SERIES)
    draft = make_title("Draft show", kind=Title.Kind.SERIES, status=Title.Status.DRAFT)
    ListItem.objects.create(title=series, profile=alice)
    ListItem.objects.create(title=draft, profile=bob)
    season = Season.objects.create(title=series, number=1)
    episode = Episode.objects.create(season=season, number=1, name="Pilot")
    Episode.objects.filter(pk=episode.pk).update(name="Renamed")  # no post_save
    episode.save()  # not created: nothing more
    Episode.objects.create(season=Season.objects.create(title=draft, number=1), number=1, name="X")

    (item,) = alice_api.get(BASE).json()["items"]
    assert item["kind"] == "episode.new"
    assert item["title_id"] == series.pk
    assert item["data"]["episode_id"] == episode.pk
    assert item["data"]["title_slug"] == series.slug
    assert not Notification.objects.filter(profile=bob).exists()


def test_list_is_newest_first_and_paginated(make_viewer):
    _, profile, api = make_viewer()
    for _ in range(3):
        notifications_create(profile_ids=[profile.pk], kind="comment.reply")
    page = api.get(BASE, page_size=2).json()
    assert page["count"] == 3 and page["pages"] == 2 and len(page["items"]) == 2
    ids = [item["id"] for item in page["items"]]
    assert ids == sorted(ids, reverse=True)


def test_unread_count_read_and_read_all(make_viewer):
    _, profile, api = make_viewer("alice@example.com")
    _, _, other_api = make_viewer("bob@example.com")
    mine = notifications_create(profile_ids=[profile.pk, profile.pk], kind="comment.reply")
    assert len(mine) == 1  # one per profile
    notifications_create(profile_ids=[profile.pk], kind="episode.new")
    assert api.get(f"{BASE}/unread-count").json() == {"unread": 2}

    assert other_api.post(f"{BASE}/{mine[0].pk}/read").status_code == 404
    first = api.post(f"{BASE}/{mine[0].pk}/read")
    assert first.status_code == 200 and first.json()["read_at"]
    again = api.post(f"{BASE}/{mine[0].pk}/read")
    assert again.json()["read_at"] == first.json()["read_at"]
    assert api.get(f"{BASE}/unread-count").json() == {"unread": 1}

    assert api.post(f"{BASE}/read-all").json() == {"marked": 1}
    assert api.post(f"{BASE}/read-all").json() == {"marked": 0}
    assert api.get(f"{BASE}/unread-count").json() == {"unread": 0}
    assert api.post(f"{BASE}/999999/read").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", BASE),
        ("get", f"{BASE}/unread-count"),
        ("post", f"{BASE}/read-all"),
        ("post", f"{BASE}/1/read"),
    ],
)
def test_endpoints_need_a_signed_in_profile(api, make_user, make_profile, method, path):
    assert getattr(api, method)(path).status_code == 401
    user = make_user()
    make_profile(user, pin_hash="x")
    response = getattr(api.as_user(user), method)(path)
    assert response.status_code == 403
    assert response.json()["code"] == "profile_required"


def test_a_bad_id_is_a_422(make_viewer):
    _, _, api = make_viewer()
    assert api.post(f"{BASE}/abc/read").status_code == 422


@pytest.mark.django_db(transaction=True)
def test_a_new_notification_is_pushed_to_the_profiles_socket(make_viewer, make_title):
    alice_user, alice, _ = make_viewer("alice@example.com")
    bob_user, bob, _ = make_viewer("bob@example.com")
    title = make_title("Dune")
    parent = Comment.objects.create(title=title, profile=alice, text="First!")
    alice_path, bob_path = (
        "/ws/social/notifications/?ticket="
        + ws_ticket_issue(user_id=user.pk, profile_id=profile.pk).ticket
        for user, profile in ((alice_user, alice), (bob_user, bob))
    )

    async def scenario():
        alice_socket = await open_socket(alice_path)
        bob_socket = await open_socket(bob_path)
        await database_sync_to_async(reply)(parent.pk, title.pk, bob.pk)
        pushed = await alice_socket.receive_json_from(timeout=TIMEOUT)
        assert pushed["type"] == "notification"
        assert pushed["notification"]["kind"] == "comment.reply"
        assert pushed["notification"]["comment_id"] == 2
        assert (
            pushed["notification"]["id"]
            == await database_sync_to_async(lambda: Notification.objects.get().pk)()
        )
        assert await bob_socket.receive_nothing(timeout=0.2)
        await alice_socket.disconnect()
        await bob_socket.disconnect()

    async_to_sync(scenario)()
