"""The profile's own marks (liked, on its list, its rating) on media's title pages, given
through core's ``title_viewer_marks`` hook, inside media's one query per page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streamflix_core.hooks import title_viewer_marks
from streamflix_media.selectors import viewer_state_by_title
from streamflix_social.hooks import engagement_viewer_marks

pytestmark = pytest.mark.django_db


def mark(client: Any, slug: str, *, like: bool = False, listed: bool = False, rating=None):
    if like:
        assert client.put(f"/api/social/titles/{slug}/like").status_code == 200
    if listed:
        assert client.put(f"/api/social/titles/{slug}/list").status_code == 200
    if rating is not None:
        response = client.put(f"/api/social/titles/{slug}/rating", {"rating": rating})
        assert response.status_code == 200


def test_the_provider_is_registered_when_django_is_ready():
    assert engagement_viewer_marks in title_viewer_marks.providers


def test_title_pages_show_the_profiles_own_marks(api, make_viewer, make_title):
    liked, listed, rated, plain = (make_title(name) for name in ("Aa", "Bb", "Cc", "Dd"))
    _, _, client = make_viewer()
    mark(client, liked.slug, like=True)
    mark(client, listed.slug, listed=True)
    mark(client, rated.slug, rating=4, like=True)
    cards = {c["slug"]: c for c in client.get("/api/media/titles").json()["items"]}
    state = {slug: (c["liked"], c["in_list"], c["my_rating"]) for slug, c in cards.items()}
    assert state == {
        liked.slug: (True, False, None),
        listed.slug: (False, True, None),
        rated.slug: (True, False, 4),
        plain.slug: (False, False, None),
    }
    assert cards[rated.slug]["likes"] == 1 and cards[rated.slug]["rating_average"] == 4.0
    detail = client.get(f"/api/media/titles/{rated.slug}").json()
    assert (detail["liked"], detail["in_list"], detail["my_rating"]) == (True, False, 4)


def test_marks_are_per_profile_and_absent_when_signed_out(api, make_viewer, make_title):
    title = make_title("Shared")
    _, _, client = make_viewer()
    mark(client, title.slug, like=True, listed=True, rating=5)
    _, _, other = make_viewer("other@example.com")
    card = other.get("/api/media/titles").json()["items"][0]
    assert (card["liked"], card["in_list"], card["my_rating"]) == (False, False, None)
    card = api.get("/api/media/titles").json()["items"][0]
    assert (card["liked"], card["in_list"], card["my_rating"]) == (None, None, None)
    assert card["likes"] == 1
    detail = api.get(f"/api/media/titles/{title.slug}").json()
    assert (detail["liked"], detail["in_list"], detail["my_rating"]) == (None, None, None)


def test_the_marks_cost_the_same_queries_whatever_the_page_size(make_viewer, make_title):
    _, _, client = make_viewer()

    def page_queries(count: int) -> tuple[int, int]:
        for _ in range(count):
            title = make_title()
            mark(client, title.slug, like=True, listed=True, rating=3)
        cache.clear()  # the titles were made behind the catalog's back: no stale page
        with CaptureQueriesContext(connection) as queries:
            items = client.get("/api/media/titles", page_size=50).json()["items"]
        assert all((c["liked"], c["in_list"], c["my_rating"]) == (True, True, 3) for c in items)
        return len(items), len(queries)

    small = page_queries(2)
    large = page_queries(10)
    assert (small[0], large[0]) == (2, 12)
    assert large[1] == small[1]


def test_a_pages_marks_and_progress_are_one_query(make_viewer, make_title):
    _, profile, client = make_viewer()
    titles = [make_title() for _ in range(6)]
    for title in titles[:3]:
        mark(client, title.slug, like=True, listed=True, rating=2)
    ids = [t.pk for t in titles]
    with CaptureQueriesContext(connection) as queries:
        state = viewer_state_by_title(profile_id=profile.pk, title_ids=ids)
    assert len(queries) == 1
    assert state[ids[0]] == {"liked": True, "in_list": True, "my_rating": 2, "progress": None}
    assert state[ids[5]] == {"liked": False, "in_list": False, "my_rating": None, "progress": None}


def test_a_signed_in_page_from_the_cache_costs_one_query(make_viewer, make_title):
    _, _, client = make_viewer()
    for _ in range(5):
        mark(client, make_title().slug, like=True)
    cache.clear()
    client.get("/api/media/titles")  # fills the shared page cache
    with CaptureQueriesContext(connection) as queries:
        items = client.get("/api/media/titles").json()["items"]
    assert [c["liked"] for c in items] == [True] * 5
    # the account comes from the shared cache: only the profile's state on the page is read
    assert len(queries) == 1
    assert "streamflix_media_title" in queries[0]["sql"]
