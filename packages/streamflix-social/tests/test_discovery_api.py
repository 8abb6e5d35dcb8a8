"""Discovery over HTTP: top picks, "More like this", the home rows social adds, curation;
visibility rules and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streamflix_core.api.pagination import PageNumber
from streamflix_core.hooks import contributed_home_rows, home_rows
from streamflix_core.maturity import Maturity
from streamflix_core.testing.api_client import JsonApi, bearer_token
from streamflix_core.viewer import Viewer
from streamflix_social.hooks import discovery_home_rows
from streamflix_social.models import Rating, RowCuration
from streamflix_social.selectors import top_picks
from streamflix_social.services import recommendations_refresh

from .discovery_support import build_world, complete

pytestmark = pytest.mark.django_db

# A request's authentication costs two queries of its own: the user and the profile.
AUTH_QUERIES = 2


@pytest.fixture
def world(make_title: Any, make_user: Any, make_profile: Any) -> Any:
    return build_world(make_title, make_user, make_profile)


@pytest.fixture
def kid(world: Any, make_user: Any, make_profile: Any) -> tuple[Any, JsonApi]:
    """A kids profile (limit 7) that finished three dramas; then the refresh ran."""
    user = make_user(email="kid@example.com")
    profile = make_profile(user, name="Kid", is_kids=True, maturity_limit=Maturity.AGE_7)
    for title in world.drama[:3]:
        complete(profile, title)
    recommendations_refresh(full=True)
    return profile, JsonApi(token=bearer_token(user, profile))


def slugs(items: list[dict[str, Any]]) -> list[str]:
    return [item["slug"] for item in items]


# --- GET /api/social/recommendations --------------------------------------------------------


def test_recommendations_put_the_profiles_picks_first(world, kid):
    _, client = kid
    body = client.get("/api/social/recommendations").json()
    assert set(slugs(body["items"])[:2]) == {"drama-3", "drama-4"}
    assert body["page"] == 1 and body["count"] == len(body["items"])


def test_recommendations_never_offer_finished_rated_adult_or_draft_titles(world, kid):
    profile, client = kid
    Rating.objects.create(profile=profile, title=world.drama[3], value=4)
    found = slugs(client.get("/api/social/recommendations", page_size=100).json()["items"])
    for slug in ("drama-0", "drama-1", "drama-2", "drama-3", world.adult.slug, world.draft.slug):
        assert slug not in found
    assert "drama-4" in found


def test_recommendations_carry_the_profiles_own_state(world, kid):
    _, client = kid
    assert client.put("/api/social/titles/drama-4/list").status_code == 200
    card = next(c for c in client.get("/api/social/recommendations").json()["items"]
                if c["slug"] == "drama-4")  # fmt: skip
    assert card["in_list"] is True and card["liked"] is False and card["my_rating"] is None


def test_recommendations_are_paginated(world, kid):
    _, client = kid
    first = client.get("/api/social/recommendations", page_size=2).json()
    second = client.get("/api/social/recommendations", page_size=2, page=2).json()
    assert len(first["items"]) == 2 and first["next"] == 2 and second["previous"] == 1
    assert not set(slugs(first["items"])) & set(slugs(second["items"]))


def test_recommendations_are_served_in_three_queries(world, kid, django_assert_num_queries):
    profile, client = kid
    viewer = Viewer(user=profile.user, profile=profile, maturity_limit=profile.maturity_limit)
    with django_assert_num_queries(3):  # the count, the page, its genres
        page = PageNumber().paginate_queryset(
            top_picks(viewer=viewer), PageNumber.Input(page=1, page_size=5), request=None
        )
        assert [genre for title in page["items"] for genre in title.genres.all()]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/social/recommendations", page_size=5)
    assert response.status_code == 200
    # + the request's authentication, + the profile's own state merged by media (progress
    # one query, the marks three).
    assert len(queries) <= AUTH_QUERIES + 3 + 4


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page=x"])
def test_bad_pagination_is_422(kid, query):
    _, client = kid
    response = client.get(f"/api/social/recommendations?{query}")
    assert response.status_code == 422


def test_recommendations_need_a_signed_in_profile(api, make_user):
    response = api.get("/api/social/recommendations")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    response = api.as_user(make_user(email="lonely@example.com")).get("/api/social/recommendations")
    assert response.status_code == 403 and response.json()["code"] == "profile_required"


def test_a_new_profile_gets_trending_then_popular(world, make_viewer):
    recommendations_refresh(full=True)
    _, _, client = make_viewer("newcomer@example.com")
    found = slugs(client.get("/api/social/recommendations", page_size=100).json()["items"])
    assert set(found[:2]) == {"drama-0", "comedy-0"}  # most trending first
    assert world.draft.slug not in found


# --- GET /api/social/titles/{slug}/more-like-this --------------------------------------------


def test_more_like_this_lists_neighbours_within_the_viewers_limit(world, kid, api):
    _, client = kid
    found = slugs(client.get("/api/social/titles/drama-0/more-like-this").json()["items"])
    assert set(found[:4]) == {"drama-1", "drama-2", "drama-3", "drama-4"}
    assert world.adult.slug not in found and world.draft.slug not in found
    assert "drama-0" not in found


def test_more_like_this_is_three_queries_signed_out(world, kid, api):
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/social/titles/drama-0/more-like-this")
    assert response.status_code == 200 and len(queries) <= 3


def test_more_like_this_before_any_refresh_falls_back_to_shared_genres(world, api):
    found = slugs(api.get("/api/social/titles/comedy-0/more-like-this").json()["items"])
    assert set(found) == {"comedy-1", "comedy-2", "comedy-3", "comedy-4"}


def test_more_like_this_of_a_title_the_viewer_may_not_see_is_404(world, kid, api):
    _, client = kid
    for viewer, slug in (
        (api, "no-such-title"),
        (api, world.draft.slug),
        (client, world.adult.slug),
    ):
        response = viewer.get(f"/api/social/titles/{slug}/more-like-this")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- curation ---------------------------------------------------------------------------------


def test_curators_pin_and_exclude_titles_per_row(world, kid):
    _, client = kid
    RowCuration.objects.create(row="top_picks", title=world.comedy[4], action="pin", position=1)
    RowCuration.objects.create(row="top_picks", title=world.drama[3], action="exclude")
    RowCuration.objects.create(row="more_like_this", title=world.drama[1], action="exclude")
    found = slugs(client.get("/api/social/recommendations").json()["items"])
    assert found[0] == "comedy-4" and "drama-3" not in found
    similar = slugs(client.get("/api/social/titles/drama-0/more-like-this").json()["items"])
    assert "drama-1" not in similar and "drama-2" in similar


# --- home rows ----------------------------------------------------------------------------------


def test_the_provider_is_registered_with_the_home_rows_hook():
    assert discovery_home_rows in home_rows.providers


def test_home_shows_trending_top_picks_and_because_rows_for_a_profile(world, kid):
    _, client = kid
    rows = client.get("/api/media/home").json()["rows"]
    keys = [row["key"] for row in rows]
    assert keys[:2] == ["trending", "top_picks"]
    because = [row for row in rows if row["key"].startswith("because:")]
    assert because and because[0]["name"].startswith("Because you watched Drama")
    for row in rows:
        assert world.adult.slug not in slugs(row["titles"])
        assert world.draft.slug not in slugs(row["titles"])
    picks = next(row for row in rows if row["key"] == "top_picks")
    assert all(card["liked"] is not None for card in picks["titles"])  # viewer state merged


def test_home_signed_out_has_trending_only(world, api):
    recommendations_refresh(full=True)
    keys = [row["key"] for row in api.get("/api/media/home").json()["rows"]]
    assert "trending" in keys and "top_picks" not in keys


def test_the_home_rows_cost_a_fixed_number_of_queries(world, kid, django_assert_max_num_queries):
    profile, _ = kid
    viewer = Viewer(user=profile.user, profile=profile, maturity_limit=profile.maturity_limit)
    with django_assert_max_num_queries(4):
        rows = contributed_home_rows(viewer)
    anonymous = Viewer(user=None, profile=None, maturity_limit=Maturity.AGE_18)
    with django_assert_max_num_queries(2):
        contributed_home_rows(anonymous)
    with django_assert_max_num_queries(0):
        [genre.name for row in rows for title in row.titles for genre in title.genres.all()]
