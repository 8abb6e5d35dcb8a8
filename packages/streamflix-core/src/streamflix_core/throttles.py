"""Ninja throttles whose rates come from ``STREAMFLIX_CORE`` (read on every request, so a
changed setting applies at once). A throttled request gets 429 with ``Retry-After``.

The client address is ``REMOTE_ADDR`` unless ``NUM_PROXIES`` trusted proxies are configured
(Ninja's own default would key on the client-written ``X-Forwarded-For``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class SettingRateThrottle(SimpleRateThrottle):
    """Throttle ``scope`` at the rate in core setting ``setting``, per client address
    (``per="ip"``) or per signed-in user (``per="user"``)."""

    def __init__(self, scope: str, setting: str, *, per: str = "ip") -> None:
        self.scope = scope
        self.setting = setting
        self.per = per
        self.rate = None
        self.num_requests, self.duration = None, None

    def get_ident(self, request: HttpRequest) -> str | None:
        from .conf import settings

        return client_address(request, num_proxies=settings().NUM_PROXIES)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if self.per == "user" and user is not None and user.is_authenticated:
            ident: Any = f"user-{user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: HttpRequest) -> bool:
        from .conf import settings

        self.rate = getattr(settings(), self.setting)
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


def client_address(request: HttpRequest, *, num_proxies: int) -> str | None:
    """The client's address: ``REMOTE_ADDR`` with no trusted proxy; otherwise the entry of
    ``X-Forwarded-For`` written by the outermost trusted proxy (entries further left were
    written by the client and are not trusted)."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    return entries[-min(num_proxies, len(entries))] or remote


def login_throttle() -> SettingRateThrottle:
    return SettingRateThrottle("streamflix_login", "LOGIN_THROTTLE_RATE")


def register_throttle() -> SettingRateThrottle:
    return SettingRateThrottle("streamflix_register", "REGISTER_THROTTLE_RATE")


def password_reset_throttle() -> SettingRateThrottle:
    return SettingRateThrottle("streamflix_password_reset", "PASSWORD_RESET_THROTTLE_RATE")


def activation_throttle() -> SettingRateThrottle:
    return SettingRateThrottle("streamflix_activation", "ACTIVATION_THROTTLE_RATE")


def pin_throttle() -> SettingRateThrottle:
    return SettingRateThrottle("streamflix_pin", "PIN_THROTTLE_RATE", per="user")
