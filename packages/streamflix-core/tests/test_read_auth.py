"""``read_auth``: a signed-in read costs no user or profile query once the account is in the
shared cache, and any change to the account applies at the next request."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from ninja.errors import AuthenticationError

from streamflix_core.account_cache import account_key, cached_account
from streamflix_core.auth import read_auth
from streamflix_core.maturity import KIDS_LIMIT, Maturity
from streamflix_core.testing.api_client import bearer_token
from streamflix_core.viewer import current_viewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def read(token: str | None) -> Any:
    """A GET authenticated by ``read_auth``; its viewer."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    request = RequestFactory().get("/", **headers)
    read_auth(request)
    return current_viewer(request)


def test_a_second_read_costs_no_query_and_sees_the_same_viewer(make_user, make_profile):
    user = make_user(email="a@example.com")
    profile = make_profile(user, name="Teen", maturity_limit=Maturity.AGE_13)
    token = bearer_token(user, profile)
    first = read(token)
    with CaptureQueriesContext(connection) as queries:
        again = read(token)
    assert len(queries) == 0
    assert (again.user.pk, again.profile_id, again.maturity_limit) == (
        user.pk,
        profile.pk,
        int(Maturity.AGE_13),
    )
    assert (first.profile_id, first.maturity_limit) == (again.profile_id, again.maturity_limit)


def test_a_lowered_maturity_limit_applies_at_the_next_read(make_user, make_profile):
    user = make_user(email="a@example.com")
    profile = make_profile(user, name="Me", maturity_limit=Maturity.AGE_18)
    token = bearer_token(user, profile)
    assert read(token).maturity_limit == int(Maturity.AGE_18)

    profile.maturity_limit = KIDS_LIMIT
    profile.save()

    assert read(token).maturity_limit == int(KIDS_LIMIT)


def test_a_deactivated_account_is_refused_at_the_next_read(make_user, make_profile):
    user = make_user(email="a@example.com")
    token = bearer_token(user, make_profile(user, name="Me"))
    read(token)

    user.is_active = False
    user.save()

    with pytest.raises(AuthenticationError):
        read(token)


def test_an_admin_bulk_deactivation_is_seen_at_the_next_read(make_user, make_profile, admin_client):
    user = make_user(email="a@example.com")
    token = bearer_token(user, make_profile(user, name="Me"))
    read(token)

    response = admin_client.post(
        "/admin/streamflix_core/user/",
        {"action": "deactivate_accounts", "_selected_action": [user.pk]},
    )

    assert response.status_code == 302
    with pytest.raises(AuthenticationError):
        read(token)


def test_a_deleted_profile_named_by_the_token_is_refused(make_user, make_profile):
    user = make_user(email="a@example.com")
    gone = make_profile(user, name="Gone")
    make_profile(user, name="Stays")
    token = bearer_token(user, gone)
    read(token)

    gone.delete()

    with pytest.raises(AuthenticationError):
        read(token)


def test_a_token_without_a_profile_keeps_a_pin_protected_default_closed(make_user, make_profile):
    from django.contrib.auth.hashers import make_password

    user = make_user(email="a@example.com")
    make_profile(user, name="Locked", is_default=True, pin_hash=make_password("1234"))

    viewer = read(bearer_token(user))

    assert viewer.profile is None


def test_no_password_or_pin_hash_goes_to_the_cache(make_user, make_profile):
    from django.contrib.auth.hashers import make_password

    user = make_user(email="a@example.com")
    make_profile(user, name="Locked", pin_hash=make_password("1234"))
    account = cached_account(user.pk)
    stored = repr(cache.get(account_key(user.pk)))

    assert "pbkdf2" not in stored and "argon2" not in stored and "password" not in stored
    assert account is not None and not account.user.has_usable_password()


def test_anonymous_reads_stay_anonymous():
    viewer = read(None)
    assert not viewer.is_authenticated and viewer.profile is None


def test_a_copy_read_before_a_change_committed_is_never_used(make_user, make_profile):
    from streamflix_core.account_cache import _read, version_key

    user = make_user(email="a@example.com")
    profile = make_profile(user, name="Me", maturity_limit=Maturity.AGE_18)
    token = bearer_token(user, profile)
    read(token)
    # A request sees the account's version and reads its rows...
    seen, rows = cache.get(version_key(user.pk)), _read(user.pk)
    # ...the profile's limit is lowered meanwhile...
    profile.maturity_limit = KIDS_LIMIT
    profile.save()
    # ...and the request caches what it read, late.
    cache.set(account_key(user.pk), {**rows, "version": seen}, 60)

    assert read(token).maturity_limit == int(KIDS_LIMIT)


def test_an_account_changed_a_moment_ago_is_cached_again_at_once(make_user, make_profile):
    user = make_user(email="a@example.com")
    profile = make_profile(user, name="Me")
    token = bearer_token(user, profile)
    profile.name = "Renamed"
    profile.save()
    read(token)
    with CaptureQueriesContext(connection) as queries:
        assert read(token).profile.name == "Renamed"
    assert len(queries) == 0


def test_a_process_builds_an_account_once_per_version(make_user, make_profile):
    user = make_user(email="a@example.com")
    profile = make_profile(user, name="Me", maturity_limit=Maturity.AGE_18)
    token = bearer_token(user, profile)
    read(token)
    first, again = read(token), read(token)
    assert first.user is again.user and first.profile is again.profile

    profile.name = "Renamed"
    profile.save()

    changed = read(token)
    assert changed.user is not first.user
    assert changed.profile.name == "Renamed"


def test_a_change_no_receiver_saw_applies_once_the_copy_expires(
    make_user, make_profile, monkeypatch
):
    # A queryset update() sends no signal, so the account's version stays; the copy (and
    # the stand-in this process built from it) still lasts only ACCOUNT_CACHE_SECONDS.
    import time

    from django.contrib.auth import get_user_model

    from streamflix_core.conf import settings

    user = make_user(email="a@example.com")
    token = bearer_token(user, make_profile(user, name="Me"))
    read(token)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert read(token).user.pk == user.pk  # the copy is still current

    # The shared copy's time is up (Redis expires it on its own clock: it is removed here),
    # and so is the stand-in this process built from it.
    later = time.time() + settings().ACCOUNT_CACHE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    cache.delete(account_key(user.pk))

    with pytest.raises(AuthenticationError):
        read(token)
