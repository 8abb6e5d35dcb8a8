"""Ninja throttles whose rates come from ``STREAMFLIX_CORE`` (read on every request, so a
changed setting applies at once). A throttled request gets 429 with ``Retry-After``.

Counting is a fixed window per key, opened by the key's first request and lasting the rate's
period: ``cache.add`` opens it, ``cache.incr`` counts, and both are atomic in the site's
cache (``streamflix_core.cache``), so N processes together let exactly the rate through, not
N times it. (Ninja's own throttle reads a history list and writes it back, which loses
requests when two processes interleave.)

The client address is ``REMOTE_ADDR`` unless ``NUM_PROXIES`` trusted proxies are configured
(Ninja's own default would key on the client-written ``X-Forwarded-For``)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


def window_hit(cache: Any, key: str, *, seconds: int) -> int:
    """Count one hit against ``key`` and return the hits so far in its current window.

    The first hit opens a window of ``seconds`` (and records when, for ``window_remaining``);
    every hit until it expires increments the same counter. Atomic as long as the cache's
    ``add`` and ``incr`` are (the SQLite and Redis caches of ``streamflix_core.cache``)."""
    for _ in range(3):
        try:
            return int(cache.incr(key))
        except ValueError:
            pass  # no open window: open one (unless another process just did)
        if cache.add(key, 1, timeout=seconds):
            cache.set(f"{key}:opened", time.time(), timeout=seconds)
            return 1
    raise RuntimeError(f"the throttle window {key!r} keeps expiring while it is counted")


def window_remaining(cache: Any, key: str, *, seconds: int) -> float:
    """Seconds until the window of ``key`` closes (``seconds`` when unknown)."""
    opened = cache.get(f"{key}:opened")
    if opened is None:
        return float(seconds)
    return max(0.0, seconds - (time.time() - float(opened)))


class SettingRateThrottle(SimpleRateThrottle):
    """Throttle ``scope`` at the rate in core setting ``setting`` (or the one ``rate_of()``
    returns: a plugin passes its own setting), per client address (``per="ip"``) or per
    signed-in user (``per="user"``), counted in the shared cache across processes."""

    def __init__(
        self,
        scope: str,
        setting: str = "",
        *,
        per: str = "ip",
        rate_of: Callable[[], str] | None = None,
    ) -> None:
        self.scope = scope
        self.setting = setting
        self.rate_of = rate_of
        self.per = per
        self.rate = None
        self.num_requests, self.duration = None, None
        # One instance serves every request of a route; the wait belongs to the request.
        self._last = threading.local()

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

        self._last.wait = None
        rate = self.rate_of() if self.rate_of is not None else getattr(settings(), self.setting)
        if not rate:
            return True
        limit, seconds = self.parse_rate(rate)
        key = self.get_cache_key(request)
        if key is None or limit is None or seconds is None:
            return True
        if window_hit(self.cache, key, seconds=seconds) <= limit:
            return True
        self._last.wait = max(1, math.ceil(window_remaining(self.cache, key, seconds=seconds)))
        return False

    def wait(self) -> float | None:
        """Seconds until the window that refused the last request of this thread closes."""
        return getattr(self._last, "wait", None)


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
