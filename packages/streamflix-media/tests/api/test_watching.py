"""Watching through the API: sessions, heartbeats, resume, views, stream limits, history,
"Continue watching", "Next up" and the viewer's progress in catalog pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from streamflix_core import hooks
from streamflix_core.signals import progress_recorded, title_completed
from streamflix_core.testing.api_client import JsonApi, bearer_token
from streamflix_media.models import Episode, PlaybackSession, Season, Title, WatchProgress


@pytest.fixture
def feature(movie: Title, make_ready_asset: Any) -> Title:
    make_ready_asset(title=movie, duration=100.0)
    return movie


def start(client: JsonApi, slug: str, device: str = "Laptop") -> Any:
    return client.post(f"/api/media/titles/{slug}/playback", {"device": device})


def beat(client: JsonApi, session_id: str, position: float, sequence: int, state: str = "playing"):
    return client.put(
        f"/api/media/sessions/{session_id}/progress",
        {"position": position, "state": state, "sequence": sequence},
    )


@pytest.fixture
def session_id(viewer_api: JsonApi, feature: Title) -> str:
    response = start(viewer_api, feature.slug)
    assert response.status_code == 201, response.json()
    return response.json()["session_id"]


def test_playing_opens_a_session_with_resume_markers_and_limits(viewer_api, feature, viewer):
    body = start(viewer_api, feature.slug, device="Living room TV").json()
    session = PlaybackSession.objects.get(pk=body["session_id"])
    assert session.device == "Living room TV" and session.user == viewer
    assert session.duration == 100.0 and session.complete_at == pytest.approx(90.0)
    assert body["resume_position"] == 0
    assert body["markers"] == {"intro_start": None, "intro_end": None, "credits_start": None}
    assert body["limits"] == {"max_video_height": None, "max_concurrent_streams": None}
    assert f"ps={body['session_id']}" in body["url"]


def test_a_profile_must_be_chosen_before_playing(api, make_user, feature):
    lonely = make_user(email="noprofile@example.com")
    response = start(api.as_user(lonely), feature.slug)
    assert response.status_code == 403 and response.json()["code"] == "profile_required"
    assert not PlaybackSession.objects.exists()


def test_a_bad_device_label_is_422_and_opens_nothing(viewer_api, feature):
    response = viewer_api.post(f"/api/media/titles/{feature.slug}/playback", {"device": ""})
    assert response.status_code == 422
    too_long = viewer_api.post(f"/api/media/titles/{feature.slug}/playback", {"device": "x" * 101})
    assert too_long.status_code == 422
    assert not PlaybackSession.objects.exists()


def test_a_heartbeat_saves_progress_in_one_statement_on_postgresql_two_elsewhere(
    viewer_api, session_id, viewer
):
    token = bearer_token(viewer)
    client = JsonApi(token=token)
    with CaptureQueriesContext(connection) as queries:
        response = beat(client, session_id, 30.0, 1)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "session_id": session_id, "applied": True, "position": 30.0, "state": "playing",
        "view_counted": False,
    }  # fmt: skip
    # The token is checked without a query; no cache read either.
    expected = 1 if connection.vendor == "postgresql" else 2
    assert len(queries) == expected, [q["sql"] for q in queries]
    progress = WatchProgress.objects.get()
    assert progress.position == 30.0 and progress.sequence == 1


def test_a_repeated_heartbeat_changes_nothing(viewer_api, session_id):
    assert beat(viewer_api, session_id, 30.0, 5).json()["applied"] is True
    again = beat(viewer_api, session_id, 30.0, 5)
    assert again.status_code == 200 and again.json()["applied"] is False
    assert PlaybackSession.objects.get().sequence == 5


def test_a_late_older_heartbeat_never_moves_the_resume_point(viewer_api, session_id):
    beat(viewer_api, session_id, 40.0, 2)
    late = beat(viewer_api, session_id, 20.0, 1)
    assert late.json()["applied"] is False and late.json()["position"] == 40.0
    assert WatchProgress.objects.get().position == 40.0
    # A seek back is a newer heartbeat and moves it.
    assert beat(viewer_api, session_id, 10.0, 3).json()["applied"] is True
    assert WatchProgress.objects.get().position == 10.0


def test_watch_time_counts_playing_steps_not_seeks(viewer_api, session_id):
    beat(viewer_api, session_id, 10.0, 1)
    beat(viewer_api, session_id, 20.0, 2)
    beat(viewer_api, session_id, 80.0, 3)  # a seek forward: at most HEARTBEAT_MAX_STEP_SECONDS
    beat(viewer_api, session_id, 80.0, 4, state="paused")
    beat(viewer_api, session_id, 85.0, 5)  # the step after a pause is not watched time
    assert PlaybackSession.objects.get().watched_seconds == pytest.approx(10 + 10 + 30)


@pytest.mark.parametrize("position", [-1, 100.5 + 1, 1e308])
def test_a_position_outside_the_video_is_422(viewer_api, session_id, position):
    response = beat(viewer_api, session_id, position, 1)
    assert response.status_code == 422, response.json()
    assert PlaybackSession.objects.get().sequence == -1


def test_a_nan_position_is_422(viewer_api, session_id):
    response = viewer_api.client.put(
        f"/api/media/sessions/{session_id}/progress",
        '{"position": NaN, "state": "playing", "sequence": 1}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {viewer_api.token}",
    )
    assert response.status_code == 422


def test_bad_state_sequence_or_session_id_is_422(viewer_api, session_id):
    assert beat(viewer_api, session_id, 1.0, 1, state="rewinding").status_code == 422
    assert beat(viewer_api, session_id, 1.0, -1).status_code == 422
    assert beat(viewer_api, "not-a-uuid", 1.0, 1).status_code == 422


def test_another_accounts_session_is_404(api, session_id, make_user, make_profile):
    other = make_user(email="other@example.com")
    make_profile(other, name="Other")
    response = beat(api.as_user(other), session_id, 10.0, 1)
    assert response.status_code == 404
    assert beat(api.as_user(other), str(uuid.uuid4()), 10.0, 1).status_code == 404
    assert api.as_user(other).delete(f"/api/media/sessions/{session_id}").status_code == 404
    assert PlaybackSession.objects.get().ended_at is None


def test_heartbeats_need_a_token(api, session_id):
    assert beat(api, session_id, 1.0, 1).status_code == 401


def test_a_stopped_session_answers_410(viewer_api, session_id):
    assert viewer_api.delete(f"/api/media/sessions/{session_id}").status_code == 204
    response = beat(viewer_api, session_id, 10.0, 1)
    assert response.status_code == 410 and response.json()["code"] == "session_ended"
    # Stopping again is a no-op.
    assert viewer_api.delete(f"/api/media/sessions/{session_id}").status_code == 204
    assert PlaybackSession.objects.get().end_reason == "stopped"


def test_a_silent_session_expires(viewer_api, session_id):
    PlaybackSession.objects.update(last_seen_at=timezone.now() - dt.timedelta(minutes=5))
    response = beat(viewer_api, session_id, 10.0, 1)
    assert response.status_code == 410 and response.json()["code"] == "session_expired"
    assert PlaybackSession.objects.get().end_reason == "expired"


def test_resume_point_is_returned_on_the_next_play(viewer_api, feature, session_id):
    beat(viewer_api, session_id, 42.0, 1)
    assert start(viewer_api, feature.slug).json()["resume_position"] == 42.0


def test_under_five_percent_starts_over(viewer_api, feature, session_id):
    beat(viewer_api, session_id, 4.0, 1)
    assert start(viewer_api, feature.slug).json()["resume_position"] == 0


def test_ninety_percent_counts_one_view_and_clears_the_resume_point(
    viewer_api, feature, session_id, django_capture_on_commit_callbacks
):
    completed: list[dict[str, Any]] = []
    recorded: list[dict[str, Any]] = []

    def on_completed(**kwargs: Any) -> None:
        completed.append(kwargs)

    def on_recorded(**kwargs: Any) -> None:
        recorded.append(kwargs)

    title_completed.connect(on_completed)
    progress_recorded.connect(on_recorded)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = beat(viewer_api, session_id, 91.0, 1)
            second = beat(viewer_api, session_id, 95.0, 2)
    finally:
        title_completed.disconnect(on_completed)
        progress_recorded.disconnect(on_recorded)
    assert first.json()["view_counted"] is True and second.json()["view_counted"] is True
    feature.refresh_from_db()
    assert feature.views == 1
    progress = WatchProgress.objects.get()
    assert progress.played and progress.play_count == 1 and progress.position == 0
    assert len(completed) == 1 and completed[0]["title_id"] == feature.pk
    assert [r["position_seconds"] for r in recorded] == [91.0, 95.0]
    assert start(viewer_api, feature.slug).json()["resume_position"] == 0


def test_reaching_the_credits_marker_counts_as_played(viewer_api, movie, make_ready_asset):
    make_ready_asset(title=movie, duration=100.0, intro_start=5, intro_end=20, credits_start=70)
    body = start(viewer_api, movie.slug).json()
    assert body["markers"] == {"intro_start": 5.0, "intro_end": 20.0, "credits_start": 70.0}
    assert beat(viewer_api, body["session_id"], 72.0, 1).json()["view_counted"] is True
    movie.refresh_from_db()
    assert movie.views == 1


def test_an_episode_counts_on_the_episode_and_its_series(viewer_api, episode, make_ready_asset):
    make_ready_asset(episode=episode, duration=60.0)
    body = viewer_api.post(f"/api/media/episodes/{episode.pk}/playback", {"device": "Phone"})
    assert body.status_code == 201, body.json()
    beat(viewer_api, body.json()["session_id"], 59.0, 1)
    episode.refresh_from_db()
    assert episode.views == 1 and episode.season.title.views == 1


def test_the_episode_answer_names_the_next_episode(viewer_api, episode, make_ready_asset):
    make_ready_asset(episode=episode)
    season2 = Season.objects.create(title=episode.season.title, number=2)
    following = Episode.objects.create(season=season2, number=1, name="Return")
    body = viewer_api.post(f"/api/media/episodes/{episode.pk}/playback", {}).json()
    assert body["next_episode"] == {
        "id": following.pk, "season": 2, "number": 1, "name": "Return", "playable": False,
    }  # fmt: skip


def test_the_stream_limit_refuses_a_session_too_many(
    api, make_user, make_profile, feature, temporary_hook
):
    user = make_user(email="family@example.com")
    parent = make_profile(user, name="Parent")
    kid = make_profile(user, name="Kid", is_kids=True, maturity_limit=13)
    parent_api = JsonApi(token=bearer_token(user, parent))
    kid_api = JsonApi(token=bearer_token(user, kid))

    def two_streams(request: hooks.PlaybackRequest, decision: hooks.PlaybackDecision):
        return decision.limit(max_concurrent_streams=2)

    with temporary_hook(hooks.playback_entitlement, two_streams):
        first = start(parent_api, feature.slug, "TV").json()["session_id"]
        kids_session = start(kid_api, feature.slug, "Tablet").json()["session_id"]
        refused = start(parent_api, feature.slug, "Phone")
        assert refused.status_code == 409
        body = refused.json()
        assert body["code"] == "concurrent_stream_limit"
        assert [(s["device"], s["profile"]) for s in body["sessions"]] == [
            ("TV", "Parent"), ("Tablet", "Kid"),
        ]  # fmt: skip
        assert PlaybackSession.objects.count() == 2
        # A kids profile cannot free a slot held by another profile, only its own.
        denied = kid_api.delete(f"/api/media/sessions/{first}")
        assert denied.status_code == 403 and denied.json()["code"] == "kids_profile"
        assert [s["device"] for s in kid_api.get("/api/media/sessions").json()] == ["Tablet"]
        assert kid_api.delete(f"/api/media/sessions/{kids_session}").status_code == 204
        assert PlaybackSession.objects.get(pk=kids_session).end_reason == "stopped"
        kids_again = start(kid_api, feature.slug, "Tablet").json()["session_id"]
        # Any other profile of the account frees a slot by stopping another's stream.
        assert parent_api.delete(f"/api/media/sessions/{kids_again}").status_code == 204
        assert PlaybackSession.objects.get(pk=kids_again).end_reason == "evicted"
        assert start(parent_api, feature.slug, "Phone").status_code == 201
        assert [s["device"] for s in parent_api.get("/api/media/sessions").json()] == [
            "TV", "Phone",
        ]  # fmt: skip


def test_silent_sessions_do_not_hold_a_slot(viewer_api, feature, temporary_hook):
    def one_stream(request: hooks.PlaybackRequest, decision: hooks.PlaybackDecision):
        return decision.limit(max_concurrent_streams=1)

    with temporary_hook(hooks.playback_entitlement, one_stream):
        assert start(viewer_api, feature.slug).status_code == 201
        PlaybackSession.objects.update(last_seen_at=timezone.now() - dt.timedelta(minutes=2))
        assert start(viewer_api, feature.slug).status_code == 201


def test_trailers_open_no_session(viewer_api, movie, make_ready_asset):
    make_ready_asset(title=movie, role="trailer", duration=30.0)
    response = viewer_api.post(f"/api/media/titles/{movie.slug}/playback", {"video": "trailer"})
    assert response.status_code == 201 and response.json()["session_id"] is None
    assert not PlaybackSession.objects.exists()


def test_history_lists_removes_and_clears_per_profile(
    api, make_user, make_profile, feature, episode, make_ready_asset
):
    make_ready_asset(episode=episode, duration=60.0)
    user = make_user(email="h@example.com")
    me = JsonApi(token=bearer_token(user, make_profile(user, name="Me")))
    sibling = JsonApi(token=bearer_token(user, make_profile(user, name="Sibling")))
    movie_session = start(me, feature.slug).json()["session_id"]
    beat(me, movie_session, 30.0, 1)
    ep = me.post(f"/api/media/episodes/{episode.pk}/playback", {}).json()["session_id"]
    beat(me, ep, 20.0, 1)
    page = me.get("/api/media/history").json()
    assert page["count"] == 2
    first, second = page["items"]
    assert first["episode"]["id"] == episode.pk and first["resume_position"] == 20.0
    assert second["title"]["slug"] == feature.slug and second["progress_percent"] == 30.0
    assert sibling.get("/api/media/history").json()["count"] == 0
    assert sibling.delete(f"/api/media/history/{first['id']}").status_code == 404
    assert me.delete(f"/api/media/history/{first['id']}").status_code == 204
    assert me.get("/api/media/history").json()["count"] == 1
    assert me.delete("/api/media/history").json() == {"removed": 1}
    assert me.get("/api/media/history").json()["count"] == 0
    assert api.get("/api/media/history").status_code == 401


def test_continue_watching_in_two_queries(viewer_api, make_title, make_ready_asset, viewer):
    titles = [make_title(f"Film {n}") for n in range(4)]
    for n, title in enumerate(titles):
        make_ready_asset(title=title, duration=100.0)
        sid = start(viewer_api, title.slug).json()["session_id"]
        beat(viewer_api, sid, [50.0, 3.0, 95.0, 60.0][n], 1)
    client = JsonApi(token=bearer_token(viewer, viewer.streamflix_profiles.get()))
    current_viewer_queries = 2  # the user and the profile, for any signed-in request
    with CaptureQueriesContext(connection) as queries:
        items = client.get("/api/media/continue-watching").json()
    assert len(queries) <= current_viewer_queries + 2
    # 3 % starts over and 95 % was played: neither is in progress.
    assert [(i["title"]["slug"], i["resume_position"]) for i in items] == [
        (titles[3].slug, 60.0), (titles[0].slug, 50.0),
    ]  # fmt: skip


def test_continue_watching_respects_the_maturity_limit(
    api, make_user, make_profile, make_title, make_ready_asset
):
    user = make_user(email="k@example.com")
    kid = JsonApi(token=bearer_token(user, make_profile(user, name="Kid", maturity_limit=7)))
    film = make_title("Scary", maturity_rating=7)
    make_ready_asset(title=film)
    beat(kid, start(kid, film.slug).json()["session_id"], 50.0, 1)
    assert len(kid.get("/api/media/continue-watching").json()) == 1
    Title.objects.filter(pk=film.pk).update(maturity_rating=16)
    assert kid.get("/api/media/continue-watching").json() == []


def test_next_up_is_the_episode_after_the_last_finished(viewer_api, episode, make_ready_asset):
    series = episode.season.title
    second = Episode.objects.create(season=episode.season, number=2, name="Second")
    third = Episode.objects.create(season=episode.season, number=3, name="Third")
    for e in (episode, second, third):
        make_ready_asset(episode=e, duration=60.0)
    sid = viewer_api.post(f"/api/media/episodes/{episode.pk}/playback", {}).json()["session_id"]
    beat(viewer_api, sid, 30.0, 1)
    # Nothing finished yet: the first episode not finished.
    assert [i["episode"]["id"] for i in viewer_api.get("/api/media/next-up").json()] == [episode.pk]
    beat(viewer_api, sid, 58.0, 2)
    up = viewer_api.get("/api/media/next-up").json()
    assert [(i["title"]["slug"], i["episode"]["id"]) for i in up] == [(series.slug, second.pk)]
    home = viewer_api.get("/api/media/home").json()
    keys = [row["key"] for row in home["rows"]]
    assert keys[0] == "next_up" and home["rows"][0]["items"][0]["episode"]["number"] == 2
    third_sid = viewer_api.post(f"/api/media/episodes/{third.pk}/playback", {}).json()
    beat(viewer_api, third_sid["session_id"], 59.0, 1)
    assert viewer_api.get("/api/media/next-up").json() == []


def test_home_shows_continue_watching_first_for_a_profile_only(
    api, viewer_api, feature, session_id
):
    beat(viewer_api, session_id, 50.0, 1)
    rows = viewer_api.get("/api/media/home").json()["rows"]
    assert rows[0]["key"] == "continue_watching"
    assert rows[0]["items"][0]["resume_position"] == 50.0
    assert rows[0]["titles"][0]["progress"]["position"] == 50.0
    assert all(
        row["key"] != "continue_watching" for row in api.get("/api/media/home").json()["rows"]
    )


def test_lists_say_what_is_playable_and_the_profiles_progress(
    api, viewer_api, make_title, make_ready_asset, feature, session_id
):
    for n in range(3):
        make_title(f"Not yet {n}")
    beat(viewer_api, session_id, 25.0, 1)
    anonymous = {i["slug"]: i for i in api.get("/api/media/titles").json()["items"]}
    assert (
        anonymous[feature.slug]["playable"] is True and anonymous["not-yet-0"]["playable"] is False
    )
    assert anonymous[feature.slug]["progress"] is None
    with CaptureQueriesContext(connection) as few:
        viewer_api.get("/api/media/titles?ordering=name")
    for n in range(3):
        more = make_title(f"More {n}")
        make_ready_asset(title=more)
        beat(viewer_api, start(viewer_api, more.slug).json()["session_id"], 30.0, 1)
    with CaptureQueriesContext(connection) as many:
        signed_in = viewer_api.get("/api/media/titles").json()["items"]
    assert len(many) == len(few)  # no query per item, whatever the page holds
    mine = {i["slug"]: i for i in signed_in}
    assert mine[feature.slug]["progress"]["resume_position"] == 25.0
    assert mine["not-yet-1"]["progress"] is None
    detail = viewer_api.get(f"/api/media/titles/{feature.slug}").json()
    assert detail["playable"] is True and detail["progress"]["position"] == 25.0
    # the card's progress (built by the database as one JSON object) is the detail's: same
    # types, the same moment in UTC (the detail's renderer keeps milliseconds)
    card = dict(mine[feature.slug]["progress"])
    shown = dict(detail["progress"])
    card_time, shown_time = (parse_datetime(p.pop("watched_at")) for p in (card, shown))
    assert card == shown
    assert card_time.utcoffset() == shown_time.utcoffset() == dt.timedelta(0)
    assert abs(card_time - shown_time) < dt.timedelta(milliseconds=1)


def test_the_list_filters_playable_titles(api, feature, make_title):
    make_title("Coming soon")
    assert [t["slug"] for t in api.get("/api/media/titles?playable=true").json()["items"]] == [
        feature.slug
    ]
    assert feature.slug not in {
        t["slug"] for t in api.get("/api/media/titles?playable=false").json()["items"]
    }


def test_a_series_is_playable_once_an_episode_is(
    api, episode, make_ready_asset, django_capture_on_commit_callbacks
):
    series = episode.season.title
    assert api.get(f"/api/media/titles/{series.slug}").json()["playable"] is False
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_ready_asset(episode=episode)
    body = api.get(f"/api/media/titles/{series.slug}").json()
    assert body["playable"] is True and body["seasons"][0]["episodes"][0]["playable"] is True
    with django_capture_on_commit_callbacks(execute=True):
        asset.delete()
    assert api.get(f"/api/media/titles/{series.slug}").json()["playable"] is False


def test_markers_are_set_by_staff_within_the_duration(
    staff_api, viewer_api, movie, make_ready_asset
):
    asset = make_ready_asset(title=movie, duration=100.0)
    path = f"/api/media/assets/{asset.pk}/markers"
    ok = staff_api.put(path, {"intro_start": 2, "intro_end": 12.5, "credits_start": 88})
    assert ok.status_code == 200 and ok.json()["intro_end"] == 12.5
    bad = staff_api.put(path, {"intro_start": 20, "intro_end": 10, "credits_start": 101})
    assert bad.status_code == 422
    fields = {e["loc"][-1] for e in bad.json()["errors"]}
    assert fields == {"intro_end", "credits_start"}
    half = staff_api.put(path, {"intro_start": 20})
    assert half.status_code == 422
    asset.refresh_from_db()
    assert (asset.intro_start, asset.intro_end, asset.credits_start) == (2, 12.5, 88)
    assert viewer_api.put(path, {"intro_start": 1, "intro_end": 2}).status_code == 403
    cleared = staff_api.put(path, {})
    assert cleared.status_code == 200 and cleared.json()["credits_start"] is None


def test_markers_need_a_duration(staff_api, movie, make_ready_asset):
    asset = make_ready_asset(title=movie, duration=100.0)
    type(asset).objects.filter(pk=asset.pk).update(duration=None)
    response = staff_api.put(f"/api/media/assets/{asset.pk}/markers", {"credits_start": 5})
    assert response.status_code == 409 and response.json()["code"] == "no_duration"


def test_plugins_add_the_profiles_own_state_to_cards_through_the_hook(
    api, viewer_api, viewer, feature, temporary_hook
):
    seen: list[int] = []

    def liked_everything(profile_id: int) -> dict[str, Any]:
        seen.append(profile_id)
        return {"liked": Value(True), "my_rating": Value(4), "unknown_field": Value("dropped")}

    with temporary_hook(hooks.title_viewer_marks, liked_everything):
        card = viewer_api.get("/api/media/titles").json()["items"][0]
        detail = viewer_api.get(f"/api/media/titles/{feature.slug}").json()
        anonymous = api.get("/api/media/titles").json()["items"][0]
    assert (card["liked"], card["in_list"], card["my_rating"]) == (True, None, 4)
    assert "unknown_field" not in card
    assert detail["liked"] is True and detail["my_rating"] == 4
    assert anonymous["liked"] is None  # signed out: no provider is asked
    # Asked once per query shape (a page, a detail), with a stand-in for the profile id that
    # the compiled query binds: never with the real id, which it must not branch on.
    assert len(seen) == 2
    assert viewer.streamflix_profiles.get().pk not in seen
