"""The live sockets through channels' communicator: admission (ticket, cookie, close
codes), the client protocol, and events reaching every viewer of a room."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import given
from hypothesis import strategies as st

from streamflix_core.maturity import Maturity
from streamflix_core.testing.api_client import bearer_token
from streamflix_social import signals
from streamflix_social.consumers.base import client_message_type
from streamflix_social.services.tickets import ws_ticket_issue

from .live_support import TIMEOUT, closed_with, communicator, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def ticket(user, profile) -> str:
    return ws_ticket_issue(user_id=user.pk, profile_id=profile.pk).ticket


def room(slug: str, user=None, profile=None) -> str:
    query = f"?ticket={ticket(user, profile)}" if user is not None else ""
    return f"/ws/social/titles/{slug}/{query}"


def cookie(user, profile=None) -> str:
    return f"streamflix_access={bearer_token(user, profile)}"


def run(coroutine_function, *args, **kwargs):
    return async_to_sync(coroutine_function)(*args, **kwargs)


def test_a_ticket_opens_a_title_room(make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune")

    async def scenario():
        socket = await open_socket(room(title.slug, user, profile))
        await socket.disconnect()

    run(scenario)


def test_forged_reused_and_missing_tickets_close_4401(make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    once = ticket(user, profile)

    async def scenario():
        assert await closed_with(f"/ws/social/titles/{title.slug}/?ticket=forged") == 4401
        assert await closed_with(f"/ws/social/titles/{title.slug}/") == 4401
        first = await open_socket(f"/ws/social/titles/{title.slug}/?ticket={once}")
        assert await closed_with(f"/ws/social/titles/{title.slug}/?ticket={once}") == 4401
        await first.disconnect()

    run(scenario)


def test_an_expired_ticket_closes_4401(make_viewer, make_title, settings):
    settings.STREAMFLIX_SOCIAL = {"WS_TICKET_SECONDS": 1}
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    path = room(title.slug, user, profile)
    time.sleep(1.2)
    assert run(closed_with, path) == 4401


def test_the_access_cookie_opens_rooms_and_notifications(make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    viewer_cookie = cookie(user, profile)

    async def scenario():
        for path in (f"/ws/social/titles/{title.slug}/", "/ws/social/notifications/"):
            socket = await open_socket(path, cookie=viewer_cookie)
            await socket.disconnect()
        assert await closed_with("/ws/social/notifications/", cookie="streamflix_access=x") == 4401

    run(scenario)


def test_a_deactivated_account_closes_4401(make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    path = room(title.slug, user, profile)
    user.is_active = False
    user.save()
    assert run(closed_with, path) == 4401


def test_unknown_and_unpublished_titles_close_4404(make_viewer, make_title):
    user, profile, _ = make_viewer()
    draft = make_title("Draft", status="draft")
    assert run(closed_with, room("no-such-title", user, profile)) == 4404
    assert run(closed_with, room(draft.slug, user, profile)) == 4404


def test_a_kids_profile_only_joins_titles_within_its_limit(make_viewer, make_title):
    user, kid, _ = make_viewer(name="Kid", is_kids=True, maturity_limit=Maturity.AGE_7)
    mature = make_title("Mature", maturity_rating=Maturity.AGE_16)
    family = make_title("Family", maturity_rating=Maturity.ALL)
    assert run(closed_with, room(mature.slug, user, kid)) == 4403

    async def scenario():
        socket = await open_socket(room(family.slug, user, kid))
        await socket.disconnect()

    run(scenario)


def test_an_account_banned_from_commenting_closes_4403(make_viewer, make_title):
    from streamflix_social.models import CommentBan

    user, profile, _ = make_viewer()
    title = make_title("Dune")
    CommentBan.objects.create(user=user, reason="spam")
    assert run(closed_with, room(title.slug, user, profile)) == 4403


def test_notifications_need_a_chosen_profile(make_user, make_profile):
    user = make_user()
    make_profile(user, name="Locked", pin_hash="x")
    assert run(closed_with, "/ws/social/notifications/", cookie=cookie(user)) == 4403


def test_a_full_room_closes_4429_until_someone_leaves(make_viewer, make_title, settings):
    settings.STREAMFLIX_SOCIAL = {"WS_ROOM_MAX_CLIENTS": 1}
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    paths = [room(title.slug, user, profile) for _ in range(3)]

    async def scenario():
        first = await open_socket(paths[0])
        assert await closed_with(paths[1]) == 4429
        await first.disconnect()
        third = await open_socket(paths[2])
        await third.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "message",
    ["not json", "[1, 2]", '{"type": "shout"}', '{"no": "type"}', '{"type": "ping", "x": "%s"}'],
)
def test_a_malformed_message_closes_4400_and_others_go_on(message, make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    rude_path, polite_path = room(title.slug, user, profile), room(title.slug, user, profile)
    if "%s" in message:
        message = message % ("x" * 2000)

    async def scenario():
        rude = await open_socket(rude_path)
        polite = await open_socket(polite_path)
        await rude.send_to(text_data=message)
        closing = await rude.receive_output(timeout=TIMEOUT)
        assert closing == {"type": "websocket.close", "code": 4400}
        await rude.send_to(bytes_data=b"\x00")  # ignored once closing
        await polite.send_json_to({"type": "ping"})
        assert await polite.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        await polite.disconnect()
        await rude.disconnect()

    run(scenario)


def test_binary_messages_close_4400(make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    path = room(title.slug, user, profile)

    async def scenario():
        socket = await open_socket(path)
        await socket.send_to(bytes_data=b'{"type": "ping"}')
        assert await socket.receive_output(timeout=TIMEOUT) == {
            "type": "websocket.close",
            "code": 4400,
        }
        await socket.disconnect()

    run(scenario)


@given(st.one_of(st.text(max_size=300), st.none()), st.one_of(st.binary(max_size=50), st.none()))
def test_any_client_message_is_either_a_ping_or_malformed(text, data):
    assert client_message_type(text, data) in (None, "ping")


def test_comment_events_reach_every_viewer_of_the_room(make_viewer, make_title):
    alice_user, alice, _ = make_viewer("alice@example.com")
    bob_user, bob, _ = make_viewer("bob@example.com")
    title, other = make_title("Dune"), make_title("Other")
    paths = [room(title.slug, alice_user, alice), room(title.slug, bob_user, bob)]
    elsewhere_path = room(other.slug, bob_user, bob)

    def comment(signal, comment_id):
        signal.send(
            sender=None,
            comment_id=comment_id,
            title_id=title.pk,
            parent_id=None,
            profile_id=alice.pk,
        )

    async def scenario():
        sockets = [await open_socket(path) for path in paths]
        elsewhere = await open_socket(elsewhere_path)
        for signal, kind in (
            (signals.comment_posted, "comment.posted"),
            (signals.comment_edited, "comment.edited"),
            (signals.comment_removed, "comment.removed"),
        ):
            await database_sync_to_async(comment)(signal, 7)
            for socket in sockets:
                assert await socket.receive_json_from(timeout=TIMEOUT) == {
                    "type": kind,
                    "comment_id": 7,
                    "title_id": title.pk,
                    "parent_id": None,
                    "profile_id": alice.pk,
                }
        assert await elsewhere.receive_nothing(timeout=0.2)
        for socket in [*sockets, elsewhere]:
            await socket.disconnect()

    run(scenario)


def test_counters_are_pushed_when_they_change(make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune", likes=3, rating_count=2, rating_average=4.5)
    path = room(title.slug, user, profile)

    async def scenario():
        socket = await open_socket(path)
        await database_sync_to_async(signals.title_counters_changed.send)(
            sender=None, title_id=title.pk
        )
        assert await socket.receive_json_from(timeout=TIMEOUT) == {
            "type": "counters",
            "title_id": title.pk,
            "likes": 3,
            "rating_average": 4.5,
            "rating_count": 2,
        }
        await socket.disconnect()

    run(scenario)


def test_a_socket_never_takes_a_client_sent_identity(make_viewer, make_title):
    user, profile, _ = make_viewer()
    title = make_title("Dune")
    path = f"/ws/social/titles/{title.slug}/?user_id={user.pk}&profile_id={profile.pk}"
    assert run(closed_with, path) == 4401
    assert communicator(path) is not None
