"""The list pages' plain-data path: cards built from rows, the viewer's state spliced in."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pydantic_core import to_json

from streamflix_core import hooks
from streamflix_media.api.schemas.catalog import TitleCardOut
from streamflix_media.api.viewer_merge import (
    PUBLIC_CARD_TAIL,
    json_body,
    merge_viewer_state,
    page_body_for_viewer,
)
from streamflix_media.models import Genre, Title, WatchProgress
from streamflix_media.selectors import TitleCards, title_cards, title_list
from streamflix_media.selectors.catalog import TitleQuery

pytestmark = pytest.mark.django_db

URL = "/api/media/titles"


@pytest.fixture
def uncached(settings: Any) -> None:
    settings.STREAMFLIX_MEDIA = {
        **getattr(settings, "STREAMFLIX_MEDIA", {}),
        "LIST_CACHE_SECONDS": 0,
    }


@pytest.fixture
def varied_titles(make_title: Any) -> list[Title]:
    """Titles that exercise every card field: genres out of name order, several countries,
    stored images with variants (names and an old absolute URL), microsecond times, a title
    that is not ASCII, counters."""
    thriller = Genre.objects.create(name="Thriller", slug="thriller")
    action = Genre.objects.create(name="Action", slug="action")
    first = make_title(
        "Amélie à Paris",
        genres=[thriller, action],
        countries=["FR", "BE"],
        poster="media/posters/amelie.jpg",
        poster_variants={"w200": "media/posters/variants/amelie-w200.jpg", "w400": ""},
        backdrop_variants={"w1280": "https://cdn.example.test/amelie-1280.jpg"},
        published_at=timezone.now().replace(microsecond=123456),
        views=7,
        likes=3,
        rating_sum=7,
        rating_count=2,
        rating_average=3.5,
        playable=True,
        exclusive=True,
        featured=True,
    )
    second = make_title("Zulu", kind="series", year=None, countries=[], maturity_rating=16)
    return [first, second]


def test_plain_cards_are_the_bytes_the_card_schema_writes(varied_titles):
    titles = Title.objects.order_by("-published_at", "-id")

    fast = to_json(title_cards(titles)).decode()
    slow = "[" + ",".join(
        TitleCardOut.model_validate(title).model_dump_json()
        for title in titles.prefetch_related("genres")
    ) + "]"  # fmt: skip

    assert fast == slow
    assert json.loads(fast)[0]["genres"][0]["slug"] == "action"  # by name


def test_cards_of_a_page_cost_two_queries_and_a_count_one(varied_titles):
    cards = TitleCards(Title.objects.order_by("-published_at", "-id"))
    with CaptureQueriesContext(connection) as queries:
        assert cards.count() == 2
        assert [card["name"] for card in cards[0:24]] == ["Amélie à Paris", "Zulu"]
    assert len(queries) == 3


def test_a_keyed_card_list_reuses_its_sql_and_still_reads_fresh_rows(varied_titles, viewer):
    def page() -> list[dict[str, Any]]:
        titles = title_list(viewer=_anonymous(), query=TitleQuery())
        return TitleCards(titles, key=("test", "all"))[0:24]

    assert page()[1]["name"] == "Zulu"
    Title.objects.filter(slug="zulu").update(name="Zulu Dawn")
    assert page()[1]["name"] == "Zulu Dawn"  # the compiled SQL is kept, never the rows


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_the_uncached_title_list_costs_a_fixed_number_of_queries(
    api, viewer_api, make_title, drama, uncached, signed_in
):
    for number in range(30):
        make_title(f"Film {number}", genres=[drama])
    client = viewer_api if signed_in else api
    client.get(URL)  # the account cache and the compiled queries warm up
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL, {"page_size": 24}).json()
    assert len(page["items"]) == 24
    # count, titles, genres (+ the profile's own state when signed in)
    assert len(queries) == (4 if signed_in else 3)


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    from streamflix_core.viewer import Viewer

    return Viewer(user=AnonymousUser(), profile=None, maturity_limit=18)


def _as(user: Any) -> Any:
    from streamflix_core.viewer import Viewer

    return Viewer(user=user, profile=user.streamflix_profiles.get(), maturity_limit=18)


@pytest.fixture
def own_marks(temporary_hook: Any) -> Any:
    """A marks provider that uses the profile id the way the hook asks: as a query value."""

    def watched_marks(profile_id: int) -> dict[str, Any]:
        watched = WatchProgress.objects.filter(profile_id=profile_id, title_id=OuterRef("pk"))
        return {"liked": Exists(watched), "my_rating": Value(5)}

    with temporary_hook(hooks.title_viewer_marks, watched_marks):
        yield


def _progress(viewer: Any, title: Title, position: float) -> None:
    WatchProgress.objects.create(
        profile=viewer.streamflix_profiles.get(),
        title=title,
        position=position,
        duration=100.0,
        watched_at=timezone.now() - dt.timedelta(seconds=position),
    )


def test_the_viewer_state_spliced_into_a_page_equals_the_decoded_merge(
    varied_titles, viewer, own_marks
):
    _progress(viewer, varied_titles[1], 42.5)
    state = _as(viewer)
    body = to_json({"items": title_cards(Title.objects.order_by("-published_at"))})
    assert body.count(PUBLIC_CARD_TAIL) == 2

    spliced = page_body_for_viewer(body, state)
    decoded = json_body(merge_viewer_state(json.loads(body), state, lists=("items",))).encode()

    assert spliced == decoded
    zulu = json.loads(spliced)["items"][1]
    assert zulu["progress"]["position"] == 42.5
    assert (zulu["liked"], zulu["my_rating"], zulu["in_list"]) == (True, 5, None)
    assert json.loads(spliced)["items"][0]["liked"] is False


def test_each_viewer_gets_its_own_state_on_a_shared_cached_page(
    api, make_title, make_user, make_profile, own_marks
):
    seen, unseen = make_title("Seen"), make_title("Unseen")
    first, second = make_user(email="one@example.com"), make_user(email="two@example.com")
    make_profile(first, name="One")
    make_profile(second, name="Two")
    _progress(first, seen, 10.0)
    _progress(second, unseen, 20.0)

    mine = {c["slug"]: c for c in api.as_user(first).get(URL).json()["items"]}
    theirs = {c["slug"]: c for c in api.as_user(second).get(URL).json()["items"]}

    assert (mine["seen"]["liked"], mine["unseen"]["liked"]) == (True, False)
    assert (theirs["seen"]["liked"], theirs["unseen"]["liked"]) == (False, True)
    assert theirs["unseen"]["progress"]["position"] == 20.0
    assert mine["unseen"]["progress"] is None


def test_a_short_last_page_gets_the_viewer_state_of_its_own_titles(
    viewer_api, viewer, make_title, own_marks
):
    titles = [make_title(f"Film {number}") for number in range(30)]
    _progress(viewer, titles[-1], 5.0)  # the oldest: on page 2 of 24-card pages
    viewer_api.get(URL, {"page_size": 24})
    page = viewer_api.get(URL, {"page": 2, "page_size": 24}).json()
    assert len(page["items"]) == 6
    assert [c["slug"] for c in page["items"] if c["liked"]] == ["film-29"]


def test_a_genre_page_carries_no_viewer_state(viewer_api, viewer, make_title, drama):
    # A viewer's state on a title must not leak onto the genre that has the same id.
    title = make_title("Same Id As The Genre", id=drama.pk)
    _progress(viewer, title, 30.0)
    genres = viewer_api.get("/api/media/genres").json()["items"]
    assert genres == [{"id": drama.pk, "name": "Drama", "slug": "drama"}]


def test_a_cached_page_is_served_only_to_requests_without_credentials(api, make_title):
    make_title("Cached")
    assert api.get(URL).status_code == 200  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).json()["items"][0]["slug"] == "cached"
    assert len(queries) == 0
    # A token is always checked, even when the public page it would get is cached.
    refused = api.with_token("forged").get(URL)
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_an_invalid_query_is_refused_even_when_the_plain_page_is_cached(api, make_title):
    make_title("Cached")
    api.get(URL)
    response = api.get(URL, {"page": 0})
    assert response.status_code == 422
