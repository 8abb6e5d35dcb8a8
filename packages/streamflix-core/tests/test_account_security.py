"""Account security: email change, kids sessions, PIN-protected default profiles, and
answers that never reveal whether an email has an account (issue 9, item 1)."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import RequestFactory

from streamflix_core.auth import jwt_auth
from streamflix_core.models import Profile, User
from streamflix_core.viewer import current_viewer

from .conftest import STRONG, Api, last_mail_to, link_parts
from .test_avatar_api import _png, _put

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"


def _email_token(message) -> str:
    found = re.search(r"confirm-email\?token=([\w:.-]+)", message.body)
    assert found, message.body
    return found.group(1)


def _mail_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def ana(make_user, make_profile):
    user = make_user(email="ana@example.com", email_verified=True)
    make_profile(user, name="Ana")
    return user


# --- Email change -------------------------------------------------------------------------


def test_email_change_needs_the_current_password(ana, signed_in):
    client = signed_in(ana)
    wrong = client.post("/api/me/email", {"new_email": "new@example.com", "password": "nope"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_password"
    missing = client.post("/api/me/email", {"new_email": "new@example.com"})
    assert missing.status_code == 422 and missing.json()["code"] == "validation_error"
    ana.refresh_from_db()
    assert (ana.email, ana.email_verified) == ("ana@example.com", True)
    assert mail.outbox == []


def test_email_change_applies_only_once_the_new_address_confirms(ana, signed_in, api):
    client = signed_in(ana)
    response = client.post("/api/me/email", {"new_email": "New@Example.com", "password": PASSWORD})
    assert response.status_code == 202, response.content
    ana.refresh_from_db()
    assert (ana.email, ana.email_verified) == ("ana@example.com", True)
    token = _email_token(last_mail_to("new@example.com"))
    warning = last_mail_to("ana@example.com")
    assert "new@example.com" in warning.body and token not in warning.body

    confirmed = api.post("/api/me/email/confirm", {"token": token})
    assert confirmed.status_code == 200, confirmed.content
    ana.refresh_from_db()
    assert (ana.email, ana.email_verified) == ("new@example.com", True)
    notice = last_mail_to("ana@example.com")
    assert notice is not warning and "new@example.com" in notice.body
    assert client.get("/api/me").json()["email"] == "new@example.com"

    again = api.post("/api/me/email/confirm", {"token": token})
    assert again.status_code == 400 and again.json()["code"] == "invalid_link"


def test_email_change_answers_the_same_when_the_new_address_is_taken(
    ana, make_user, signed_in, api
):
    make_user(email="taken@example.com", email_verified=True)
    client = signed_in(ana)
    taken = client.post("/api/me/email", {"new_email": "TAKEN@example.com", "password": PASSWORD})
    free = client.post("/api/me/email", {"new_email": "free@example.com", "password": PASSWORD})
    assert taken.status_code == free.status_code == 202
    assert taken.json() == free.json()
    [owner_notice] = _mail_to("taken@example.com")
    assert "confirm-email" not in owner_notice.body and "token" not in owner_notice.body
    assert _email_token(last_mail_to("free@example.com"))
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"


def test_email_change_confirm_is_409_when_the_address_was_taken_meanwhile(
    ana, make_user, signed_in, api
):
    signed_in(ana).post("/api/me/email", {"new_email": "new@example.com", "password": PASSWORD})
    token = _email_token(last_mail_to("new@example.com"))
    make_user(email="NEW@example.com")
    response = api.post("/api/me/email/confirm", {"token": token})
    assert response.status_code == 409 and response.json()["code"] == "email_taken"
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"


def test_email_change_confirm_refuses_bad_tampered_and_expired_tokens(
    ana, signed_in, api, monkeypatch
):
    signed_in(ana).post("/api/me/email", {"new_email": "new@example.com", "password": PASSWORD})
    token = _email_token(last_mail_to("new@example.com"))
    for bad in ("nonsense", token[:-2] + "xx", token.replace(":", ":A", 1)):
        response = api.post("/api/me/email/confirm", {"token": bad})
        assert response.status_code == 400 and response.json()["code"] == "invalid_link", bad
    missing = api.post("/api/me/email/confirm", {})
    assert missing.status_code == 422

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3 * 24 * 3600)
    expired = api.post("/api/me/email/confirm", {"token": token})
    monkeypatch.setattr(time, "time", real_time)
    assert expired.status_code == 400 and expired.json()["code"] == "link_expired"
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"


def test_email_change_link_dies_when_the_password_changes(ana, signed_in, api):
    client = signed_in(ana)
    client.post("/api/me/email", {"new_email": "new@example.com", "password": PASSWORD})
    token = _email_token(last_mail_to("new@example.com"))
    changed = client.post("/api/me/password", {"old_password": PASSWORD, "new_password": STRONG})
    assert changed.status_code == 200
    response = api.post("/api/me/email/confirm", {"token": token})
    assert response.status_code == 400 and response.json()["code"] == "invalid_link"
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"


def test_email_change_to_the_current_address_is_refused(ana, signed_in):
    response = signed_in(ana).post(
        "/api/me/email", {"new_email": "ANA@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400 and response.json()["code"] == "email_unchanged"
    bad = signed_in(ana).post("/api/me/email", {"new_email": "nope", "password": PASSWORD})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    assert mail.outbox == []


def test_patch_me_refuses_an_email_field_and_points_to_the_email_endpoint(ana, signed_in):
    response = signed_in(ana).patch("/api/me", {"email": "new@example.com", "display_name": "X"})
    assert response.status_code == 422
    body = response.json()
    assert "/api/me/email" in body["detail"] and body["errors"]
    ana.refresh_from_db()
    assert (ana.email, ana.display_name) == ("ana@example.com", "")
    assert mail.outbox == []


def test_a_stolen_access_token_cannot_take_the_account_by_email_and_reset(ana, signed_in, api):
    client = signed_in(ana)
    client.patch("/api/me", {"email": "thief@example.com"})
    client.post("/api/me/email", {"new_email": "thief@example.com", "password": "guess"})
    api.post("/api/auth/password/reset", {"email": "thief@example.com"})
    assert _mail_to("thief@example.com") == []
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"


# --- Password reset only to a verified address --------------------------------------------


def test_password_reset_goes_only_to_a_verified_address(make_user, api):
    make_user(email="unverified@example.com", email_verified=False)
    make_user(email="verified@example.com", email_verified=True)
    unverified = api.post("/api/auth/password/reset", {"email": "unverified@example.com"})
    verified = api.post("/api/auth/password/reset", {"email": "verified@example.com"})
    assert unverified.status_code == verified.status_code == 202
    assert unverified.content == verified.content
    assert [m.to for m in mail.outbox] == [["verified@example.com"]]


@pytest.fixture
def enqueued(monkeypatch):
    calls = []

    def record(func, *args, **kwargs):
        calls.append((func, args))

    monkeypatch.setattr("django_q.tasks.async_task", record)
    return calls


def test_password_reset_enqueues_the_same_task_for_known_and_unknown_emails(
    make_user, api, enqueued
):
    make_user(email="ana@example.com", email_verified=True)
    api.post("/api/auth/password/reset", {"email": "ana@example.com"})
    api.post("/api/auth/password/reset", {"email": "ghost@example.com"})
    assert enqueued == [
        ("streamflix_core.tasks.send_email", ({"kind": kind, "address": address}, 1))
        for kind, address in (
            ("password_reset", "ana@example.com"),
            ("password_reset", "ghost@example.com"),
        )
    ]


# --- Registration does not reveal taken emails --------------------------------------------


def _register(api, email):
    body = {"email": email, "password": STRONG, "password_confirm": STRONG, "display_name": "N"}
    return api.post("/api/auth/register", body)


@pytest.mark.parametrize("require_verification", [True, False])
def test_register_with_a_taken_email_answers_like_a_new_one(
    make_user, api, settings, require_verification
):
    settings.STREAMFLIX_CORE = {"REQUIRE_EMAIL_VERIFICATION": require_verification}
    owner = make_user(email="taken@example.com", email_verified=True)
    Profile.objects.create(user=owner, name="Owner", is_default=True)
    taken = _register(api, "TAKEN@example.com")
    fresh = _register(api, "fresh@example.com")
    assert taken.status_code == fresh.status_code
    taken_body, fresh_body = taken.json(), fresh.json()
    assert taken_body.keys() == fresh_body.keys()
    assert {**taken_body, "email": None} == {**fresh_body, "email": None}
    assert taken_body["email"] == "taken@example.com"
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and owner.display_name == ""
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert Profile.objects.filter(user=owner).count() == 1
    [notice] = _mail_to("taken@example.com")
    assert "already" in notice.body and "token=" not in notice.body


def test_register_with_a_taken_but_never_activated_email_mails_a_fresh_activation_link(
    make_user, api
):
    make_user(email="idle@example.com", is_active=False)
    assert _register(api, "idle@example.com").status_code == 201
    uid, token = link_parts(last_mail_to("idle@example.com"))
    assert api.post("/api/auth/activate", {"uid": uid, "token": token}).status_code == 200
    assert User.objects.get(email="idle@example.com").check_password(PASSWORD)


def test_register_enqueues_one_email_task_for_new_and_taken_emails(make_user, api, enqueued):
    make_user(email="taken@example.com")
    _register(api, "taken@example.com")
    _register(api, "fresh@example.com")
    fresh = User.objects.get(email="fresh@example.com")
    assert enqueued == [
        (
            "streamflix_core.tasks.send_email",
            ({"kind": "account_exists", "address": "taken@example.com"}, 1),
        ),
        ("streamflix_core.tasks.send_email", ({"kind": "activation", "user_id": fresh.pk}, 1)),
    ]


# --- Kids sessions cannot act for the account ---------------------------------------------


@pytest.fixture
def kids_client(ana, make_profile, signed_in):
    kid = make_profile(ana, name="Kid", is_kids=True, maturity_limit=7)
    return signed_in(ana, kid)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/me", {"display_name": "Hacked"}),
        ("DELETE", "/api/me", {"password": PASSWORD}),
        ("POST", "/api/me/password", {"old_password": PASSWORD, "new_password": STRONG}),
        ("POST", "/api/me/email", {"new_email": "kid@example.com", "password": PASSWORD}),
        ("DELETE", "/api/me/avatar", None),
    ],
)
def test_a_kids_session_cannot_act_for_the_account(ana, kids_client, method, path, body):
    response = kids_client.send(method, path, body)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "kids_profile"
    ana.refresh_from_db()
    assert (ana.email, ana.display_name) == ("ana@example.com", "")
    assert ana.check_password(PASSWORD)
    assert mail.outbox == []


def test_a_kids_session_cannot_upload_an_avatar(ana, kids_client):
    response = _put(kids_client, _png())
    assert response.status_code == 403 and response.json()["code"] == "kids_profile"
    ana.refresh_from_db()
    assert not ana.avatar


def test_a_kids_session_may_still_read_the_account(kids_client):
    assert kids_client.get("/api/me").status_code == 200


# --- A PIN-protected default profile is never entered without its PIN ---------------------


@pytest.fixture
def pinned(make_user, make_profile):
    user = make_user(email="dad@example.com")
    locked = make_profile(user, name="Dad", pin_hash=make_password("2468"))
    make_profile(user, name="Kids", is_kids=True, maturity_limit=7)
    return user, locked


def _viewer_for(access: str):
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert jwt_auth(request)
    return current_viewer(request)


def test_login_with_a_pin_protected_default_profile_selects_no_profile(pinned, api, settings):
    settings.STREAMFLIX_CORE = {"ANONYMOUS_MATURITY_LIMIT": 13}
    _, locked = pinned
    response = api.post("/api/auth/login", {"email": "dad@example.com", "password": PASSWORD})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["profile_id"] is None
    viewer = _viewer_for(body["access"])
    assert (viewer.profile, viewer.maturity_limit) == (None, 13)

    client = Api(token=body["access"])
    refused = client.post(f"/api/profiles/{locked.pk}/switch", {})
    assert refused.status_code == 403 and refused.json()["code"] == "invalid_pin"
    chosen = client.post(f"/api/profiles/{locked.pk}/switch", {"pin": "2468"})
    assert chosen.status_code == 200 and chosen.json()["profile_id"] == locked.pk
    assert _viewer_for(chosen.json()["access"]).profile == locked


def test_refresh_of_a_login_without_a_profile_stays_without_one(pinned, api):
    login = api.post("/api/auth/login", {"email": "dad@example.com", "password": PASSWORD})
    refreshed = api.post("/api/auth/refresh", {"refresh": login.json()["refresh"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["profile_id"] is None
    assert _viewer_for(refreshed.json()["access"]).profile is None


def test_cookie_login_with_a_pin_protected_default_profile_selects_no_profile(pinned, api):
    response = api.post(
        "/api/auth/login", {"email": "dad@example.com", "password": PASSWORD, "cookies": True}
    )
    assert response.status_code == 200 and response.json()["profile_id"] is None
    assert api.get("/api/me").status_code == 200


def test_password_change_without_a_profile_does_not_enter_the_pin_protected_default(
    pinned, signed_in
):
    user, _ = pinned
    response = signed_in(user).post(
        "/api/me/password", {"old_password": PASSWORD, "new_password": STRONG}
    )
    assert response.status_code == 200 and response.json()["profile_id"] is None


def test_a_token_without_a_profile_does_not_fall_back_to_a_pin_protected_default(pinned, token_for):
    user, _ = pinned
    viewer = _viewer_for(token_for(user))
    assert viewer.profile is None and viewer.profile_id is None


def test_login_with_an_open_default_profile_still_selects_it(ana, api):
    response = api.post("/api/auth/login", {"email": "ana@example.com", "password": PASSWORD})
    assert response.json()["profile_id"] == Profile.objects.get(user=ana).pk
