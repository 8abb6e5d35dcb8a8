from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from ninja_jwt.tokens import RefreshToken

from streamflix_media.models import Credit, Episode, Genre, Person, Season, Title


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def bearer(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}


class Api:
    """A JSON client; ``as_user(user)`` signs its requests with an access token."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def as_user(self, user: Any) -> Api:
        return Api(self.client, bearer(user))

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data or {}, **self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(
            path, data if data is not None else {}, content_type="application/json", **self.headers
        )

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(path, data, content_type="application/json", **self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path, **self.headers)

    def upload(self, path: str, files: dict[str, Any]) -> Any:
        return self.client.post(path, files, **self.headers)


@pytest.fixture
def api(db: Any) -> Api:
    return Api(Client())


@pytest.fixture
def staff_api(api: Api, staff_user: Any) -> Api:
    return api.as_user(staff_user)


@pytest.fixture
def viewer_api(api: Api, make_user: Callable[..., Any]) -> Api:
    return api.as_user(make_user(email="viewer@example.com"))


@pytest.fixture
def make_title(db: Any) -> Callable[..., Title]:
    counter = iter(range(1, 100_000))

    def factory(
        name: str | None = None,
        *,
        genres: list[Genre] = (),  # type: ignore[assignment]
        published: bool = True,
        **fields: Any,
    ) -> Title:
        number = next(counter)
        name = name or f"Title {number}"
        fields.setdefault("slug", name.lower().replace(" ", "-").replace("'", ""))
        fields.setdefault("year", 2000 + number % 20)
        if published:
            fields.setdefault("status", Title.Status.PUBLISHED)
            fields.setdefault("published_at", timezone.now() - dt.timedelta(minutes=number))
        countries = fields.pop("countries", ["US"])
        title = Title(name=name, **fields)
        title.countries = countries
        title.save()
        if genres:
            title.genres.set(genres)
        return title

    return factory


@pytest.fixture
def drama(db: Any) -> Genre:
    return Genre.objects.create(name="Drama", slug="drama")


@pytest.fixture
def comedy(db: Any) -> Genre:
    return Genre.objects.create(name="Comedy", slug="comedy")


@pytest.fixture
def series_with_everything(make_title: Callable[..., Title], drama: Genre) -> Title:
    title = make_title(
        "Harbor Lights", kind=Title.Kind.SERIES, genres=[drama], maturity_rating=13,
        synopsis="Lighthouse keepers.",
    )  # fmt: skip
    for number in (1, 2):
        season = Season.objects.create(title=title, number=number, name=f"Season {number}")
        for episode in (1, 2, 3):
            Episode.objects.create(season=season, number=episode, name=f"Episode {episode}")
    ada = Person.objects.create(name="Ada Lovelace", slug="ada-lovelace")
    ben = Person.objects.create(name="Ben Okafor", slug="ben-okafor")
    Credit.objects.create(title=title, person=ada, role="creator")
    Credit.objects.create(title=title, person=ben, role="actor", character_name="Keeper",
                          billing_order=1)  # fmt: skip
    Credit.objects.create(title=title, person=ada, role="actor", character_name="Ghost",
                          billing_order=2)  # fmt: skip
    return title


@pytest.fixture
def kids_limit(settings: Any) -> int:
    """Anonymous requests get the kids limit (7)."""
    settings.STREAMFLIX_CORE = {**getattr(settings, "STREAMFLIX_CORE", {}),
                                "ANONYMOUS_MATURITY_LIMIT": 7}  # fmt: skip
    return 7
