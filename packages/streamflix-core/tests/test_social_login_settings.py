"""The settings helpers of the optional social login: plain Python, no allauth needed."""

from __future__ import annotations

from typing import Any

import pytest

from streamflix_core import social_login


@pytest.fixture
def allauth_installed(monkeypatch: Any) -> None:
    """These tests read settings only; they hold whether or not the extra is installed."""
    monkeypatch.setattr(social_login, "_allauth_installed", lambda: True)


def test_no_provider_in_the_environment_leaves_social_login_off() -> None:
    namespace = {"INSTALLED_APPS": ["a"], "MIDDLEWARE": ["m"]}
    assert social_login.providers_from_env({}) == {}
    assert social_login.enable(namespace, {}, environ={}) is False
    assert namespace == {"INSTALLED_APPS": ["a"], "MIDDLEWARE": ["m"]}


def test_each_provider_is_read_from_its_variables() -> None:
    providers = social_login.providers_from_env(
        {
            "SOCIAL_LOGIN_GOOGLE_CLIENT_ID": "g-id",
            "SOCIAL_LOGIN_GOOGLE_SECRET": "g-secret",
            "SOCIAL_LOGIN_FACEBOOK_CLIENT_ID": "f-id",
            "SOCIAL_LOGIN_FACEBOOK_SECRET": "f-secret",
            "SOCIAL_LOGIN_APPLE_CLIENT_ID": "com.example.web",
            "SOCIAL_LOGIN_APPLE_KEY_ID": "KEY123",
            "SOCIAL_LOGIN_APPLE_TEAM_ID": "TEAM456",
            "SOCIAL_LOGIN_APPLE_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\\nabc\\n-----END",
            "SOCIAL_LOGIN_OIDC_CLIENT_ID": "o-id",
            "SOCIAL_LOGIN_OIDC_SECRET": "o-secret",
            "SOCIAL_LOGIN_OIDC_SERVER_URL": "https://id.example.com",
        }
    )
    assert set(providers) == {"google", "facebook", "apple", "openid_connect"}
    assert providers["google"]["APPS"] == [{"client_id": "g-id", "secret": "g-secret", "key": ""}]
    assert providers["facebook"]["APPS"][0]["secret"] == "f-secret"
    apple = providers["apple"]["APPS"][0]
    assert (apple["client_id"], apple["secret"], apple["key"]) == (
        "com.example.web",
        "KEY123",
        "TEAM456",
    )
    assert apple["settings"]["certificate_key"] == "-----BEGIN PRIVATE KEY-----\nabc\n-----END"
    oidc = providers["openid_connect"]["APPS"][0]
    assert oidc["provider_id"] == "oidc"
    assert oidc["settings"] == {"server_url": "https://id.example.com"}


def test_a_provider_without_client_id_is_not_configured() -> None:
    assert social_login.providers_from_env({"SOCIAL_LOGIN_GOOGLE_SECRET": "s"}) == {}


def test_enable_adds_apps_middleware_backends_and_keeps_site_values(
    allauth_installed: None,
) -> None:
    namespace = {
        "INSTALLED_APPS": ["django.contrib.auth"],
        "MIDDLEWARE": ["django.contrib.sessions.middleware.SessionMiddleware"],
        "SOCIALACCOUNT_AUTO_SIGNUP": False,
    }
    providers = social_login.providers_from_env({"SOCIAL_LOGIN_GOOGLE_CLIENT_ID": "g"})
    assert social_login.enable(namespace, providers) is True
    assert namespace["INSTALLED_APPS"][-1] == "streamflix_core.social_login"
    assert "allauth.socialaccount.providers.google" in namespace["INSTALLED_APPS"]
    assert namespace["MIDDLEWARE"][-1] == "allauth.account.middleware.AccountMiddleware"
    assert namespace["AUTHENTICATION_BACKENDS"] == list(social_login.BACKENDS)
    assert namespace["SOCIALACCOUNT_PROVIDERS"] == providers
    assert namespace["SOCIALACCOUNT_AUTO_SIGNUP"] is False  # the site's own value
    assert namespace["SOCIALACCOUNT_EMAIL_AUTHENTICATION"] is False


def test_the_flag_enables_admin_configured_providers_only(allauth_installed: None) -> None:
    namespace = {"INSTALLED_APPS": [], "MIDDLEWARE": []}
    assert social_login.enable(namespace, {}, environ={"SOCIAL_LOGIN_ENABLED": "1"}) is True
    assert namespace["SOCIALACCOUNT_PROVIDERS"] == {}


def test_providers_without_the_extra_installed_are_a_clear_error(monkeypatch: Any) -> None:
    monkeypatch.setattr(social_login, "_allauth_installed", lambda: False)
    namespace = {"INSTALLED_APPS": [], "MIDDLEWARE": []}
    with pytest.raises(RuntimeError, match=r"streamflix-core\[social-login\]"):
        social_login.enable(namespace, {"google": {}})
    assert namespace == {"INSTALLED_APPS": [], "MIDDLEWARE": []}
