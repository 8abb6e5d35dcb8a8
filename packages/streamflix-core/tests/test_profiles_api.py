from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import RequestFactory

from streamflix_core import hooks
from streamflix_core.auth import jwt_auth
from streamflix_core.models import Profile
from streamflix_core.viewer import current_viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(make_user, make_profile):
    user = make_user(email="ana@example.com")
    adult = make_profile(user, name="Ana")
    return user, adult


def test_list_profiles_is_paginated_and_bounded(
    account, make_profile, signed_in, django_assert_max_num_queries
):
    user, _ = account
    for n in range(3):
        make_profile(user, name=f"P{n}")
    client = signed_in(user)
    with django_assert_max_num_queries(3):
        response = client.get("/api/profiles")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and [p["name"] for p in body["items"]] == ["Ana", "P0", "P1", "P2"]
    assert body["items"][0]["is_default"] is True and body["items"][0]["has_pin"] is False
    assert "pin_hash" not in body["items"][0]


def test_profiles_need_a_token(api):
    assert api.get("/api/profiles").status_code == 401
    assert api.post("/api/profiles", {"name": "X"}).status_code == 401


def test_create_profile_with_kids_defaults_and_pin(account, signed_in):
    user, _ = account
    client = signed_in(user)
    kids = client.post("/api/profiles", {"name": "  Kids ", "is_kids": True, "language": "pt-BR"})
    assert kids.status_code == 201, kids.content
    assert kids.json()["maturity_limit"] == 7 and kids.json()["name"] == "Kids"
    assert kids.json()["is_default"] is False and kids.json()["language"] == "pt-BR"
    locked = client.post("/api/profiles", {"name": "Dad", "pin": "1234", "maturity_limit": 16})
    assert locked.status_code == 201
    assert locked.json()["has_pin"] is True and locked.json()["maturity_limit"] == 16
    profile = Profile.objects.get(pk=locked.json()["id"])
    assert profile.pin_hash and "1234" not in profile.pin_hash


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": ""}, 422, "validation_error"),
        ({"name": "   "}, 422, "validation_error"),
        ({"name": "X", "pin": "12a4"}, 422, "validation_error"),
        ({"name": "X", "pin": "12345"}, 422, "validation_error"),
        ({"name": "X", "maturity_limit": 12}, 422, "validation_error"),
        ({"name": "X", "language": "not a language"}, 422, "validation_error"),
        ({"name": "X", "is_kids": True, "maturity_limit": 18}, 422, "kids_maturity_limit"),
        ({"name": "ANA"}, 409, "profile_name_taken"),
    ],
)
def test_create_profile_rejects_bad_input(account, signed_in, body, status, code):
    user, _ = account
    response = signed_in(user).post("/api/profiles", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert Profile.objects.filter(user=user).count() == 1


def test_profile_count_limit_comes_from_the_setting_and_the_hook(
    account, signed_in, settings, temporary_hook
):
    user, _ = account
    client = signed_in(user)
    settings.STREAMFLIX_CORE = {"MAX_PROFILES": 2}
    assert client.post("/api/profiles", {"name": "Two"}).status_code == 201
    full = client.post("/api/profiles", {"name": "Three"})
    assert full.status_code == 409 and full.json()["code"] == "profile_limit_reached"
    settings.STREAMFLIX_CORE = {"MAX_PROFILES": 5}
    with temporary_hook(hooks.profile_limit, lambda u: 2):
        again = client.post("/api/profiles", {"name": "Three"})
    assert again.status_code == 409 and again.json()["limit"] == 2
    assert Profile.objects.filter(user=user).count() == 2


def test_get_patch_delete_profile(account, make_profile, signed_in):
    user, adult = account
    other = make_profile(user, name="Bo")
    client = signed_in(user)
    assert client.get(f"/api/profiles/{other.pk}").json()["name"] == "Bo"
    patched = client.patch(
        f"/api/profiles/{other.pk}", {"name": "Bob", "pin": "4321", "is_default": True}
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "Bob" and patched.json()["has_pin"] is True
    adult.refresh_from_db()
    assert patched.json()["is_default"] is True and adult.is_default is False
    unpinned = client.patch(f"/api/profiles/{other.pk}", {"pin": "", "current_pin": "4321"})
    assert unpinned.json()["has_pin"] is False
    kids = client.patch(f"/api/profiles/{other.pk}", {"is_kids": True})
    assert kids.json()["maturity_limit"] == 7

    # The token has no profile claim, so it now watches as the default, a kids profile.
    locked_out = client.delete(f"/api/profiles/{other.pk}")
    assert locked_out.status_code == 403 and locked_out.json()["code"] == "kids_profile"
    assert signed_in(user, adult).delete(f"/api/profiles/{other.pk}").status_code == 204
    adult.refresh_from_db()
    assert adult.is_default is True


def test_patch_profile_rejects_bad_input(account, make_profile, signed_in):
    user, adult = account
    make_profile(user, name="Bo")
    client = signed_in(user)
    taken = client.patch(f"/api/profiles/{adult.pk}", {"name": "bo"})
    assert taken.status_code == 409 and taken.json()["code"] == "profile_name_taken"
    bad_pin = client.patch(f"/api/profiles/{adult.pk}", {"pin": "12"})
    assert bad_pin.status_code == 422
    kids = client.patch(f"/api/profiles/{adult.pk}", {"is_kids": True, "maturity_limit": 16})
    assert kids.status_code == 422 and kids.json()["code"] == "kids_maturity_limit"
    adult.refresh_from_db()
    assert (adult.name, adult.is_kids, adult.maturity_limit) == ("Ana", False, 18)


def test_last_profile_cannot_be_deleted(account, signed_in):
    user, adult = account
    response = signed_in(user).delete(f"/api/profiles/{adult.pk}")
    assert response.status_code == 409 and response.json()["code"] == "last_profile"
    assert Profile.objects.filter(pk=adult.pk).exists()


def test_another_users_profile_is_404(account, make_user, make_profile, signed_in):
    _, adult = account
    stranger = make_user(email="eve@example.com")
    make_profile(stranger, name="Eve")
    client = signed_in(stranger)
    for response in (
        client.get(f"/api/profiles/{adult.pk}"),
        client.patch(f"/api/profiles/{adult.pk}", {"name": "Mine"}),
        client.delete(f"/api/profiles/{adult.pk}"),
        client.post(f"/api/profiles/{adult.pk}/switch", {}),
        client.get("/api/profiles/999999"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "profile_not_found"
    adult.refresh_from_db()
    assert adult.name == "Ana"


def _viewer_for(access: str):
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert jwt_auth(request)
    return current_viewer(request)


def test_switch_returns_tokens_carrying_the_profile(account, make_profile, signed_in):
    user, _ = account
    kids = make_profile(user, name="Kids", is_kids=True, maturity_limit=7)
    response = signed_in(user).post(f"/api/profiles/{kids.pk}/switch", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["profile_id"] == kids.pk
    viewer = _viewer_for(body["access"])
    assert (viewer.profile, viewer.maturity_limit) == (kids, 7)


def test_viewer_without_a_profile_claim_is_the_default_profile(account, make_profile, token_for):
    user, adult = account
    make_profile(user, name="Kids", is_kids=True, maturity_limit=7)
    viewer = _viewer_for(token_for(user))
    assert (viewer.profile, viewer.maturity_limit, viewer.profile_id) == (adult, 18, adult.pk)


def test_viewer_with_a_deleted_profile_is_refused(account, make_profile, token_for):
    from ninja.errors import AuthenticationError

    user, _ = account
    kids = make_profile(user, name="Kids", is_kids=True, maturity_limit=7)
    access = token_for(user, kids)
    kids.delete()
    with pytest.raises(AuthenticationError):
        _viewer_for(access)


def test_switch_checks_the_pin(account, make_profile, signed_in):
    user, _ = account
    locked = make_profile(user, name="Dad")
    client = signed_in(user)
    client.patch(f"/api/profiles/{locked.pk}", {"pin": "2468"})
    for body in ({}, {"pin": "0000"}):
        response = client.post(f"/api/profiles/{locked.pk}/switch", body)
        assert response.status_code == 403 and response.json()["code"] == "invalid_pin"
    ok = client.post(f"/api/profiles/{locked.pk}/switch", {"pin": "2468"})
    assert ok.status_code == 200 and ok.json()["profile_id"] == locked.pk


def test_wrong_pin_repeated_is_throttled(account, make_profile, signed_in, settings):
    settings.STREAMFLIX_CORE = {"PIN_THROTTLE_RATE": "3/min"}
    user, _ = account
    locked = make_profile(user, name="Dad", pin_hash="")
    client = signed_in(user)
    client.patch(f"/api/profiles/{locked.pk}", {"pin": "2468"})
    codes = [
        client.post(f"/api/profiles/{locked.pk}/switch", {"pin": "1111"}).status_code
        for _ in range(3)
    ]
    assert codes == [403, 403, 403]
    throttled = client.post(f"/api/profiles/{locked.pk}/switch", {"pin": "2468"})
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0


def test_changing_or_removing_a_pin_needs_the_current_pin_or_the_password(
    account, make_profile, signed_in
):
    user, _ = account
    locked = make_profile(user, name="Dad")
    client = signed_in(user)
    assert client.patch(f"/api/profiles/{locked.pk}", {"pin": "2468"}).status_code == 200
    for body, code in (
        ({"pin": ""}, "pin_required"),
        ({"pin": None}, "pin_required"),
        ({"pin": "1111"}, "pin_required"),
        ({"pin": "", "current_pin": "0000"}, "wrong_pin"),
        ({"pin": "1111", "password": "not-the-password"}, "wrong_pin"),
    ):
        response = client.patch(f"/api/profiles/{locked.pk}", body)
        assert response.status_code == 403, body
        assert response.json()["code"] == code
    locked.refresh_from_db()
    assert locked.pin_hash and check_password("2468", locked.pin_hash)

    changed = client.patch(f"/api/profiles/{locked.pk}", {"pin": "1357", "current_pin": "2468"})
    assert changed.status_code == 200 and changed.json()["has_pin"] is True
    removed = client.patch(f"/api/profiles/{locked.pk}", {"pin": "", "password": "correct-horse-9"})
    assert removed.status_code == 200 and removed.json()["has_pin"] is False


def test_pin_guesses_through_patch_are_throttled(account, make_profile, signed_in, settings):
    settings.STREAMFLIX_CORE = {"PIN_THROTTLE_RATE": "3/min"}
    user, _ = account
    locked = make_profile(user, name="Dad", pin_hash=make_password("2468"))
    client = signed_in(user)
    path = f"/api/profiles/{locked.pk}"
    statuses = [
        client.patch(path, {"pin": "", "current_pin": f"{n:04}"}).status_code for n in range(4)
    ]
    assert statuses == [403, 403, 403, 429]


@pytest.fixture
def kids_session(account, make_profile, signed_in):
    user, adult = account
    kid = make_profile(user, name="Kid", is_kids=True, maturity_limit=0)
    return user, adult, kid, signed_in(user, kid)


def test_a_kids_profile_cannot_create_or_delete_profiles(kids_session):
    user, adult, kid, client = kids_session
    created = client.post("/api/profiles", {"name": "Grown-up"})
    assert created.status_code == 403 and created.json()["code"] == "kids_profile"
    for target in (adult, kid):
        deleted = client.delete(f"/api/profiles/{target.pk}")
        assert deleted.status_code == 403 and deleted.json()["code"] == "kids_profile"
    assert set(Profile.objects.filter(user=user).values_list("name", flat=True)) == {"Ana", "Kid"}


def test_a_kids_profile_cannot_change_other_profiles(kids_session):
    _, adult, _, client = kids_session
    response = client.patch(f"/api/profiles/{adult.pk}", {"name": "Hacked"})
    assert response.status_code == 403 and response.json()["code"] == "kids_profile"
    adult.refresh_from_db()
    assert adult.name == "Ana"


@pytest.mark.parametrize(
    "body", [{"is_kids": False}, {"maturity_limit": 7}, {"maturity_limit": 18, "is_kids": False}]
)
def test_a_kids_profile_cannot_widen_itself(kids_session, body):
    _, _, kid, client = kids_session
    response = client.patch(f"/api/profiles/{kid.pk}", body)
    assert response.status_code == 403 and response.json()["code"] == "kids_profile"
    kid.refresh_from_db()
    assert kid.is_kids is True and kid.maturity_limit == 0


def test_a_kids_profile_may_still_rename_itself(kids_session):
    _, _, kid, client = kids_session
    response = client.patch(f"/api/profiles/{kid.pk}", {"name": "Kiddo", "maturity_limit": 0})
    assert response.status_code == 200 and response.json()["name"] == "Kiddo"
