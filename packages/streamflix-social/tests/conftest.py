"""Fixtures of the social plugin's tests: a JSON API client, viewers with profiles, and
published titles of the media catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from streamflix_core.testing.api_client import JsonApi, bearer_token
from streamflix_media.models import Title


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db: Any) -> JsonApi:
    return JsonApi()


@pytest.fixture
def make_viewer(
    make_user: Callable[..., Any], make_profile: Callable[..., Any]
) -> Callable[..., Any]:
    """``make_viewer(email, **profile_fields)`` is ``(user, profile, JsonApi as that profile)``."""

    def factory(email: str = "viewer@example.com", **profile: Any) -> tuple[Any, Any, JsonApi]:
        user = make_user(email=email)
        chosen = make_profile(user, name=profile.pop("name", "Viewer"), **profile)
        return user, chosen, JsonApi(token=bearer_token(user, chosen))

    return factory


@pytest.fixture
def make_title(db: Any) -> Callable[..., Title]:
    counter = iter(range(1, 100_000))

    def factory(name: str | None = None, **fields: Any) -> Title:
        number = next(counter)
        name = name or f"Title {number}"
        fields.setdefault("slug", name.lower().replace(" ", "-"))
        fields.setdefault("status", Title.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now())
        return Title.objects.create(name=name, **fields)

    return factory
