"""Reviews: one per profile per title, own-only edits, helpful votes, bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streamflix_core.maturity import Maturity
from streamflix_core.testing.api_client import JsonApi, bearer_token
from streamflix_social.models import Review, ReviewVote


@pytest.fixture
def title(make_title):
    return make_title("Night Train")


@pytest.fixture
def alice(make_viewer):
    return make_viewer("alice@example.com", name="Alice")


@pytest.fixture
def bob(make_viewer):
    return make_viewer("bob@example.com", name="Bob")


def reviews_url(title):
    return f"/api/social/titles/{title.slug}/reviews"


def test_post_and_list_a_review(title, alice, api):
    _, profile, client = alice
    response = client.post(reviews_url(title), {"text": " Great ride. ", "rating": 4})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["text"] == "Great ride."
    assert body["rating"] == 4 and body["spoiler"] is False
    assert body["author"] == {"name": "Alice", "avatar": "", "deleted": False}
    assert Review.objects.get().profile == profile

    listed = api.get(reviews_url(title)).json()
    assert listed["count"] == 1
    assert listed["items"][0]["helpful_count"] == 0
    assert listed["items"][0]["voted"] is False and listed["items"][0]["mine"] is False


def test_second_review_by_the_same_profile_is_409(title, alice):
    client = alice[2]
    assert client.post(reviews_url(title), {"text": "one"}).status_code == 201
    response = client.post(reviews_url(title), {"text": "two"})
    assert response.status_code == 409
    assert response.json()["code"] == "already_reviewed"
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "ok", "rating": 6}, "rating"),
        ({"text": "ok", "rating": 0}, "rating"),
        ({"rating": 3}, "text"),
    ],
)
def test_bad_review_input_is_422(title, alice, body, field):
    response = alice[2].post(reviews_url(title), body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert field in str(response.json()["errors"])
    assert not Review.objects.exists()


def test_review_longer_than_the_setting_is_422(title, alice, settings):
    settings.STREAMFLIX_SOCIAL = {"REVIEW_MAX_LENGTH": 10}
    response = alice[2].post(reviews_url(title), {"text": "x" * 11})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "payload", "text"]


def test_review_needs_sign_in_and_a_profile(title, api, make_user):
    assert api.post(reviews_url(title), {"text": "hi"}).status_code == 401
    user = make_user()
    response = JsonApi(token=bearer_token(user)).post(reviews_url(title), {"text": "hi"})
    # a user without any profile has no chosen profile
    assert response.status_code == 403
    assert response.json()["code"] == "profile_required"


def test_unknown_or_unpublished_title_is_404(alice, make_title):
    draft = make_title("Draft", status="draft")
    assert alice[2].post(reviews_url(draft), {"text": "hi"}).status_code == 404
    assert alice[2].get("/api/social/titles/nope/reviews").status_code == 404


def test_kids_profile_cannot_see_or_review_titles_above_its_limit(make_title, make_viewer):
    mature = make_title("Grim", maturity_rating=Maturity.AGE_18)
    kid = make_viewer("kid@example.com", name="Kid", is_kids=True, maturity_limit=Maturity.AGE_7)
    assert kid[2].get(reviews_url(mature)).status_code == 404
    assert kid[2].post(reviews_url(mature), {"text": "hi"}).status_code == 404


def test_patch_and_delete_own_review_only(title, alice, bob):
    review_id = alice[2].post(reviews_url(title), {"text": "meh", "rating": 2}).json()["id"]
    url = f"/api/social/reviews/{review_id}"

    assert bob[2].patch(url, {"text": "hijacked"}).status_code == 404
    assert bob[2].delete(url).status_code == 404

    response = alice[2].patch(url, {"text": "better on rewatch", "rating": None, "spoiler": True})
    assert response.status_code == 200, response.json()
    assert response.json()["rating"] is None and response.json()["spoiler"] is True
    assert alice[2].patch(url, {"rating": 9}).status_code == 422
    assert Review.objects.get().text == "better on rewatch"

    assert alice[2].delete(url).status_code == 204
    assert not Review.objects.exists()
    assert alice[2].delete(url).status_code == 404


def test_helpful_votes_are_idempotent_and_not_on_own_review(title, alice, bob, make_viewer):
    review_id = alice[2].post(reviews_url(title), {"text": "solid"}).json()["id"]
    url = f"/api/social/reviews/{review_id}/helpful"

    own = alice[2].put(url)
    assert own.status_code == 403 and own.json()["code"] == "own_review"

    assert bob[2].put(url).json() == {"review_id": review_id, "helpful_count": 1, "voted": True}
    assert bob[2].put(url).json()["helpful_count"] == 1
    carol = make_viewer("carol@example.com", name="Carol")[2]
    assert carol.put(url).json()["helpful_count"] == 2

    listed = bob[2].get(reviews_url(title)).json()["items"][0]
    assert listed["helpful_count"] == 2 and listed["voted"] is True

    assert bob[2].delete(url).json() == {"review_id": review_id, "helpful_count": 1, "voted": False}
    assert bob[2].delete(url).json()["helpful_count"] == 1
    assert bob[2].put("/api/social/reviews/999999/helpful").status_code == 404
    assert JsonApi().put(url).status_code == 401


def test_ordering_newest_and_helpful(title, make_viewer):
    viewers = [make_viewer(f"v{i}@example.com", name=f"V{i}") for i in range(3)]
    ids = [
        v[2].post(reviews_url(title), {"text": f"r{i}"}).json()["id"] for i, v in enumerate(viewers)
    ]
    voter = make_viewer("voter@example.com", name="Voter")[2]
    voter.put(f"/api/social/reviews/{ids[0]}/helpful")

    newest = voter.get(reviews_url(title)).json()["items"]
    assert [r["id"] for r in newest] == ids[::-1]
    helpful = voter.get(reviews_url(title), ordering="helpful").json()["items"]
    assert [r["id"] for r in helpful] == [ids[0], ids[2], ids[1]]
    assert voter.get(reviews_url(title), ordering="stars").status_code == 422


def test_review_list_query_count_does_not_grow_with_the_page(title, make_viewer, bob):
    def queries(page_size):
        with CaptureQueriesContext(connection) as captured:
            response = bob[2].get(reviews_url(title), page_size=page_size)
        assert response.status_code == 200
        return len(captured)

    for i in range(2):
        make_viewer(f"a{i}@example.com", name=f"A{i}")[2].post(reviews_url(title), {"text": "x"})
    few = queries(2)
    for i in range(8):
        make_viewer(f"b{i}@example.com", name=f"B{i}")[2].post(reviews_url(title), {"text": "x"})
    assert queries(10) == few


def test_deleting_a_profile_deletes_its_reviews_and_votes(title, alice, bob):
    review_id = alice[2].post(reviews_url(title), {"text": "x"}).json()["id"]
    bob[2].put(f"/api/social/reviews/{review_id}/helpful")
    bob[1].delete()
    assert ReviewVote.objects.count() == 0
    alice[1].delete()
    assert Review.objects.count() == 0


def test_deleting_a_title_deletes_its_reviews(title, alice):
    alice[2].post(reviews_url(title), {"text": "x"})
    title.delete()
    assert not Review.objects.exists()
