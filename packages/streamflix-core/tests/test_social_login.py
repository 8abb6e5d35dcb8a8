"""Social sign-in against a real OpenID Connect provider (tests/oidc_provider, a
django-oauth-toolkit project started as a server on loopback): our site runs in the test
client, and allauth talks to the provider over real HTTP (discovery, token, userinfo)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, TestCase

from streamflix_core.testing.net import stop, wait_until_answers

from .conftest import STRONG, Api

pytestmark = pytest.mark.skipif(
    settings.SOCIAL_LOGIN_TEST_PORT is None,
    reason="the social-login extra (django-allauth) is not installed",
)

requests = pytest.importorskip("requests")

CORE_DIR = Path(__file__).resolve().parents[1]
CLIENT_ID = "streamflix-tests"
CLIENT_SECRET = "streamflix-tests-secret"
CALLBACK = "http://testserver/accounts/oidc/testid/login/callback/"
APP_URL = "http://app.test/auth/callback"
CODE_SECONDS = 5


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: Any) -> Any:
    """The provider's base URL; the server runs for the whole test session."""
    port = settings.SOCIAL_LOGIN_TEST_PORT
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(tmp_path_factory.mktemp("oidc") / "provider.sqlite3"),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": CALLBACK,
        "OIDC_PROVIDER_CODE_SECONDS": str(CODE_SECONDS),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port)], cwd=CORE_DIR, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(
            f"{base}/o/.well-known/openid-configuration", process, name="the OIDC provider"
        )
        yield base
    finally:
        stop(process)


class Browser:
    """One person's browser: cookies for our site (the test client) and for the provider."""

    def __init__(self, provider: str) -> None:
        self.site = Client()
        self.provider_url = provider
        self.provider = requests.Session()

    def provider_sign_in(self, email: str, *, verified: bool = True, name: str = "") -> None:
        answer = self.provider.get(
            f"{self.provider_url}/login",
            params={"email": email, "verified": "1" if verified else "0", "name": name},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    def start(self, next_url: str | None = None) -> str:
        """Open the provider list and post the start form; the provider's authorize URL."""
        query = {"next": next_url} if next_url else {}
        listing = self.site.get("/api/auth/social/providers", query)
        assert listing.status_code == 200, listing.content
        start = listing.json()["start"]
        answer = self.site.post(
            start["url"],
            {
                "provider": "testid",
                "callback_url": start["callback_url"],
                "process": start["process"],
                "csrfmiddlewaretoken": start["csrf_token"],
            },
        )
        assert answer.status_code == 302, answer.content
        return str(answer["Location"])

    def consent(self, authorize_url: str, *, allow: bool = True) -> str:
        """Answer the provider's consent page; the redirect back to our callback."""
        assert authorize_url.startswith(self.provider_url), authorize_url
        page = self.provider.get(authorize_url, allow_redirects=False, timeout=10)
        assert page.status_code == 200, page.text
        fields = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
            )
        }
        if allow:
            fields["allow"] = "Authorize"
        answer = self.provider.post(authorize_url, data=fields, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return str(answer.headers["Location"])

    def back(self, url: str) -> dict[str, str]:
        """Follow redirects on our site until the front end; its query parameters."""
        for _ in range(5):
            parts = urlsplit(url)
            if parts.netloc and parts.netloc != "testserver":
                assert f"{parts.scheme}://{parts.netloc}{parts.path}" == APP_URL, url
                return {key: values[0] for key, values in parse_qs(parts.query).items()}
            with TestCase.captureOnCommitCallbacks(execute=True):
                answer = self.site.get(parts.path, parse_qs(parts.query))
            assert answer.status_code == 302, answer.content
            url = str(answer["Location"])
        raise AssertionError(f"too many redirects, at {url}")

    def sign_in(self, email: str, *, verified: bool = True, name: str = "") -> dict[str, str]:
        self.provider_sign_in(email, verified=verified, name=name)
        return self.back(self.consent(self.start()))


@pytest.fixture
def browser(oidc_provider: str, db: Any) -> Browser:
    return Browser(oidc_provider)


def exchange(code: str, **extra: Any) -> Any:
    return Api().post("/api/auth/social/exchange", {"code": code, **extra})


def linked(user: Any) -> list[str]:
    from allauth.socialaccount.models import SocialAccount

    return list(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))


def users(email: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email)


# --- the provider list ------------------------------------------------------------------


def test_provider_list_names_the_configured_providers_and_how_to_start(db: Any) -> None:
    client = Client()
    answer = client.get("/api/auth/social/providers", {"next": APP_URL})
    assert answer.status_code == 200
    body = answer.json()
    assert body["providers"] == [{"id": "testid", "name": "Test ID", "kind": "openid_connect"}]
    assert body["start"]["url"] == "/_allauth/browser/v1/auth/provider/redirect"
    assert body["start"]["method"] == "POST"
    callback = parse_qs(urlsplit(body["start"]["callback_url"]).query)
    assert callback["next"] == [APP_URL]
    assert "csrftoken" in client.cookies
    assert body["start"]["csrf_token"]


def test_the_start_form_needs_the_csrf_token(oidc_provider: str, db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    start = client.get("/api/auth/social/providers").json()["start"]
    fields = {"provider": "testid", "callback_url": start["callback_url"], "process": "login"}
    assert client.post(start["url"], fields).status_code == 403
    answer = client.post(start["url"], {**fields, "csrfmiddlewaretoken": start["csrf_token"]})
    assert answer.status_code == 302
    assert str(answer["Location"]).startswith(oidc_provider)


def test_provider_list_refuses_a_return_address_that_is_not_allowed(db: Any) -> None:
    answer = Client().get("/api/auth/social/providers", {"next": "https://evil.test/steal"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "redirect_not_allowed"


# --- sign-up and sign-in ------------------------------------------------------------------


def test_first_sign_in_creates_the_account_and_profile_and_gives_tokens(browser: Any) -> None:
    back = browser.sign_in("new.viewer@example.com", name="New Viewer")
    assert set(back) == {"code"}
    answer = exchange(back["code"])
    assert answer.status_code == 200, answer.content
    tokens = answer.json()
    assert tokens["access"] and tokens["refresh"] and tokens["profile_id"]
    user = users("new.viewer@example.com").get()
    assert user.email_verified and user.is_active and not user.has_usable_password()
    assert user.display_name == "New Viewer"
    assert list(user.streamflix_profiles.values_list("pk", flat=True)) == [tokens["profile_id"]]
    assert linked(user) == ["testid"]
    me = Api(token=tokens["access"]).get("/api/me")
    assert me.status_code == 200 and me.json()["email"] == "new.viewer@example.com"
    # the Django session allauth opened is closed: nothing but the tokens signs in
    assert "_auth_user_id" not in browser.site.session


def test_a_code_works_once(browser: Any) -> None:
    back = browser.sign_in("once@example.com")
    assert exchange(back["code"]).status_code == 200
    again = exchange(back["code"])
    assert again.status_code == 400
    assert again.json()["code"] == "social_code_invalid"


def test_signing_in_again_reaches_the_same_account_with_the_login_profile_rules(
    browser: Any,
) -> None:
    first = exchange(browser.sign_in("again@example.com")["code"]).json()
    user = users("again@example.com").get()
    profile = user.streamflix_profiles.get()
    profile.pin_hash = make_password("1234")
    profile.save()
    second = Browser(browser.provider_url)
    answer = exchange(second.sign_in("again@example.com")["code"])
    assert answer.status_code == 200
    # a PIN on the default profile: "Who's watching?" as after a password login
    assert answer.json()["profile_id"] is None
    assert first["profile_id"] == profile.pk
    assert users("again@example.com").count() == 1
    assert user.streamflix_profiles.count() == 1


def test_exchange_in_cookie_mode_sets_the_cookies(browser: Any) -> None:
    back = browser.sign_in("cookies@example.com")
    answer = exchange(back["code"], cookies=True)
    assert answer.status_code == 200
    assert answer.json()["access"] is None and answer.json()["cookies"] is True
    assert answer.cookies["streamflix_access"].value


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "no-such-code"}, 400, "social_code_invalid"),
        ({"code": ""}, 422, "validation_error"),
        ({}, 422, "validation_error"),
        ({"code": "x" * 201}, 422, "validation_error"),
        ({"code": "abc", "cookies": "yes"}, 422, "validation_error"),
    ],
)
def test_exchange_refuses_bad_codes(db: Any, body: dict, status: int, code: str) -> None:
    answer = Api().post("/api/auth/social/exchange", body)
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code


# --- linking to an existing account ---------------------------------------------------------


def test_a_verified_email_of_an_existing_account_links_only_with_its_password(
    browser: Any, make_user: Any, make_profile: Any
) -> None:
    owner = make_user(email="owner@example.com", password=STRONG)
    make_profile(owner)
    back = browser.sign_in("owner@example.com")
    assert set(back) == {"link", "provider"} and back["provider"] == "testid"
    assert linked(owner) == []
    wrong = Api().post(
        "/api/auth/social/link/password", {"pending": back["link"], "password": "nope"}
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_password"
    assert linked(owner) == []
    right = Api().post(
        "/api/auth/social/link/password", {"pending": back["link"], "password": STRONG}
    )
    assert right.status_code == 200, right.content
    assert right.json()["access"]
    assert linked(owner) == ["testid"]
    used = Api().post(
        "/api/auth/social/link/password", {"pending": back["link"], "password": STRONG}
    )
    assert used.status_code == 400 and used.json()["code"] == "social_link_invalid"
    # from now on the provider signs straight in
    again = Browser(browser.provider_url).sign_in("owner@example.com")
    assert set(again) == {"code"}
    assert exchange(again["code"]).status_code == 200


def test_a_verified_email_of_an_existing_account_links_by_an_emailed_link(
    browser: Any, make_user: Any
) -> None:
    owner = make_user(email="mailer@example.com", password=STRONG)
    back = browser.sign_in("mailer@example.com")
    mail.outbox.clear()
    sent = Api().post("/api/auth/social/link/email", {"pending": back["link"]})
    assert sent.status_code == 202
    (message,) = mail.outbox
    assert message.to == ["mailer@example.com"]
    token = re.search(r"token=([\w-]+)", message.body).group(1)
    assert linked(owner) == []
    confirmed = Api().post("/api/auth/social/email/confirm", {"token": token})
    assert confirmed.status_code == 200, confirmed.content
    assert linked(owner) == ["testid"]
    reused = Api().post("/api/auth/social/email/confirm", {"token": token})
    assert reused.status_code == 400 and reused.json()["code"] == "social_link_invalid"


def test_link_endpoints_refuse_unknown_pending_links(db: Any) -> None:
    for path, body in (
        ("/api/auth/social/link/password", {"pending": "unknown", "password": "x"}),
        ("/api/auth/social/link/email", {"pending": "unknown"}),
        ("/api/auth/social/email/confirm", {"token": "unknown"}),
    ):
        answer = Api().post(path, body)
        assert answer.status_code == 400, (path, answer.content)
        assert answer.json()["code"] == "social_link_invalid"
        assert Api().post(path, {}).status_code == 422


def test_an_unverified_provider_email_never_links_and_answers_alike(
    oidc_provider: str, make_user: Any
) -> None:
    owner = make_user(email="victim@example.com", password=STRONG)
    mail.outbox.clear()
    taken = Browser(oidc_provider).sign_in("victim@example.com", verified=False)
    fresh = Browser(oidc_provider).sign_in("unverified.new@example.com", verified=False)
    # the same answer whether or not the address has an account, and nothing linked/created
    assert taken == fresh == {"email_sent": "1"}
    assert linked(owner) == []
    assert not users("unverified.new@example.com").exists()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"victim@example.com", "unverified.new@example.com"}
    # only whoever reads the address's mail can finish: the owner's link links to the owner
    token = re.search(r"token=([\w-]+)", by_address["victim@example.com"].body).group(1)
    assert Api().post("/api/auth/social/email/confirm", {"token": token}).status_code == 200
    assert linked(owner) == ["testid"]
    token = re.search(r"token=([\w-]+)", by_address["unverified.new@example.com"].body).group(1)
    created = Api().post("/api/auth/social/email/confirm", {"token": token})
    assert created.status_code == 200
    user = users("unverified.new@example.com").get()
    assert user.email_verified and user.streamflix_profiles.count() == 1
    assert created.json()["profile_id"] == user.streamflix_profiles.get().pk


# --- failed flows ---------------------------------------------------------------------------


def test_denied_consent_signs_nobody_in(browser: Any) -> None:
    browser.provider_sign_in("denier@example.com")
    back = browser.back(browser.consent(browser.start(), allow=False))
    assert back["error"] == "cancelled"
    assert "code" not in back
    assert not users("denier@example.com").exists()


def test_a_tampered_state_signs_nobody_in(browser: Any) -> None:
    browser.provider_sign_in("tamper@example.com")
    callback = browser.consent(browser.start())
    tampered = re.sub(r"state=[^&]+", "state=forged-state", callback)
    assert tampered != callback
    back = browser.back(tampered)
    assert back["error"]
    assert "code" not in back
    assert not users("tamper@example.com").exists()


def test_an_expired_code_signs_nobody_in(browser: Any) -> None:
    browser.provider_sign_in("slow@example.com")
    callback = browser.consent(browser.start())
    time.sleep(CODE_SECONDS + 1.5)
    back = browser.back(callback)
    assert back["error"]
    assert "code" not in back
    assert not users("slow@example.com").exists()


def test_the_complete_page_only_returns_to_allowed_addresses(db: Any) -> None:
    answer = Client().get(
        "/social-login/complete", {"next": "https://evil.test/", "error": "<script>"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"{APP_URL}?error=unknown"
    # no provider sign-in in this session: no code
    answer = Client().get("/social-login/complete", {"next": APP_URL})
    assert answer["Location"] == f"{APP_URL}?error=unknown"


def test_a_signed_in_django_session_without_a_provider_sign_in_gets_no_code(
    make_user: Any,
) -> None:
    client = Client()
    client.force_login(make_user(email="staffish@example.com"))
    answer = client.get("/social-login/complete", {"next": APP_URL})
    assert answer["Location"] == f"{APP_URL}?error=unknown"


# --- an account's providers -----------------------------------------------------------------


def test_list_link_and_unlink_providers(
    oidc_provider: str, make_user: Any, make_profile: Any, signed_in: Any
) -> None:
    user = make_user(email="linker@example.com", password=STRONG)
    make_profile(user)
    api = signed_in(user)
    listed = api.get("/api/me/social")
    assert listed.status_code == 200
    assert listed.json() == {"has_password": True, "accounts": []}
    assert api.post("/api/me/social/link", {"provider": "testid"}).json()["code"] == (
        "wrong_password"
    )
    started = api.post(
        "/api/me/social/link", {"provider": "testid", "password": STRONG, "next": APP_URL}
    )
    assert started.status_code == 200, started.content
    url = started.json()["redirect_url"]
    browser = Browser(oidc_provider)
    # the provider account uses another address: linking does not depend on it
    browser.provider_sign_in("linker.elsewhere@example.com")
    opened = browser.site.get(urlsplit(url).path)
    assert opened.status_code == 302
    back = browser.back(browser.consent(str(opened["Location"])))
    assert back == {"linked": "1"}
    assert "_auth_user_id" not in browser.site.session
    accounts = api.get("/api/me/social").json()["accounts"]
    assert [(a["provider"], a["email"]) for a in accounts] == [
        ("testid", "linker.elsewhere@example.com")
    ]
    # the code worked once
    assert browser.site.get(urlsplit(url).path)["Location"] == (
        f"{APP_URL}?error=social_code_invalid"
    )
    account_id = accounts[0]["id"]
    wrong = api.delete(f"/api/me/social/{account_id}", {"password": "nope"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_password"
    assert api.delete("/api/me/social/999999", {"password": STRONG}).status_code == 404
    done = api.delete(f"/api/me/social/{account_id}", {"password": STRONG})
    assert done.status_code == 200, done.content
    assert done.json()["accounts"] == []
    # signing in with that provider account now creates a separate account
    back = Browser(oidc_provider).sign_in("linker.elsewhere@example.com")
    assert "code" in back


def test_a_provider_account_of_another_account_is_not_linked(
    oidc_provider: str, make_user: Any, signed_in: Any
) -> None:
    exchange(Browser(oidc_provider).sign_in("first.owner@example.com")["code"])
    other = make_user(email="second@example.com", password=STRONG)
    started = signed_in(other).post(
        "/api/me/social/link", {"provider": "testid", "password": STRONG}
    )
    browser = Browser(oidc_provider)
    browser.provider_sign_in("first.owner@example.com")
    opened = browser.site.get(urlsplit(started.json()["redirect_url"]).path)
    back = browser.back(browser.consent(str(opened["Location"])))
    assert back == {"error": "connected_other"}
    assert linked(other) == []


def test_the_last_way_to_sign_in_cannot_be_unlinked(browser: Any) -> None:
    tokens = exchange(browser.sign_in("only.provider@example.com")["code"]).json()
    api = Api(token=tokens["access"])
    listed = api.get("/api/me/social").json()
    assert listed["has_password"] is False
    answer = api.delete(f"/api/me/social/{listed['accounts'][0]['id']}", {})
    assert answer.status_code == 409
    assert answer.json()["code"] == "last_login_method"
    assert len(api.get("/api/me/social").json()["accounts"]) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"provider": "nope", "password": STRONG}, 404, "unknown_provider"),
        (
            {"provider": "testid", "password": STRONG, "next": "https://evil.test/"},
            422,
            "redirect_not_allowed",
        ),
        ({"password": STRONG}, 422, "validation_error"),
        ({"provider": "testid", "password": "wrong"}, 400, "wrong_password"),
    ],
)
def test_link_start_refuses_bad_requests(
    make_user: Any, signed_in: Any, body: dict, status: int, code: str
) -> None:
    user = make_user(email="bad.link@example.com", password=STRONG)
    answer = signed_in(user).post("/api/me/social/link", body)
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code


def test_account_endpoints_need_an_account_session(
    db: Any, make_user: Any, make_profile: Any, signed_in: Any
) -> None:
    assert Api().get("/api/me/social").status_code == 401
    assert Api().post("/api/me/social/link", {"provider": "testid"}).status_code == 401
    assert Api().delete("/api/me/social/1", {}).status_code == 401
    user = make_user(email="parent@example.com", password=STRONG)
    kids = make_profile(user, is_kids=True)
    kid = signed_in(user, kids)
    answer = kid.post("/api/me/social/link", {"provider": "testid", "password": STRONG})
    assert answer.status_code == 403 and answer.json()["code"] == "kids_profile"
    assert kid.delete("/api/me/social/1", {"password": STRONG}).status_code == 403


def test_connect_page_with_a_bad_code_goes_back_with_an_error(db: Any) -> None:
    answer = Client().get("/social-login/connect/not-a-code")
    assert answer.status_code == 302
    assert answer["Location"] == f"{APP_URL}?error=social_code_invalid"


# --- the admin ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(db: Any) -> Client:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(email="root@example.com", password="pw-1")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/socialaccount/socialapp/",
        "/admin/socialaccount/socialapp/add/",
        "/admin/socialaccount/socialaccount/",
    ],
)
def test_provider_admin_pages_render_in_unfold(admin_client: Client, url: str) -> None:
    answer = admin_client.get(url)
    assert answer.status_code == 200
    assert b"unfold" in answer.content.lower()


def test_a_provider_added_in_the_admin_is_listed(admin_client: Client) -> None:
    answer = admin_client.post(
        "/admin/socialaccount/socialapp/add/",
        {
            "provider": "google",
            "name": "Google",
            "client_id": "google-client",
            "secret": "google-secret",
            "key": "",
            "settings": "{}",
        },
    )
    assert answer.status_code == 302, answer.content[:3000]
    providers = Client().get("/api/auth/social/providers").json()["providers"]
    assert {"id": "google", "name": "Google", "kind": "google"} in providers
    assert "/admin/socialaccount/socialapp/" in admin_client.get("/admin/").content.decode()


def test_an_account_made_by_a_provider_sets_its_first_password_by_reset(browser: Any) -> None:
    tokens = exchange(browser.sign_in("needs.password@example.com")["code"]).json()
    mail.outbox.clear()
    assert (
        Api().post("/api/auth/password/reset", {"email": "needs.password@example.com"}).status_code
        == 202
    )
    (message,) = mail.outbox
    uid, token = re.search(r"uid=([\w-]+)&token=([\w-]+)", message.body).groups()
    done = Api().post(
        "/api/auth/password/reset/confirm", {"uid": uid, "token": token, "new_password": STRONG}
    )
    assert done.status_code == 200, done.content
    login = Api().post(
        "/api/auth/login", {"email": "needs.password@example.com", "password": STRONG}
    )
    assert login.status_code == 200
    api = Api(token=login.json()["access"])
    listed = api.get("/api/me/social").json()
    assert listed["has_password"] is True
    # with a password, the provider is no longer the last way to sign in
    answer = api.delete(f"/api/me/social/{listed['accounts'][0]['id']}", {"password": STRONG})
    assert answer.status_code == 200
    assert tokens["access"]


def test_an_account_without_password_or_provider_gets_no_reset(make_user: Any) -> None:
    user = make_user(email="locked@example.com", email_verified=True)
    user.set_unusable_password()
    user.save()
    mail.outbox.clear()
    assert (
        Api().post("/api/auth/password/reset", {"email": "locked@example.com"}).status_code == 202
    )
    assert mail.outbox == []


def test_an_address_an_account_moved_away_from_can_sign_up(browser: Any, make_user: Any) -> None:
    from allauth.account.models import EmailAddress

    moved = make_user(email="moved.on@example.com")
    # allauth's record of the account's former address, left behind by an email change
    EmailAddress.objects.create(user=moved, email="former@example.com", verified=True)
    back = browser.sign_in("former@example.com")
    assert set(back) == {"code"}
    assert users("former@example.com").get().pk != moved.pk


def test_an_app_setting_cannot_turn_on_sign_in_by_email(
    browser: Any, make_user: Any, settings: Any
) -> None:
    providers = {**settings.SOCIALACCOUNT_PROVIDERS}
    oidc = {**providers["openid_connect"], "EMAIL_AUTHENTICATION": True}
    oidc["APPS"] = [
        {**app, "settings": {**app["settings"], "email_authentication": True}}
        for app in oidc["APPS"]
    ]
    settings.SOCIALACCOUNT_PROVIDERS = {**providers, "openid_connect": oidc}
    owner = make_user(email="target@example.com", password=STRONG)
    back = browser.sign_in("target@example.com")
    assert set(back) == {"link", "provider"}
    assert linked(owner) == []
