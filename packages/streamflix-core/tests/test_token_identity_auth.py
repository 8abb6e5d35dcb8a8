"""``token_identity_auth``: a token's identity without a database query, remembered per
process but never past the token's expiry."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from ninja.errors import AuthenticationError

from streamflix_core.auth import TokenIdentity, TokenIdentityAuth
from streamflix_core.testing.api_client import bearer_token


def _request(token: str) -> Any:
    return RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def auth() -> TokenIdentityAuth:
    return TokenIdentityAuth()


def test_a_valid_token_gives_its_identity_without_a_query(auth, make_user, make_profile):
    user = make_user(email="id@example.com")
    profile = make_profile(user, name="Me")
    token = bearer_token(user, profile)
    with CaptureQueriesContext(connection) as queries:
        identity = auth(_request(token))
        again = auth(_request(token))
    assert identity == again == TokenIdentity(user_id=str(user.pk), profile_id=profile.pk)
    assert len(queries) == 0


def test_a_tampered_or_foreign_token_is_refused(auth, make_user):
    token = bearer_token(make_user(email="t@example.com"))
    head, payload, signature = token.split(".")
    with pytest.raises(AuthenticationError):
        auth(_request(f"{head}.{payload}.{signature[::-1]}"))
    with pytest.raises(AuthenticationError):
        auth(_request("not-a-token"))


def test_a_remembered_token_is_verified_again_once_it_expires(auth, make_user, monkeypatch):
    from ninja_jwt.exceptions import TokenError

    token = bearer_token(make_user(email="e@example.com"))
    identity, _ = auth._verified.get(token) or (auth(_request(token)), None)
    # Past its expiry the memory is not used: the token goes through verification again,
    # which refuses an expired token.
    auth._verified[token] = (identity, time.time() - 1)

    def expired(raw: str) -> Any:
        raise TokenError("Token is invalid or expired")

    monkeypatch.setattr(auth, "get_validated_token", expired)
    with pytest.raises(AuthenticationError):
        auth(_request(token))


def test_the_memory_is_bounded(auth, make_user):
    auth.REMEMBERED_TOKENS = 2
    user = make_user(email="b@example.com")
    tokens = [bearer_token(user) for _ in range(3)]
    for token in tokens:
        auth(_request(token))
    assert len(auth._verified) <= 2


def test_token_identity_validates_a_raw_token_string(make_user, make_profile):
    from streamflix_core.auth import token_identity

    user = make_user(email="raw@example.com")
    profile = make_profile(user, name="Me")
    token = bearer_token(user, profile)
    assert token_identity(token) == TokenIdentity(user_id=str(user.pk), profile_id=profile.pk)
    head, payload, signature = token.split(".")
    for forged in (f"{head}.{payload}.{signature[::-1]}", "not-a-token", ""):
        with pytest.raises(AuthenticationError):
            token_identity(forged)
