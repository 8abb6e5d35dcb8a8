"""Sign in with Google, Apple, Facebook or any OpenID Connect provider (optional).

Installed with the ``social-login`` extra (``pip install streamflix-core[social-login]``),
which brings django-allauth. Nothing here is active unless the site turns it on in its
settings module, where this module (it imports nothing from Django or allauth) is read::

    from streamflix_core import social_login

    SOCIAL_LOGIN_PROVIDERS = social_login.providers_from_env()
    social_login.enable(globals(), SOCIAL_LOGIN_PROVIDERS)  # no-op without providers

and mounts its URL patterns (``[]`` while it is off)::

    urlpatterns = [..., *social_login.urlpatterns()]

``enable`` adds allauth's apps (its headless mode, the four provider apps) and
``streamflix_core.social_login`` to ``INSTALLED_APPS``, allauth's middleware and
authentication backend, and allauth's settings (the site's own values win). Core's API then
mounts the social endpoints (``/api/auth/social/*``, ``/api/me/social*``). docs/social-login.md
describes the flow, the linking rules and the settings.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, MutableMapping
from typing import Any

APP = "streamflix_core.social_login"
PROVIDER_APPS = (
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.apple",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.openid_connect",
)
APPS = (
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.headless",
    *PROVIDER_APPS,
    APP,
)
MIDDLEWARE = "allauth.account.middleware.AccountMiddleware"
BACKENDS = (
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
)
ENABLE_FLAG = "SOCIAL_LOGIN_ENABLED"


def _value(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def _allauth_installed() -> bool:
    try:
        return importlib.util.find_spec("allauth") is not None
    except (ImportError, ValueError):
        return False


def providers_from_env(environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """allauth's ``SOCIALACCOUNT_PROVIDERS`` for the providers the environment configures.

    ``SOCIAL_LOGIN_GOOGLE_CLIENT_ID`` / ``_SECRET``, ``SOCIAL_LOGIN_FACEBOOK_CLIENT_ID`` /
    ``_SECRET``, ``SOCIAL_LOGIN_APPLE_CLIENT_ID`` / ``_KEY_ID`` / ``_TEAM_ID`` /
    ``_PRIVATE_KEY``, and one generic OpenID Connect provider: ``SOCIAL_LOGIN_OIDC_SERVER_URL``
    / ``_CLIENT_ID`` / ``_SECRET`` (``_PROVIDER_ID`` and ``_NAME`` optional). A provider is
    configured when its client id is set; an empty dict means none is.
    """
    env = os.environ if environ is None else environ
    providers: dict[str, dict[str, Any]] = {}
    for name in ("google", "facebook"):
        client_id = _value(env, f"SOCIAL_LOGIN_{name.upper()}_CLIENT_ID")
        if client_id:
            secret = _value(env, f"SOCIAL_LOGIN_{name.upper()}_SECRET")
            providers[name] = {
                "APPS": [{"client_id": client_id, "secret": secret, "key": ""}],
                "SCOPE": ["email"] if name == "facebook" else ["openid", "profile", "email"],
                "OAUTH_PKCE_ENABLED": name == "google",
            }
    apple_id = _value(env, "SOCIAL_LOGIN_APPLE_CLIENT_ID")
    if apple_id:
        providers["apple"] = {
            "APPS": [
                {
                    "client_id": apple_id,
                    "secret": _value(env, "SOCIAL_LOGIN_APPLE_KEY_ID"),
                    "key": _value(env, "SOCIAL_LOGIN_APPLE_TEAM_ID"),
                    "settings": {
                        "certificate_key": _value(env, "SOCIAL_LOGIN_APPLE_PRIVATE_KEY").replace(
                            "\\n", "\n"
                        )
                    },
                }
            ]
        }
    oidc_id = _value(env, "SOCIAL_LOGIN_OIDC_CLIENT_ID")
    if oidc_id:
        providers["openid_connect"] = {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": _value(env, "SOCIAL_LOGIN_OIDC_PROVIDER_ID") or "oidc",
                    "name": _value(env, "SOCIAL_LOGIN_OIDC_NAME") or "OpenID Connect",
                    "client_id": oidc_id,
                    "secret": _value(env, "SOCIAL_LOGIN_OIDC_SECRET"),
                    "settings": {"server_url": _value(env, "SOCIAL_LOGIN_OIDC_SERVER_URL")},
                }
            ],
        }
    return providers


def wanted(providers: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> bool:
    """Whether to turn social login on: some provider is configured, or
    ``SOCIAL_LOGIN_ENABLED`` is set (providers then come from the admin only)."""
    env = os.environ if environ is None else environ
    flag = _value(env, ENABLE_FLAG).lower() in {"1", "true", "yes", "on"}
    return bool(providers) or flag


def enable(
    namespace: MutableMapping[str, Any],
    providers: Mapping[str, Any],
    *,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Turn social login on in a settings module's namespace (``globals()``) when
    :func:`wanted` (or ``force``); returns whether it did. ``INSTALLED_APPS`` and
    ``MIDDLEWARE`` must already be defined; allauth settings the site set itself are kept."""
    if not (force or wanted(providers, environ)):
        return False
    if not _allauth_installed():
        raise RuntimeError(
            "Social login is configured but django-allauth is not installed: "
            "pip install 'streamflix-core[social-login]'."
        )
    apps = list(namespace["INSTALLED_APPS"])
    namespace["INSTALLED_APPS"] = apps + [app for app in APPS if app not in apps]
    middleware = list(namespace["MIDDLEWARE"])
    if MIDDLEWARE not in middleware:
        middleware.append(MIDDLEWARE)
    namespace["MIDDLEWARE"] = middleware
    backends = list(namespace.get("AUTHENTICATION_BACKENDS") or BACKENDS[:1])
    namespace["AUTHENTICATION_BACKENDS"] = backends + [b for b in BACKENDS if b not in backends]
    defaults: dict[str, Any] = {
        "SOCIALACCOUNT_PROVIDERS": dict(providers),
        "SOCIALACCOUNT_ADAPTER": f"{APP}.adapters.SocialAccountAdapter",
        "ACCOUNT_ADAPTER": f"{APP}.adapters.AccountAdapter",
        "ACCOUNT_LOGIN_METHODS": {"email"},
        "ACCOUNT_SIGNUP_FIELDS": ["email*"],
        "ACCOUNT_USER_MODEL_USERNAME_FIELD": None,
        "ACCOUNT_UNIQUE_EMAIL": True,
        # Streamflix verifies addresses itself (and asks for them before linking).
        "ACCOUNT_EMAIL_VERIFICATION": "none",
        "SOCIALACCOUNT_EMAIL_VERIFICATION": "none",
        "SOCIALACCOUNT_AUTO_SIGNUP": True,
        # Never sign into (or connect) an existing account by a provider's email alone.
        "SOCIALACCOUNT_EMAIL_AUTHENTICATION": False,
        "SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT": False,
        "SOCIALACCOUNT_STORE_TOKENS": False,
        "SOCIALACCOUNT_LOGIN_ON_GET": False,
        "SOCIALACCOUNT_ONLY": True,
        "HEADLESS_ONLY": True,
        "HEADLESS_CLIENTS": ("browser",),
        "HEADLESS_FRONTEND_URLS": {"socialaccount_login_error": "/social-login/complete"},
    }
    for key, value in defaults.items():
        namespace.setdefault(key, value)
    return True


def urlpatterns() -> list[Any]:
    """allauth's provider URLs (``accounts/``, ``_allauth/``) and Streamflix's own
    (``social-login/``), when the site enabled social login; else ``[]``."""
    from django.apps import apps

    if not apps.is_installed(APP):
        return []
    from .urls import urlpatterns as patterns

    return list(patterns)
