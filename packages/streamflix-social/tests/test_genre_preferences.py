"""Genres a profile chooses: the API, and what they do to a new profile's picks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from streamflix_media.models import Genre
from streamflix_social.models import GenrePreference
from streamflix_social.services import recommendations_refresh
from streamflix_social.services.discovery_inputs import changed_profiles

from .discovery_support import build_world

pytestmark = pytest.mark.django_db

PATH = "/api/social/genre-preferences"


@pytest.fixture
def world(make_title: Any, make_user: Any, make_profile: Any) -> Any:
    return build_world(make_title, make_user, make_profile)


def chosen(client: Any) -> list[str]:
    response = client.get(PATH)
    assert response.status_code == 200
    return [genre["slug"] for genre in response.json()["genres"]]


def test_a_profile_chooses_genres_and_reads_them_back_by_name(world, make_viewer):
    _, _, client = make_viewer()
    assert chosen(client) == []

    response = client.put(PATH, {"genres": ["drama", "comedy", "drama"]})

    assert response.status_code == 200
    assert response.json()["genres"] == [
        {"slug": "comedy", "name": "Comedy"},
        {"slug": "drama", "name": "Drama"},
    ]
    assert chosen(client) == ["comedy", "drama"]


def test_choosing_again_replaces_and_an_empty_list_clears(world, make_viewer):
    _, _, client = make_viewer()
    client.put(PATH, {"genres": ["drama", "comedy"]})

    assert client.put(PATH, {"genres": ["comedy"]}).status_code == 200
    assert chosen(client) == ["comedy"]
    assert client.put(PATH, {"genres": []}).status_code == 200
    assert chosen(client) == []


def test_an_unknown_genre_is_422_and_changes_nothing(world, make_viewer):
    _, _, client = make_viewer()
    client.put(PATH, {"genres": ["drama"]})

    response = client.put(PATH, {"genres": ["comedy", "no-such-genre"]})

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_genre"
    assert "no-such-genre" in response.json()["detail"]
    assert chosen(client) == ["drama"]


@pytest.mark.parametrize(
    "body", [{"genres": [f"g{i}" for i in range(11)]}, {"genres": "drama"}, {}, {"genres": [1]}]
)
def test_a_malformed_choice_is_422(world, make_viewer, body):
    _, profile, client = make_viewer()
    Genre.objects.bulk_create([Genre(name=f"G{i}", slug=f"g{i}") for i in range(11)])

    response = client.put(PATH, body)

    assert response.status_code == 422
    assert not GenrePreference.objects.filter(profile=profile).exists()


def test_choosing_genres_needs_a_signed_in_profile(api, make_user):
    assert api.get(PATH).status_code == 401
    assert api.put(PATH, {"genres": []}).status_code == 401
    no_profile = api.as_user(make_user(email="lonely@example.com"))
    response = no_profile.put(PATH, {"genres": []})
    assert response.status_code == 403 and response.json()["code"] == "profile_required"


def test_a_new_profile_gets_what_trends_in_the_genres_it_chose_first(world, make_viewer):
    _, _, client = make_viewer("newcomer@example.com")
    client.put(PATH, {"genres": ["comedy"]})

    recommendations_refresh(full=True)

    items = client.get("/api/social/recommendations").json()["items"]
    found = [item["slug"] for item in items]
    comedies = {title.slug for title in world.comedy}
    assert set(found[: len(comedies)]) == comedies


def test_choosing_genres_puts_the_profile_in_the_next_incremental_refresh(world, make_viewer):
    _, profile, client = make_viewer("newcomer@example.com")
    before = timezone.now() - dt.timedelta(seconds=1)

    client.put(PATH, {"genres": ["comedy"]})

    assert profile.pk in changed_profiles(since=before)
