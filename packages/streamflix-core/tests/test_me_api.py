from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from ninja_jwt.token_blacklist.models import OutstandingToken

from streamflix_core import signals
from streamflix_core.models import Profile

from .conftest import STRONG

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_me_requires_a_valid_token(api):
    assert api.get("/api/me").status_code == 401
    bad = api.get("/api/me", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json()["code"] == "not_authenticated"


def test_me_shows_the_account(make_user, signed_in, django_assert_max_num_queries):
    user = make_user(email="ana@example.com", display_name="Ana", email_verified=True)
    client = signed_in(user)
    with django_assert_max_num_queries(2):
        response = client.get("/api/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "ana@example.com" and body["display_name"] == "Ana"
    assert body["email_verified"] is True and body["avatar_url"] is None
    assert body["is_staff"] is False and body["date_joined"]


def test_me_of_a_deactivated_account_is_401(make_user, signed_in):
    user = make_user()
    client = signed_in(user)
    User.objects.update(is_active=False)
    assert client.get("/api/me").status_code == 401


def test_patch_me_changes_the_display_name(make_user, signed_in):
    user = make_user(email_verified=True)
    response = signed_in(user).patch("/api/me", {"display_name": "Neo"})
    assert response.status_code == 200 and response.json()["display_name"] == "Neo"
    user.refresh_from_db()
    assert user.display_name == "Neo" and user.email_verified


def test_patch_me_refuses_an_email_and_a_too_long_display_name(make_user, signed_in):
    # The email changes only through POST /api/me/email (see test_account_security.py).
    make_user(email="taken@example.com")
    user = make_user(email="me@example.com", email_verified=True)
    client = signed_in(user)
    moved = client.patch("/api/me", {"email": "new@example.com"})
    assert moved.status_code == 422 and "/api/me/email" in moved.json()["detail"]
    long_name = client.patch("/api/me", {"display_name": "x" * 151})
    assert long_name.status_code == 422 and long_name.json()["code"] == "validation_error"
    user.refresh_from_db()
    assert (user.email, user.display_name, user.email_verified) == ("me@example.com", "", True)
    assert mail.outbox == []


def test_change_password_blacklists_every_refresh_token(api, make_user):
    make_user(email="ana@example.com")
    login = {"email": "ana@example.com", "password": "correct-horse-9"}
    first = api.post("/api/auth/login", login).json()
    second = api.post("/api/auth/login", login).json()
    client = type(api)(token=first["access"])
    response = client.post(
        "/api/me/password", {"old_password": "correct-horse-9", "new_password": STRONG}
    )
    assert response.status_code == 200, response.content
    fresh = response.json()
    for old in (first["refresh"], second["refresh"]):
        assert api.post("/api/auth/refresh", {"refresh": old}).status_code == 401
    assert api.post("/api/auth/refresh", {"refresh": fresh["refresh"]}).status_code == 200
    assert api.post("/api/auth/login", {**login, "password": STRONG}).status_code == 200


def test_change_password_needs_the_old_one_and_a_good_new_one(make_user, signed_in):
    user = make_user()
    client = signed_in(user)
    wrong = client.post("/api/me/password", {"old_password": "nope", "new_password": STRONG})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_password"
    weak = client.post(
        "/api/me/password", {"old_password": "correct-horse-9", "new_password": "123"}
    )
    assert weak.status_code == 422 and weak.json()["code"] == "password_invalid"
    user.refresh_from_db()
    assert user.check_password("correct-horse-9")
    assert not OutstandingToken.objects.filter(blacklistedtoken__isnull=False).exists()


def test_delete_me_erases_the_account_and_tells_plugins(make_user, make_profile, signed_in):
    user = make_user(email="gone@example.com")
    make_profile(user)
    heard = []

    def on_deleted(sender, user_id, email, **kwargs):
        heard.append((user_id, email))

    signals.account_deleted.connect(on_deleted)
    try:
        response = signed_in(user).delete("/api/me", {"password": "correct-horse-9"})
    finally:
        signals.account_deleted.disconnect(on_deleted)
    assert response.status_code == 204
    assert heard == [(user.pk, "gone@example.com")]
    assert not User.objects.exists() and not Profile.objects.exists()


def test_delete_me_needs_the_password(make_user, signed_in):
    user = make_user()
    client = signed_in(user)
    wrong = client.delete("/api/me", {"password": "nope"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_password"
    missing = client.delete("/api/me", {})
    assert missing.status_code == 422
    assert User.objects.filter(pk=user.pk).exists()
