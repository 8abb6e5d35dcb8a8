from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from ninja_jwt.token_blacklist.models import BlacklistedToken
from ninja_jwt.tokens import RefreshToken

from streamflix_core import signals
from streamflix_core.models import Profile

from .conftest import STRONG, last_mail_to, link_parts

pytestmark = pytest.mark.django_db(transaction=False)

User = get_user_model()


def _register(api, email="new@example.com", **extra):
    body = {
        "email": email,
        "password": STRONG,
        "password_confirm": STRONG,
        "display_name": "Nova",
        **extra,
    }
    return api.post("/api/auth/register", body)


def test_register_creates_an_inactive_account_with_one_profile(api):
    received = []

    def on_registered(sender, user, **kwargs):
        received.append(user.email)

    signals.user_registered.connect(on_registered)
    try:
        response = _register(api, email="Nova@Example.COM")
    finally:
        signals.user_registered.disconnect(on_registered)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "nova@example.com"
    assert body["is_active"] is False and body["email_verification_required"] is True
    assert "token" not in response.content.decode()
    user = User.objects.get(email="nova@example.com")
    assert not user.is_active and not user.email_verified and user.display_name == "Nova"
    assert list(Profile.objects.filter(user=user).values_list("name", "is_default")) == [
        ("Nova", True)
    ]
    assert received == ["nova@example.com"]
    message = last_mail_to("nova@example.com")
    assert "activate?uid=" in message.body


def test_register_without_verification_is_active_at_once_and_mails_a_verification_link(
    api, settings
):
    settings.STREAMFLIX_CORE = {"REQUIRE_EMAIL_VERIFICATION": False}
    response = _register(api)
    assert response.status_code == 201
    assert response.json()["is_active"] is True
    assert (
        api.post("/api/auth/login", {"email": "new@example.com", "password": STRONG}).status_code
        == 200
    )
    # The address is unverified (a password reset needs it verified) until the link is used.
    assert not User.objects.get().email_verified
    uid, token = link_parts(last_mail_to("new@example.com"))
    assert api.post("/api/auth/activate", {"uid": uid, "token": token}).status_code == 200
    assert User.objects.get().email_verified


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"password_confirm": "something-else-42"}, "validation_error", None),
        ({"email": "not-an-email"}, "validation_error", "email"),
        ({"password": "short", "password_confirm": "short"}, "password_invalid", "password"),
        ({"password": "password123", "password_confirm": "password123"}, "password_invalid", None),
    ],
)
def test_register_rejects_bad_input(api, change, code, field):
    response = _register(api, **change)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]
    if field:
        assert any(field in e["loc"] for e in body["errors"])
    assert not User.objects.exists() and not Profile.objects.exists()


def test_register_with_a_taken_email_answers_201_and_keeps_the_existing_account(api, make_user):
    make_user(email="taken@example.com")
    response = _register(api, email="TAKEN@example.com")
    assert response.status_code == 201
    assert response.json()["email"] == "taken@example.com"
    assert User.objects.count() == 1
    assert User.objects.get().check_password("correct-horse-9")


def test_activation_link_works_once(api):
    _register(api)
    uid, token = link_parts(last_mail_to("new@example.com"))
    login = {"email": "new@example.com", "password": STRONG}
    denied = api.post("/api/auth/login", login)
    assert denied.status_code == 403 and denied.json()["code"] == "account_inactive"

    response = api.post("/api/auth/activate", {"uid": uid, "token": token})
    assert response.status_code == 200, response.content
    user = User.objects.get(email="new@example.com")
    assert user.is_active and user.email_verified
    assert api.post("/api/auth/login", login).status_code == 200

    again = api.post("/api/auth/activate", {"uid": uid, "token": token})
    assert again.status_code == 400 and again.json()["code"] == "invalid_link"


@pytest.mark.parametrize("uid", ["bm9wZQ", "!!!"])
def test_activation_with_a_bad_link_is_400(api, uid):
    _register(api)
    response = api.post("/api/auth/activate", {"uid": uid, "token": "1-abc"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_link"
    assert not User.objects.get().is_active


def test_an_empty_uid_or_token_is_refused_at_the_schema_with_422(api):
    _register(api)
    for link in ({"uid": "", "token": "1-abc"}, {"uid": "bm9wZQ", "token": ""}):
        response = api.post("/api/auth/activate", link)
        assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert not User.objects.get().is_active


def test_activation_resend_answers_the_same_for_unknown_addresses(api):
    _register(api)
    mail.outbox.clear()
    known = api.post("/api/auth/activation/resend", {"email": "new@example.com"})
    unknown = api.post("/api/auth/activation/resend", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    uid, token = link_parts(mail.outbox[0])
    assert api.post("/api/auth/activate", {"uid": uid, "token": token}).status_code == 200


def test_activation_resend_rejects_a_malformed_email(api):
    response = api.post("/api/auth/activation/resend", {"email": "nope"})
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_login_returns_tokens_for_the_default_profile(api, make_user, make_profile):
    user = make_user(email="ana@example.com")
    make_profile(user, name="Ana")
    kids = make_profile(user, name="Kids", is_kids=True, maturity_limit=7)
    response = api.post(
        "/api/auth/login", {"email": "ANA@example.com", "password": "correct-horse-9"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["access"] and body["refresh"]
    assert body["profile_id"] == Profile.objects.get(user=user, is_default=True).pk != kids.pk
    me = api.get("/api/me", headers={"Authorization": f"Bearer {body['access']}"})
    assert me.status_code == 200 and me.json()["email"] == "ana@example.com"


@pytest.mark.parametrize(
    ("email", "password"),
    [("ana@example.com", "wrong-password-1"), ("ghost@example.com", "correct-horse-9")],
)
def test_login_failures_look_the_same(api, make_user, email, password):
    make_user(email="ana@example.com")
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The email or password is wrong.",
        "code": "invalid_credentials",
    }


def test_login_of_an_inactive_account_is_403(api, make_user):
    make_user(email="idle@example.com", is_active=False)
    response = api.post(
        "/api/auth/login", {"email": "idle@example.com", "password": "correct-horse-9"}
    )
    assert response.status_code == 403 and response.json()["code"] == "account_inactive"


def test_login_rejects_missing_fields(api):
    response = api.post("/api/auth/login", {"email": "a@example.com"})
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def _pair(api, make_user, email="ana@example.com"):
    make_user(email=email, email_verified=True)
    return api.post("/api/auth/login", {"email": email, "password": "correct-horse-9"}).json()


def test_refresh_rotates_and_refuses_reuse(api, make_user):
    pair = _pair(api, make_user)
    response = api.post("/api/auth/refresh", {"refresh": pair["refresh"]})
    assert response.status_code == 200, response.content
    fresh = response.json()
    assert fresh["refresh"] != pair["refresh"] and fresh["access"]
    reused = api.post("/api/auth/refresh", {"refresh": pair["refresh"]})
    assert reused.status_code == 401 and reused.json()["code"] == "token_invalid"
    assert api.post("/api/auth/refresh", {"refresh": fresh["refresh"]}).status_code == 200


def test_refresh_keeps_the_profile_claim(api, make_user, make_profile):
    user = make_user(email="ana@example.com")
    make_profile(user, name="Ana")
    kids = make_profile(user, name="Kids", is_kids=True, maturity_limit=7)
    refresh = RefreshToken.for_user(user)
    refresh["profile_id"] = kids.pk
    response = api.post("/api/auth/refresh", {"refresh": str(refresh)})
    assert response.status_code == 200
    assert response.json()["profile_id"] == kids.pk
    kids.delete()
    gone = api.post("/api/auth/refresh", {"refresh": response.json()["refresh"]})
    assert gone.status_code == 401 and gone.json()["code"] == "token_invalid"


def test_refresh_refuses_expired_garbage_and_access_tokens(api, make_user):
    pair = _pair(api, make_user)
    expired = RefreshToken.for_user(User.objects.get())
    expired.set_exp(lifetime=timedelta(seconds=-5))
    for raw in (str(expired), "not-a-token", pair["access"]):
        response = api.post("/api/auth/refresh", {"refresh": raw})
        assert response.status_code == 401, raw
        assert response.json()["code"] == "token_invalid"
    missing = api.post("/api/auth/refresh", {})
    assert missing.status_code == 401 and missing.json()["code"] == "token_missing"


def test_refresh_of_a_deactivated_account_is_refused(api, make_user):
    pair = _pair(api, make_user)
    User.objects.update(is_active=False)
    response = api.post("/api/auth/refresh", {"refresh": pair["refresh"]})
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"


def test_logout_blacklists_the_refresh_token(api, make_user):
    pair = _pair(api, make_user)
    response = api.post("/api/auth/logout", {"refresh": pair["refresh"]})
    assert response.status_code == 204
    assert BlacklistedToken.objects.count() == 1
    refused = api.post("/api/auth/refresh", {"refresh": pair["refresh"]})
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
    twice = api.post("/api/auth/logout", {"refresh": pair["refresh"]})
    assert twice.status_code == 401


def test_logout_without_a_token_is_401(api):
    response = api.post("/api/auth/logout", {})
    assert response.status_code == 401 and response.json()["code"] == "token_missing"


def test_password_reset_answers_identically_and_mails_known_users(api, make_user):
    make_user(email="ana@example.com", email_verified=True)
    known = api.post("/api/auth/password/reset", {"email": "ana@example.com"})
    unknown = api.post("/api/auth/password/reset", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_password_reset_confirm_sets_the_password_once(api, make_user):
    pair = _pair(api, make_user)
    api.post("/api/auth/password/reset", {"email": "ana@example.com"})
    uid, token = link_parts(last_mail_to("ana@example.com"))
    new = "Another-long-passphrase-7"
    response = api.post(
        "/api/auth/password/reset/confirm", {"uid": uid, "token": token, "new_password": new}
    )
    assert response.status_code == 200, response.content
    assert (
        api.post("/api/auth/login", {"email": "ana@example.com", "password": new}).status_code
        == 200
    )
    assert api.post("/api/auth/refresh", {"refresh": pair["refresh"]}).status_code == 401
    again = api.post(
        "/api/auth/password/reset/confirm", {"uid": uid, "token": token, "new_password": new + "x"}
    )
    assert again.status_code == 400 and again.json()["code"] == "invalid_link"


def test_password_reset_confirm_rejects_weak_passwords_and_bad_links(api, make_user):
    make_user(email="ana@example.com", email_verified=True)
    api.post("/api/auth/password/reset", {"email": "ana@example.com"})
    uid, token = link_parts(last_mail_to("ana@example.com"))
    weak = api.post(
        "/api/auth/password/reset/confirm", {"uid": uid, "token": token, "new_password": "abc"}
    )
    assert weak.status_code == 422 and weak.json()["code"] == "password_invalid"
    bad = api.post(
        "/api/auth/password/reset/confirm",
        {"uid": uid, "token": "1-deadbeef", "new_password": STRONG},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_link"
    assert User.objects.get().check_password("correct-horse-9")
