"""Typed, validated access to each plugin's settings dict (``STREAMFLIX_<NAME>``).

A plugin declares its settings as a dataclass (or a pydantic model): typed fields with their
defaults, in one place, named by its ``PluginSpec.settings``. ``plugin_settings(spec)``
validates the site's dict against those types (pydantic's lax mode: ``"6"`` becomes ``6``, a
list becomes a tuple, ``"six"`` is an error) and merges it over the defaults. Unknown keys and
wrongly typed values are system-check errors (``streamflix.E008``, ``streamflix.E010``), and
the accessor raises ``InvalidPluginSettings`` for them rather than return a bad value.
"""

from __future__ import annotations

import contextlib
import dataclasses
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from .plugins.spec import PluginSpec, resolve

_cache: dict[str, Any] = {}


class InvalidPluginSettings(ImproperlyConfigured):
    """A plugin's settings dict has unknown keys or wrongly typed values.

    ``manage.py check`` reports the same problems; a plugin's own system checks that read
    its settings may return no messages on this exception (core's check names the cause).
    """


@dataclass(frozen=True)
class SettingProblem:
    """One wrongly typed key of a plugin's settings dict."""

    key: str
    expected: str
    given: Any

    def message(self, settings_name: str) -> str:
        given = repr(self.given)
        if len(given) > 80:
            given = given[:77] + "..."
        return (
            f'{settings_name}["{self.key}"]: expected {self.expected}, '
            f"got {given} ({type(self.given).__name__})"
        )


def _given(spec: PluginSpec) -> dict[str, Any]:
    value = getattr(django_settings, spec.settings_name, None)
    return dict(value) if isinstance(value, dict) else {}


@cache
def _declared(settings_class: type) -> dict[str, Any]:
    """Field name -> annotated type of a settings dataclass or pydantic model."""
    hints = typing.get_type_hints(settings_class)
    if dataclasses.is_dataclass(settings_class):
        return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(settings_class)}
    fields = getattr(settings_class, "model_fields", None)
    if fields is None:
        raise TypeError(f"{settings_class!r} is neither a dataclass nor a pydantic model")
    return {name: hints.get(name, field.annotation) for name, field in fields.items()}


@cache
def _adapter(settings_class: type) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(settings_class)


def type_name(annotation: Any) -> str:
    """``int``, ``tuple[int, ...]``, ``str | None``: a type as a settings author writes it."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def unknown_keys(spec: PluginSpec) -> list[str]:
    """Keys in the site's settings dict that the plugin does not declare."""
    given = _given(spec)
    if not spec.settings:
        return sorted(given)
    return sorted(set(given) - set(_declared(resolve(spec.settings))))


def type_problems(spec: PluginSpec) -> list[SettingProblem]:
    """The declared keys of the site's dict whose values do not fit the declared type."""
    from pydantic import ValidationError

    if not spec.settings:
        return []
    settings_class = resolve(spec.settings)
    declared = _declared(settings_class)
    given = {key: value for key, value in _given(spec).items() if key in declared}
    try:
        _adapter(settings_class).validate_python(given)
    except ValidationError as exc:
        keys = []
        for error in exc.errors():
            key = error["loc"][0] if error["loc"] else None
            if key in declared and key not in keys:
                keys.append(key)
        return [SettingProblem(key, type_name(declared[key]), given[key]) for key in keys]
    return []


def settings_problems(spec: PluginSpec) -> list[str]:
    """Every problem of the site's dict for ``spec``, as check messages (empty: valid)."""
    problems = []
    value = getattr(django_settings, spec.settings_name, None)
    if value is not None and not isinstance(value, dict):
        problems.append(f"{spec.settings_name} must be a dict, got {type(value).__name__}.")
    unknown = unknown_keys(spec)
    if unknown:
        problems.append(f"{spec.settings_name} has unknown key(s): {', '.join(unknown)}.")
    problems.extend(p.message(spec.settings_name) + "." for p in type_problems(spec))
    return problems


def plugin_settings(spec: PluginSpec) -> Any:
    """The plugin's validated settings instance, built once and reset on ``setting_changed``.

    Raises ``InvalidPluginSettings`` naming every unknown or wrongly typed key.
    """
    if spec.name in _cache:
        return _cache[spec.name]
    if not spec.settings:
        raise ImproperlyConfigured(f"Plugin {spec.name!r} declares no settings class.")
    from pydantic import ValidationError

    given = getattr(django_settings, spec.settings_name, None)
    value = None
    if (given is None or isinstance(given, dict)) and not unknown_keys(spec):
        # Validated once; the problems are worded (by the check's code) only when there are some.
        with contextlib.suppress(ValidationError):
            value = _adapter(resolve(spec.settings)).validate_python(_given(spec))
    if value is None:
        raise InvalidPluginSettings(" ".join(settings_problems(spec)))
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
        DASHBOARD_CACHE_SECONDS: how long each plugin's admin dashboard cards are kept in
            the Django cache (``0``: computed on every visit of the admin index).
        ACCOUNT_CACHE_SECONDS: how long read-only endpoints (``read_auth``) may take a
            signed-in account — its flags and profiles, never a hash — from the shared cache
            instead of two queries (``0``: always read). Saving or deleting the user or a
            profile drops it at once; this bounds a change made behind the ORM's back.
        SOCIAL_LOGIN_REDIRECT_URLS: the front-end pages a social sign-in may return to
            (``<url>?code=...``, or ``?error=...``); the first is the default. Any other
            ``next`` is refused, so the flow is no open redirect. Only read when social
            login is enabled (docs/social-login.md).
        SOCIAL_LOGIN_CODE_SECONDS: how long the one-time code of a finished social sign-in
            may be exchanged for tokens (once).
        SOCIAL_LOGIN_LINK_MAX_AGE_SECONDS: how long a pending link of a provider account to
            an existing account (password or emailed confirmation) stays open.
        SOCIAL_LOGIN_CONFIRM_URL: the front-end page the confirmation email of a pending
            social sign-in links to; ``{token}`` is filled in. The page posts it to
            ``/api/auth/social/email/confirm``.
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
    DASHBOARD_CACHE_SECONDS: int = 60
    ACCOUNT_CACHE_SECONDS: int = 60
    SOCIAL_LOGIN_REDIRECT_URLS: tuple[str, ...] = ("/auth/callback",)
    SOCIAL_LOGIN_CODE_SECONDS: int = 60
    SOCIAL_LOGIN_LINK_MAX_AGE_SECONDS: int = 3600
    SOCIAL_LOGIN_CONFIRM_URL: str = "http://localhost:8000/social-confirm?token={token}"


def settings() -> CoreSettings:
    """Core's settings (``STREAMFLIX_CORE``)."""
    from .plugin import plugin

    return plugin_settings(plugin)
