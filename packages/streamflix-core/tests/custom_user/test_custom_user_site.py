"""The account API on a site whose user model is not core's."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from streamflix_core.models import Profile

from ..conftest import STRONG, Api, last_mail_to, link_parts

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"


def test_the_site_uses_its_own_user_model():
    assert get_user_model()._meta.label == "custom_user.Member"
    assert Profile._meta.get_field("user").related_model is get_user_model()


def test_register_activate_login_refresh_logout(api: Api):
    body = {
        "email": "Member@Example.com",
        "password": STRONG,
        "password_confirm": STRONG,
        "display_name": "Mem",
    }
    registered = api.post("/api/auth/register", body)
    assert registered.status_code == 201, registered.content
    member = get_user_model().objects.get()
    assert member.email == "member@example.com" and not member.is_active
    assert Profile.objects.get(user=member).name == "Mem"
    uid, token = link_parts(last_mail_to("member@example.com"))
    assert api.post("/api/auth/activate", {"uid": uid, "token": token}).status_code == 200
    assert api.post("/api/auth/activate", {"uid": uid, "token": token}).status_code == 400

    login = api.post("/api/auth/login", {"email": "member@example.com", "password": STRONG})
    assert login.status_code == 200, login.content
    pair = login.json()
    refreshed = api.post("/api/auth/refresh", {"refresh": pair["refresh"]})
    assert refreshed.status_code == 200
    assert api.post("/api/auth/refresh", {"refresh": pair["refresh"]}).status_code == 401
    assert api.post("/api/auth/logout", {"refresh": refreshed.json()["refresh"]}).status_code == 204


def test_me_profiles_switch_password_and_delete(make_user, signed_in):
    member = make_user(email="m@example.com", full_name="Mia Member")
    Profile.objects.create(user=member, name="Mia", is_default=True)
    client = signed_in(member)
    me = client.get("/api/me").json()
    assert me["id"] == str(member.pk) and me["display_name"] == "Mia Member"
    assert me["avatar_url"] is None and me["email_verified"] is True

    unsupported = client.patch("/api/me", {"display_name": "X"})
    assert unsupported.status_code == 400 and unsupported.json()["code"] == "unsupported_field"
    moved = client.post("/api/me/email", {"new_email": "new@example.com", "password": PASSWORD})
    assert moved.status_code == 202, moved.content
    token = re.search(r"token=([\w:.-]+)", last_mail_to("new@example.com").body).group(1)
    confirmed = Api().post("/api/me/email/confirm", {"token": token})
    assert confirmed.status_code == 200, confirmed.content
    assert client.get("/api/me").json()["email"] == "new@example.com"
    assert "new@example.com" in last_mail_to("m@example.com").body
    assert client.delete("/api/me/avatar").json()["code"] == "unsupported_field"

    kids = client.post("/api/profiles", {"name": "Kids", "is_kids": True})
    assert kids.status_code == 201
    switched = client.post(f"/api/profiles/{kids.json()['id']}/switch", {})
    assert switched.status_code == 200 and switched.json()["profile_id"] == kids.json()["id"]
    assert client.get("/api/profiles").json()["count"] == 2

    changed = client.post("/api/me/password", {"old_password": PASSWORD, "new_password": STRONG})
    assert changed.status_code == 200
    assert (
        Api(token=changed.json()["access"]).delete("/api/me", {"password": STRONG}).status_code
        == 204
    )
    assert not get_user_model().objects.exists() and not Profile.objects.exists()


def test_password_reset_answers_the_same(make_user, api: Api):
    make_user(email="m@example.com")
    known = api.post("/api/auth/password/reset", {"email": "m@example.com"})
    unknown = api.post("/api/auth/password/reset", {"email": "x@example.com"})
    assert known.content == unknown.content and known.status_code == 202
    assert [m.to for m in mail.outbox] == [["m@example.com"]]


@pytest.mark.django_db
def test_the_dashboard_works_without_date_joined_or_email_verified(superuser_client):
    from streamflix_core.admin.dashboard import accounts_cards

    accounts, signups = accounts_cards()
    figures = {m.label: m.value for m in accounts.metrics}
    assert figures["Active accounts"] == "1" and figures["Unverified emails"] == "0"
    assert signups.chart is not None and len(signups.chart.labels) == 14
    response = superuser_client.get("/admin/")
    assert response.status_code == 200
    assert b'data-dashboard-card="core"' in response.content
