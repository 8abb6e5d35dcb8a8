"""pytest fixtures every Streamflix package can use (registered as a pytest plugin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def api_client() -> Any:
    """A Django test client for the composed site (JSON helpers included)."""
    from django.test import Client

    return Client()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """``make_user(email=..., password=..., **fields)`` creates an active user."""
    from django.contrib.auth import get_user_model

    counter = iter(range(1, 1_000_000))

    def factory(email: str | None = None, password: str = "correct-horse-9", **fields: Any) -> Any:
        email = email or f"user{next(counter)}@example.com"
        fields.setdefault("is_active", True)
        users: Any = get_user_model().objects
        return users.create_user(email=email, password=password, **fields)

    return factory


@pytest.fixture
def staff_user(make_user: Callable[..., Any]) -> Any:
    return make_user(email="staff@example.com", is_staff=True)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Throttle counters live in the cache; each test starts with an empty one."""
    from django.conf import settings

    if settings.configured:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def make_profile(db: Any) -> Callable[..., Any]:
    """``make_profile(user, name=..., **fields)`` adds a viewer profile (the first one of a
    user becomes the default)."""
    from streamflix_core.models import Profile

    def factory(user: Any, name: str | None = None, **fields: Any) -> Any:
        fields.setdefault("is_default", not Profile.objects.filter(user=user).exists())
        return Profile.objects.create(user=user, name=name or f"Profile {user.pk}", **fields)

    return factory


@pytest.fixture
def token_for(db: Any) -> Callable[..., str]:
    """``token_for(user, profile=None)`` is an access token (for ``Authorization: Bearer``),
    carrying the profile's id when one is given."""
    from streamflix_core.testing.api_client import bearer_token

    return bearer_token


@pytest.fixture
def temporary_hook() -> Callable[..., Any]:
    """``with temporary_hook(hooks.playback_entitlement, provider): ...``"""

    def use(hook: Any, *providers: Any, replace_existing: bool = False) -> Any:
        return hook.temporarily(*providers, replace_existing=replace_existing)

    return use


@pytest.fixture
def superuser_client(db: Any) -> Any:
    """A test client signed in as a superuser (the admin, the dashboard)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    users: Any = get_user_model().objects
    user = users.create_superuser(email="root@example.com", password="pw-123456")
    client = Client()
    client.force_login(user)
    return client
