"""Typed, validated access to each plugin's settings dict (``STREAMFLIX_<NAME>``).

A plugin declares its settings as a dataclass (fields and defaults in one place) and names
it in its ``PluginSpec.settings``. ``plugin_settings(spec)`` merges the site's dict over
the defaults; unknown keys are rejected by a system check, and by this accessor.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from .plugins.spec import PluginSpec, resolve

_cache: dict[str, Any] = {}


def unknown_keys(spec: PluginSpec) -> list[str]:
    """Keys in the site's settings dict that the plugin does not declare."""
    if not spec.settings:
        return sorted(getattr(django_settings, spec.settings_name, {}) or {})
    declared = {f.name for f in dataclasses.fields(resolve(spec.settings))}
    given = getattr(django_settings, spec.settings_name, {}) or {}
    return sorted(set(given) - declared)


def plugin_settings(spec: PluginSpec) -> Any:
    """The plugin's settings dataclass instance, built once and reset on ``setting_changed``."""
    if spec.name in _cache:
        return _cache[spec.name]
    if not spec.settings:
        raise ImproperlyConfigured(f"Plugin {spec.name!r} declares no settings class.")
    settings_class = resolve(spec.settings)
    given = dict(getattr(django_settings, spec.settings_name, {}) or {})
    unknown = unknown_keys(spec)
    if unknown:
        raise ImproperlyConfigured(f"{spec.settings_name} has unknown key(s): {', '.join(unknown)}")
    value = settings_class(**given)
    _cache[spec.name] = value
    return value


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("STREAMFLIX_"):
        _cache.clear()


setting_changed.connect(_reset)


@dataclass(frozen=True)
class CoreSettings:
    """``STREAMFLIX_CORE`` keys.

    Attributes:
        DEFAULT_PLAYBACK_POLICY: who may play when no entitlement provider decides otherwise:
            ``"authenticated"`` (any signed-in user), ``"staff"``, ``"anyone"`` or ``"nobody"``.
        HEALTH_CHECK_STORAGE: whether ``/api/health`` writes and deletes a probe file in the
            default storage (turn off for read-only storage).
        HEALTH_CHECK_TIMEOUT_SECONDS: how long each ``/api/health`` check may take (they run
            at once); a part that has not answered by then is reported as failed, so the
            endpoint answers in about this time whatever hangs. Database and ORM-broker lock
            waits are cut to half of it.
        HEALTH_CHECK_READ_ONLY_DATABASES: database aliases (read replicas) that
            ``/api/health`` only reads from; every other alias gets a rolled-back write.
        HTTP_WORKER_TIMEOUT_SECONDS: the HTTP server's worker timeout (gunicorn's
            ``--timeout``) the site runs with. Plugins check their outbound-call budgets
            against it (billing: Stripe timeout x attempts), so a slow provider gets a clean
            error response before the server kills the worker.
        MAX_PAGE_SIZE: the largest page size any list endpoint accepts.
        DEFAULT_PAGE_SIZE: the page size when a client does not ask.
        ANONYMOUS_MATURITY_LIMIT: the maturity limit (an age on the ``Maturity`` scale) for
            requests without a signed-in viewer.
        MAX_PROFILES: how many viewer profiles a user may have, unless a ``profile_limit``
            provider (the subscription plan) says fewer.
        REQUIRE_EMAIL_VERIFICATION: new accounts stay inactive until the emailed activation
            link is used. Off: accounts are active (but unverified) at once.
        ACTIVATION_URL: the front-end page an activation email links to; ``{uid}`` and
            ``{token}`` are filled in. The page posts them to ``/api/auth/activate``.
        PASSWORD_RESET_URL: the front-end page a reset email links to (``{uid}``, ``{token}``);
            it posts them with the new password to ``/api/auth/password/reset/confirm``.
        EMAIL_CHANGE_URL: the front-end page an email-change confirmation links to; ``{token}``
            is filled in. The page posts it to ``/api/me/email/confirm``.
        EMAIL_CHANGE_LINK_MAX_AGE_SECONDS: how long an email-change confirmation link works.
        EMAIL_MAX_ATTEMPTS: how many times an account email is tried before it is given up.
        EMAIL_RETRY_DELAY_SECONDS: the wait before the first retry; doubled for each next one.
        LOGIN_THROTTLE_RATE, REGISTER_THROTTLE_RATE, PASSWORD_RESET_THROTTLE_RATE,
        ACTIVATION_THROTTLE_RATE: requests per client address (``"10/min"``, ``"100/h"``,
            ``"1000/d"``; ``None`` turns the throttle off).
        PIN_THROTTLE_RATE: profile switches (PIN checks) per user.
        NUM_PROXIES: how many trusted reverse proxies stand in front of the site. ``0``: the
            client address is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored (a client
            can write anything there). ``n > 0``: the address the n-th proxy from the right
            appended to ``X-Forwarded-For``.
        AVATAR_MAX_BYTES: the largest avatar upload accepted (413 above it).
        AVATAR_MAX_PIXELS: the largest width x height an avatar may declare; larger images
            (decompression bombs) are refused before they are decoded.
        AVATAR_SIZE: the side, in pixels, of the square thumbnail that is stored.
        AUTH_COOKIES: whether clients may ask for HTTP-only cookie mode at login.
        AUTH_COOKIE_ACCESS_NAME, AUTH_COOKIE_REFRESH_NAME: the cookie names.
        AUTH_COOKIE_SECURE: the cookies' ``Secure`` flag (turn off only for plain-HTTP
            development).
        AUTH_COOKIE_SAMESITE: ``"Lax"``, ``"Strict"`` or ``"None"``.
        AUTH_COOKIE_DOMAIN: the cookies' domain (``None``: the host that answered).
        AUTH_COOKIE_PATH: the cookies' path.
    """

    DEFAULT_PLAYBACK_POLICY: str = "authenticated"
    HEALTH_CHECK_STORAGE: bool = True
    HEALTH_CHECK_TIMEOUT_SECONDS: float = 3.0
    HEALTH_CHECK_READ_ONLY_DATABASES: tuple[str, ...] = ()
    HTTP_WORKER_TIMEOUT_SECONDS: int = 30
    MAX_PAGE_SIZE: int = 100
    DEFAULT_PAGE_SIZE: int = 20
    ANONYMOUS_MATURITY_LIMIT: int = 18
    MAX_PROFILES: int = 5
    REQUIRE_EMAIL_VERIFICATION: bool = True
    ACTIVATION_URL: str = "http://localhost:8000/activate?uid={uid}&token={token}"
    PASSWORD_RESET_URL: str = "http://localhost:8000/reset-password?uid={uid}&token={token}"  # noqa: S105
    EMAIL_CHANGE_URL: str = "http://localhost:8000/confirm-email?token={token}"
    EMAIL_CHANGE_LINK_MAX_AGE_SECONDS: int = 24 * 3600
    EMAIL_MAX_ATTEMPTS: int = 3
    EMAIL_RETRY_DELAY_SECONDS: int = 60
    LOGIN_THROTTLE_RATE: str | None = "10/min"
    REGISTER_THROTTLE_RATE: str | None = "5/min"
    PASSWORD_RESET_THROTTLE_RATE: str | None = "5/min"  # noqa: S105
    ACTIVATION_THROTTLE_RATE: str | None = "10/min"
    PIN_THROTTLE_RATE: str | None = "5/min"
    NUM_PROXIES: int = 0
    AVATAR_MAX_BYTES: int = 5 * 1024 * 1024
    AVATAR_MAX_PIXELS: int = 25_000_000
    AVATAR_SIZE: int = 256
    AUTH_COOKIES: bool = True
    AUTH_COOKIE_ACCESS_NAME: str = "streamflix_access"
    AUTH_COOKIE_REFRESH_NAME: str = "streamflix_refresh"
    AUTH_COOKIE_SECURE: bool = True
    AUTH_COOKIE_SAMESITE: str = "Lax"
    AUTH_COOKIE_DOMAIN: str | None = None
    AUTH_COOKIE_PATH: str = "/"


def settings() -> CoreSettings:
    """Core's settings (``STREAMFLIX_CORE``)."""
    from .plugin import plugin

    return plugin_settings(plugin)
