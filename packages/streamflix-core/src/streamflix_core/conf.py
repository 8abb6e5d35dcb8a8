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
        MAX_PAGE_SIZE: the largest page size any list endpoint accepts.
        DEFAULT_PAGE_SIZE: the page size when a client does not ask.
        ANONYMOUS_MATURITY_LIMIT: the maturity limit (an age on the ``Maturity`` scale) for
            requests without a signed-in viewer.
        MAX_PROFILES: how many viewer profiles a user may have, unless a ``profile_limit``
            provider (the subscription plan) says fewer.
    """

    DEFAULT_PLAYBACK_POLICY: str = "authenticated"
    HEALTH_CHECK_STORAGE: bool = True
    MAX_PAGE_SIZE: int = 100
    DEFAULT_PAGE_SIZE: int = 20
    ANONYMOUS_MATURITY_LIMIT: int = 18
    MAX_PROFILES: int = 5


def settings() -> CoreSettings:
    """Core's settings (``STREAMFLIX_CORE``)."""
    from .plugin import plugin

    return plugin_settings(plugin)
