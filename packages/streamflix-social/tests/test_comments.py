"""Comments: threads, timestamped comments, own-only edits within the window, soft delete,
reports, kids limits, bans, the rate limit, bounded queries and the signals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streamflix_core.maturity import Maturity
from streamflix_core.testing.api_client import JsonApi, bearer_token
from streamflix_social import signals
from streamflix_social.models import Comment, CommentBan, CommentReport


@pytest.fixture
def title(make_title):
    return make_title("Night Train")


@pytest.fixture
def alice(make_viewer):
    return make_viewer("alice@example.com", name="Alice")


@pytest.fixture
def bob(make_viewer):
    return make_viewer("bob@example.com", name="Bob")


def comments_url(title):
    return f"/api/social/titles/{title.slug}/comments"


def post(viewer, title, **body):
    body.setdefault("text", "hello")
    return viewer[2].post(comments_url(title), body)


def test_post_a_comment_and_a_reply(title, alice, bob, api):
    root = post(alice, title, text=" First! ", position=12.5)
    assert root.status_code == 201, root.json()
    assert root.json()["text"] == "First!"
    assert root.json()["position"] == 12.5
    assert root.json()["author"]["name"] == "Alice"
    reply = post(bob, title, text="welcome", parent_id=root.json()["id"])
    assert reply.status_code == 201
    assert reply.json()["parent_id"] == root.json()["id"]

    listed = api.get(comments_url(title)).json()
    assert listed["count"] == 1
    thread = listed["items"][0]
    assert thread["text"] == "First!" and thread["mine"] is False
    assert [r["text"] for r in thread["replies"]] == ["welcome"]


def test_authorship_comes_from_the_session_not_the_body(title, alice, bob):
    response = post(alice, title, text="hi", profile_id=bob[1].pk, profile=bob[1].pk)
    assert response.status_code == 201
    assert Comment.objects.get().profile == alice[1]


def test_a_reply_to_a_reply_joins_the_root_thread(title, alice, bob):
    root = post(alice, title).json()["id"]
    reply = post(bob, title, parent_id=root).json()["id"]
    nested = post(alice, title, text="nested", parent_id=reply)
    assert nested.status_code == 201
    assert nested.json()["parent_id"] == root


def test_newest_threads_first_with_replies_oldest_first(title, alice, bob):
    first = post(alice, title, text="a").json()["id"]
    second = post(alice, title, text="b").json()["id"]
    post(bob, title, text="r1", parent_id=first)
    post(bob, title, text="r2", parent_id=first)
    items = alice[2].get(comments_url(title)).json()["items"]
    assert [c["id"] for c in items] == [second, first]
    assert [r["text"] for r in items[1]["replies"]] == ["r1", "r2"]
    assert items[0]["mine"] is True and items[1]["replies"][0]["mine"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({}, "text"),
        ({"text": "x", "position": -1}, "position"),
        ({"text": "x", "position": 10**7}, "position"),
        ({"text": "x", "parent_id": 999999}, "parent_id"),
        ({"text": "x", "parent_id": "abc"}, "parent_id"),
    ],
)
def test_bad_comment_input_is_422_and_writes_nothing(title, alice, body, field):
    response = alice[2].post(comments_url(title), body)
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == "validation_error"
    assert field in str(response.json()["errors"])
    assert not Comment.objects.exists()


def test_comment_longer_than_the_setting_is_422(title, alice, settings):
    settings.STREAMFLIX_SOCIAL = {"COMMENT_MAX_LENGTH": 5}
    response = post(alice, title, text="toolong")
    assert response.status_code == 422
    assert not Comment.objects.exists()


def test_a_parent_on_another_title_is_422(title, alice, make_title):
    other = make_title("Other")
    parent = post(alice, other).json()["id"]
    assert post(alice, title, parent_id=parent).status_code == 422


def test_posting_needs_sign_in_and_a_profile(title, api, make_user):
    assert api.post(comments_url(title), {"text": "hi"}).status_code == 401
    response = JsonApi(token=bearer_token(make_user())).post(comments_url(title), {"text": "hi"})
    assert response.status_code == 403 and response.json()["code"] == "profile_required"


def test_unknown_or_unpublished_title_is_404(alice, make_title):
    draft = make_title("Draft", status="draft")
    assert post(alice, draft).status_code == 404
    assert alice[2].get(comments_url(draft)).status_code == 404


def test_kids_profile_reads_and_posts_only_within_its_limit(make_title, make_viewer, alice):
    mature = make_title("Grim", maturity_rating=Maturity.AGE_18)
    family = make_title("Cartoon", maturity_rating=Maturity.ALL)
    comment = post(alice, mature).json()["id"]
    kid = make_viewer("kid@example.com", name="Kid", is_kids=True, maturity_limit=Maturity.AGE_7)
    assert kid[2].get(comments_url(mature)).status_code == 404
    assert post(kid, mature).status_code == 404
    assert kid[2].get(f"{comments_url(mature)}/around", position=0).status_code == 404
    assert kid[2].post(f"/api/social/comments/{comment}/report", {}).status_code == 404
    assert post(kid, family).status_code == 201
    assert kid[2].get(comments_url(family)).status_code == 200


def test_edit_own_comment_within_the_window(title, alice, bob):
    comment_id = post(alice, title, text="tpyo").json()["id"]
    url = f"/api/social/comments/{comment_id}"
    assert bob[2].patch(url, {"text": "mine now"}).status_code == 404
    response = alice[2].patch(url, {"text": "typo"})
    assert response.status_code == 200
    assert response.json()["text"] == "typo" and response.json()["edited_at"] is not None
    assert alice[2].patch(url, {"text": ""}).status_code == 422
    assert Comment.objects.get().text == "typo"


def test_edit_after_the_window_is_409(title, alice):
    comment_id = post(alice, title, text="old").json()["id"]
    Comment.objects.filter(pk=comment_id).update(
        created_at=timezone.now() - dt.timedelta(seconds=901)
    )
    response = alice[2].patch(f"/api/social/comments/{comment_id}", {"text": "new"})
    assert response.status_code == 409
    assert response.json()["code"] == "edit_window_closed"
    assert Comment.objects.get().text == "old"


def test_soft_delete_keeps_the_replies(title, alice, bob):
    root = post(alice, title, text="root").json()["id"]
    post(bob, title, text="reply", parent_id=root)
    lonely = post(alice, title, text="lonely").json()["id"]

    assert bob[2].delete(f"/api/social/comments/{root}").status_code == 404
    assert alice[2].delete(f"/api/social/comments/{root}").status_code == 204
    assert alice[2].delete(f"/api/social/comments/{lonely}").status_code == 204
    assert alice[2].delete(f"/api/social/comments/{root}").status_code == 404

    items = bob[2].get(comments_url(title)).json()["items"]
    # the deleted root with a reply stays as "deleted"; the one without replies goes
    assert [c["id"] for c in items] == [root]
    assert items[0]["removed"] is True and items[0]["text"] == ""
    assert [r["text"] for r in items[0]["replies"]] == ["reply"]
    assert Comment.objects.get(pk=root).text == ""
    assert alice[2].patch(f"/api/social/comments/{root}", {"text": "back"}).status_code == 404


def test_report_once_per_profile(title, alice, bob, make_viewer):
    comment_id = post(alice, title).json()["id"]
    url = f"/api/social/comments/{comment_id}/report"
    own = alice[2].post(url, {})
    assert own.status_code == 403 and own.json()["code"] == "own_comment"
    assert bob[2].post(url, {"reason": "spam"}).json() == {
        "comment_id": comment_id,
        "reported": True,
        "new": True,
    }
    assert bob[2].post(url, {"reason": "spam"}).json()["new"] is False
    make_viewer("carol@example.com", name="Carol")[2].post(url)
    assert Comment.objects.get().report_count == 2
    assert CommentReport.objects.count() == 2
    assert bob[2].post("/api/social/comments/999999/report", {}).status_code == 404
    assert JsonApi().post(url, {}).status_code == 401
    assert bob[2].post(url, {"reason": "x" * 201}).status_code == 422


def test_hidden_comments_are_not_shown(title, alice, bob):
    visible = post(alice, title, text="ok", position=5).json()["id"]
    hidden = post(alice, title, text="bad", position=6).json()["id"]
    post(bob, title, text="reply to ok", parent_id=visible)
    hidden_reply = post(bob, title, text="bad reply", parent_id=visible).json()["id"]
    Comment.objects.filter(pk__in=[hidden, hidden_reply]).update(is_hidden=True)

    items = bob[2].get(comments_url(title)).json()["items"]
    assert [c["id"] for c in items] == [visible]
    assert [r["text"] for r in items[0]["replies"]] == ["reply to ok"]
    around = bob[2].get(f"{comments_url(title)}/around", position=5).json()
    assert [c["id"] for c in around] == [visible]
    assert alice[2].patch(f"/api/social/comments/{hidden}", {"text": "x"}).status_code == 404
    assert post(bob, title, parent_id=hidden).status_code == 422


def test_banned_account_gets_403(title, alice):
    CommentBan.objects.create(user=alice[0], reason="spam")
    response = post(alice, title)
    assert response.status_code == 403
    assert response.json()["code"] == "banned_from_comments"
    assert not Comment.objects.exists()


def test_an_expired_ban_no_longer_applies(title, alice):
    CommentBan.objects.create(user=alice[0], until=timezone.now() - dt.timedelta(minutes=1))
    assert post(alice, title).status_code == 201


def test_posting_is_rate_limited_per_account(title, alice, make_profile, settings):
    settings.STREAMFLIX_SOCIAL = {"COMMENT_RATE_LIMIT": "3/min"}
    for _ in range(3):
        assert post(alice, title).status_code == 201
    # another profile of the same account shares the account's budget
    other = JsonApi(token=bearer_token(alice[0], make_profile(alice[0], name="Other")))
    response = other.post(comments_url(title), {"text": "one more"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= response.json()["retry_after"] <= 60
    assert response["Retry-After"]
    assert Comment.objects.count() == 3


def test_comments_around_a_position(title, alice, bob):
    at = {p: post(alice, title, text=f"at {p}", position=p).json()["id"] for p in (5, 40, 70, 200)}
    post(bob, title, text="no position")
    response = bob[2].get(f"{comments_url(title)}/around", position=50, window=30)
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [at[40], at[70]]
    default = bob[2].get(f"{comments_url(title)}/around", position=10).json()
    assert [c["position"] for c in default] == [5, 40]


@pytest.mark.parametrize("params", [{}, {"position": -1}, {"position": 1, "window": 0}])
def test_comments_around_rejects_bad_input(title, bob, params):
    response = bob[2].get(f"{comments_url(title)}/around", **params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_a_window_wider_than_the_setting_is_narrowed_to_it(title, alice, bob, settings):
    settings.STREAMFLIX_SOCIAL = {"COMMENT_AROUND_MAX_WINDOW_SECONDS": 10}
    near = post(alice, title, text="near", position=105).json()["id"]
    post(alice, title, text="far", position=150)
    response = bob[2].get(f"{comments_url(title)}/around", position=100, window=1e308)
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [near]


def test_comment_list_query_count_does_not_grow_with_the_page(title, make_viewer, bob, settings):
    settings.STREAMFLIX_SOCIAL = {"COMMENT_RATE_LIMIT": ""}

    def queries(page_size):
        with CaptureQueriesContext(connection) as captured:
            response = bob[2].get(comments_url(title), page_size=page_size)
        assert response.status_code == 200
        return len(captured)

    def thread(i):
        viewer = make_viewer(f"t{i}@example.com", name=f"T{i}")
        root = post(viewer, title).json()["id"]
        post(bob, title, text="re", parent_id=root)

    for i in range(2):
        thread(i)
    few = queries(2)
    for i in range(2, 10):
        thread(i)
    assert queries(10) == few
    with CaptureQueriesContext(connection) as captured:
        bob[2].get(f"{comments_url(title)}/around", position=0, window=300)
    assert len(captured) <= few


def test_deleting_an_account_anonymises_its_comments(title, alice, bob):
    root = post(alice, title, text="root").json()["id"]
    post(bob, title, text="reply", parent_id=root)
    alice[0].delete()
    items = bob[2].get(comments_url(title)).json()["items"]
    assert items[0]["author"] == {"name": "deleted account", "avatar": "", "deleted": True}
    assert items[0]["text"] == "root"
    assert items[0]["replies"][0]["text"] == "reply"


def test_deleting_a_title_deletes_its_comments(title, alice):
    post(alice, title)
    title.delete()
    assert not Comment.objects.exists()


def test_signals_are_sent_after_commit(title, alice, bob, django_capture_on_commit_callbacks):
    received = []

    def receiver(signal, sender, **kwargs):
        received.append((signal, kwargs))

    for signal in (signals.comment_posted, signals.comment_edited, signals.comment_removed):
        signal.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            root = post(alice, title).json()["id"]
        assert received == [] and len(callbacks) == 1
        callbacks[0]()
        with django_capture_on_commit_callbacks(execute=True):
            reply = post(bob, title, parent_id=root).json()["id"]
            alice[2].patch(f"/api/social/comments/{root}", {"text": "edited"})
            alice[2].delete(f"/api/social/comments/{root}")
    finally:
        for signal in (signals.comment_posted, signals.comment_edited, signals.comment_removed):
            signal.disconnect(receiver)
    sent = [(s, k["comment_id"], k["parent_id"], k["profile_id"]) for s, k in received]
    assert sent == [
        (signals.comment_posted, root, None, alice[1].pk),
        (signals.comment_posted, reply, root, bob[1].pk),
        (signals.comment_edited, root, None, alice[1].pk),
        (signals.comment_removed, root, None, alice[1].pk),
    ]
    assert all(k["title_id"] == title.pk for _, k in received)


def test_a_failing_receiver_does_not_fail_the_post(title, alice):
    def broken(**kwargs):
        raise RuntimeError("boom")

    signals.comment_posted.connect(broken)
    try:
        response = JsonApi(token=alice[2].token, run_on_commit=True).post(
            comments_url(title), {"text": "still here"}
        )
    finally:
        signals.comment_posted.disconnect(broken)
    assert response.status_code == 201


def test_operations_are_documented_with_their_ids_and_statuses(api):
    schema = api.get("/api/openapi.json").json()
    operations = {
        op["operationId"]: op for path in schema["paths"].values() for op in path.values()
    }
    expected = {
        "social_review_list", "social_review_create", "social_review_update",
        "social_review_delete", "social_review_helpful_set", "social_review_helpful_clear",
        "social_comment_list", "social_comment_around_list", "social_comment_create",
        "social_comment_update", "social_comment_delete", "social_comment_report",
    }  # fmt: skip
    assert expected <= set(operations)
    assert {"401", "403", "404", "422", "429"} <= set(
        operations["social_comment_create"]["responses"]
    )
    assert "409" in operations["social_comment_update"]["responses"]
    assert "409" in operations["social_review_create"]["responses"]
