from __future__ import annotations

import pytest
from django.test import Client

from .conftest import Api

pytestmark = pytest.mark.django_db

ACCESS, REFRESH = "streamflix_access", "streamflix_refresh"


@pytest.fixture
def browser(make_user, make_profile):
    user = make_user(email="ana@example.com")
    make_profile(user, name="Ana")
    client = Api(Client(enforce_csrf_checks=True))
    response = client.post(
        "/api/auth/login",
        {"email": "ana@example.com", "password": "correct-horse-9", "cookies": True},
    )
    assert response.status_code == 200, response.content
    return client, response


def _csrf(client: Api) -> dict[str, str]:
    return {"X-CSRFToken": client.client.cookies["csrftoken"].value}


def test_cookie_login_sets_http_only_cookies_and_no_tokens_in_the_body(browser):
    client, response = browser
    body = response.json()
    assert body["cookies"] is True and body["access"] is None and body["refresh"] is None
    for name in (ACCESS, REFRESH):
        cookie = response.cookies[name]
        assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert "csrftoken" in response.cookies
    assert client.get("/api/me").status_code == 200


def test_cookie_options_are_settings(make_user, settings):
    settings.STREAMFLIX_CORE = {"AUTH_COOKIE_SECURE": False, "AUTH_COOKIE_SAMESITE": "Strict"}
    make_user(email="ana@example.com")
    response = Api().post(
        "/api/auth/login",
        {"email": "ana@example.com", "password": "correct-horse-9", "cookies": True},
    )
    assert not response.cookies[ACCESS]["secure"]
    assert response.cookies[ACCESS]["samesite"] == "Strict"


def test_cookie_mode_can_be_turned_off(make_user, settings):
    settings.STREAMFLIX_CORE = {"AUTH_COOKIES": False}
    make_user(email="ana@example.com")
    response = Api().post(
        "/api/auth/login",
        {"email": "ana@example.com", "password": "correct-horse-9", "cookies": True},
    )
    assert response.status_code == 400 and response.json()["code"] == "cookies_disabled"


def test_unsafe_cookie_request_without_csrf_token_is_403(browser):
    client, _ = browser
    response = client.patch("/api/me", {"display_name": "Neo"})
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    ok = client.patch("/api/me", {"display_name": "Neo"}, headers=_csrf(client))
    assert ok.status_code == 200 and ok.json()["display_name"] == "Neo"


def test_header_auth_needs_no_csrf_token(make_user, token_for):
    user = make_user()
    client = Api(Client(enforce_csrf_checks=True), token=token_for(user))
    assert client.patch("/api/me", {"display_name": "Neo"}).status_code == 200


def test_refresh_and_logout_read_the_cookie(browser):
    client, _ = browser
    old_refresh = client.client.cookies[REFRESH].value
    no_csrf = client.post("/api/auth/refresh", {})
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "csrf_failed"
    refreshed = client.post("/api/auth/refresh", {}, headers=_csrf(client))
    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.json()["cookies"] is True
    new_refresh = client.client.cookies[REFRESH].value
    assert new_refresh != old_refresh
    reused = Api().post("/api/auth/refresh", {"refresh": old_refresh})
    assert reused.status_code == 401

    out = client.post("/api/auth/logout", {}, headers=_csrf(client))
    assert out.status_code == 204
    assert out.cookies[ACCESS].value == "" and out.cookies[REFRESH].value == ""
    assert Api().post("/api/auth/refresh", {"refresh": new_refresh}).status_code == 401


def test_switch_in_cookie_mode_updates_the_cookies(browser, make_profile):
    from streamflix_core.models import Profile

    client, _ = browser
    kids = make_profile(Profile.objects.get().user, name="Kids", is_kids=True, maturity_limit=7)
    response = client.post(f"/api/profiles/{kids.pk}/switch", {}, headers=_csrf(client))
    assert response.status_code == 200, response.content
    assert response.json()["profile_id"] == kids.pk and response.json()["access"] is None
    assert ACCESS in response.cookies
