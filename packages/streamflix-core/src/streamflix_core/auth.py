"""Authentication classes for every plugin's Ninja operations.

``jwt_auth``
    A valid access token is required: ``Authorization: Bearer <token>`` (always accepted),
    or the HTTP-only access cookie set by a cookie-mode login
    (``STREAMFLIX_CORE["AUTH_COOKIE_ACCESS_NAME"]``). A cookie-authenticated unsafe request
    (POST, PUT, PATCH, DELETE) must carry Django's CSRF token (``X-CSRFToken`` header with
    the ``csrftoken`` cookie), else 403 ``csrf_failed``. Sets ``request.user`` and keeps the
    validated token on ``request.access_token`` (its claims, such as the profile id, are
    read by :func:`streamflix_core.viewer.current_viewer`).
``optional_auth``
    Like ``jwt_auth`` when a token is sent; an anonymous request passes with
    ``request.user`` set to ``AnonymousUser``. An invalid token is still a 401.

``staff_auth``
    ``jwt_auth`` plus the staff check, run before the request body is parsed, so a non-staff
    caller gets 403 whatever (and however large) the body it sends.

``token_identity_auth``
    A valid access token, checked without a database query: ``request.auth`` is a
    :class:`TokenIdentity` (the token's user id and profile id) and ``request.user`` is not
    loaded. For hot operations on a resource that records its owner (playback heartbeats):
    the operation compares the owner with the identity, so a deleted account's token finds
    nothing, and a deactivated account's token works only until it expires (minutes).
    ``token_identity(token)`` validates a raw token string the same way (WebSocket consumers).

``account_auth``
    ``jwt_auth`` for account-level actions (email, password, account deletion, billing):
    a session watching as a kids profile gets 403 ``kids_profile`` — a child handed the
    device must not act for the account holder.

``require_staff(request)`` raises 401 for anonymous and 403 for non-staff users.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.utils import check_csrf
from ninja_jwt.authentication import JWTAuth
from ninja_jwt.exceptions import AuthenticationFailed, TokenError

from streamflix_core.errors import NotPermitted

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfFailed(NotPermitted):
    code = "csrf_failed"


def enforce_csrf(request: HttpRequest) -> None:
    """403 ``csrf_failed`` unless an unsafe request carries a valid CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if check_csrf(request) is not None:
        raise CsrfFailed(
            "CSRF token missing or wrong: send the csrftoken cookie's value in X-CSRFToken."
        )


def header_value(request: HttpRequest, header: str) -> str | None:
    """``request.headers.get(header)``, without building ``request.headers`` when nothing
    has yet (a server names the header ``HTTP_<NAME>`` in ``META``; test clients that
    build requests by hand set ``headers`` themselves)."""
    headers = vars(request).get("headers")
    if headers is not None:
        return headers.get(header)  # type: ignore[no-any-return]
    return request.META.get("HTTP_" + header.upper().replace("-", "_"))


def bearer_token(value: str) -> str | None:
    """The token of an ``Authorization`` header's ``value`` (``Bearer <token>``), as Django
    Ninja's ``HttpBearer`` reads it; ``None`` for another scheme."""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token


def access_cookie(request: HttpRequest) -> str | None:
    from .conf import settings

    config = settings()
    if not config.AUTH_COOKIES:
        return None
    return request.COOKIES.get(config.AUTH_COOKIE_ACCESS_NAME) or None


class AccessTokenAuth(JWTAuth):
    """Bearer (or cookie) access-token authentication that remembers the validated token.

    ``openapi_optional`` (anonymous requests pass) and ``openapi_forbids`` (a valid token
    can still be refused with 403) tell the OpenAPI document what the class does
    (:mod:`streamflix_core.api.openapi`)."""

    openapi_optional = False
    openapi_forbids = False

    def __call__(self, request: HttpRequest) -> Any:
        value = header_value(request, self.header)
        if value:
            token = bearer_token(value)
            return None if token is None else self.authenticate(request, token)
        token = access_cookie(request)
        if token is None:
            return None
        user = self.authenticate(request, token)
        enforce_csrf(request)
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            return self.jwt_authenticate(request, token)
        except (AuthenticationFailed, TokenError) as exc:
            raise AuthenticationError() from exc

    def jwt_authenticate(self, request: HttpRequest, token: str) -> Any:
        request.user = AnonymousUser()
        validated = self.get_validated_token(token)
        user = self.get_user(validated)
        request.user = user  # type: ignore[assignment]
        request.access_token = validated  # type: ignore[attr-defined]
        return user


class OptionalAccessTokenAuth(AccessTokenAuth):
    """Token when present, anonymous otherwise."""

    openapi_optional = True

    def __call__(self, request: HttpRequest) -> Any:
        if not header_value(request, self.header) and access_cookie(request) is None:
            request.user = AnonymousUser()
            return AnonymousUser()
        return super().__call__(request)


class StaffAccessTokenAuth(AccessTokenAuth):
    """An access token of a staff user; 401 without a valid token, 403 for non-staff."""

    openapi_forbids = True

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user:
            require_staff(request)
        return user


class AccountSessionAuth(AccessTokenAuth):
    """An access token whose session is not watching as a kids profile (403 ``kids_profile``)."""

    openapi_forbids = True

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user:
            require_account_session(request)
        return user


@dataclass(frozen=True)
class TokenIdentity:
    """Who a validated access token speaks for, read from its claims alone."""

    user_id: str
    profile_id: int | None


class TokenIdentityAuth(AccessTokenAuth):
    """An access token, validated (signature, expiry, type) with no database query.

    A player sends the same token with every heartbeat, so each process remembers the
    identity of the tokens it has verified (at most ``REMEMBERED_TOKENS``), and for a token
    it knows checks only the expiry again. Access tokens are never revoked before they
    expire (logout blacklists the refresh token), so the answer is the one a fresh
    verification would give.
    """

    REMEMBERED_TOKENS = 4096

    def __init__(self) -> None:
        super().__init__()
        self._verified: dict[str, tuple[TokenIdentity, float]] = {}

    def jwt_authenticate(self, request: HttpRequest, token: str) -> Any:
        request.user = AnonymousUser()
        identity, validated = self._identity(token)
        if validated is not None:
            request.access_token = validated  # type: ignore[attr-defined]
        return identity

    def identity(self, token: str) -> TokenIdentity:
        """The identity of a raw access token string, validated as for a request (a token
        this process verified before is only checked for expiry again). Raises Ninja's
        ``AuthenticationError`` for a forged, expired or wrong-type token."""
        try:
            return self._identity(token)[0]
        except (AuthenticationFailed, TokenError) as exc:
            raise AuthenticationError() from exc

    def _identity(self, token: str) -> tuple[TokenIdentity, Any]:
        """The identity, and the validated token when it was verified just now (else None)."""
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0], None
        identity, expires, validated = self._verify(token)
        if len(self._verified) >= self.REMEMBERED_TOKENS:
            self._verified.clear()
        self._verified[token] = (identity, expires)
        return identity, validated

    def _verify(self, token: str) -> tuple[TokenIdentity, float, Any]:
        from ninja_jwt.settings import api_settings

        from .services.tokens import PROFILE_CLAIM

        validated: Any = self.get_validated_token(token)
        try:
            user_id = validated[api_settings.USER_ID_CLAIM]
            expires = float(validated["exp"])
        except (KeyError, TypeError, ValueError) as exc:
            raise AuthenticationError() from exc
        profile_id = validated.get(PROFILE_CLAIM)
        identity = TokenIdentity(
            user_id=str(user_id), profile_id=int(profile_id) if profile_id is not None else None
        )
        return identity, expires, validated


class ReadAccessTokenAuth(OptionalAccessTokenAuth):
    """For read-only endpoints: optional, and a token costs no query.

    The token is validated as by ``token_identity_auth`` (no query; remembered per process)
    and the account — the user's flags and its profiles — comes from the shared cache
    (:mod:`streamflix_core.account_cache`, dropped whenever the user or a profile changes),
    so a signed-in page served from the cache costs no user or profile query. The viewer is
    decided by the same rules as :func:`streamflix_core.viewer.current_viewer`; the request's
    user is a read-only stand-in (no password hash), fit for reading, not for saving."""

    def jwt_authenticate(self, request: HttpRequest, token: str) -> Any:
        from .account_cache import cached_account
        from .viewer import viewer_for

        request.user = AnonymousUser()
        identity = token_identity_auth.identity(token)
        account = cached_account(identity.user_id)
        if account is None or not account.user.is_active:
            raise AuthenticationError()
        request.user = account.user
        request._streamflix_viewer = viewer_for(  # type: ignore[attr-defined]
            account.user, identity.profile_id, account.profile(identity.profile_id)
        )
        return account.user


jwt_auth = AccessTokenAuth()
optional_auth = OptionalAccessTokenAuth()
staff_auth = StaffAccessTokenAuth()
account_auth = AccountSessionAuth()
token_identity_auth = TokenIdentityAuth()
read_auth = ReadAccessTokenAuth()


def token_identity(token: str) -> TokenIdentity:
    """Validate a raw access token string (signature, expiry, type; no database query) into
    a :class:`TokenIdentity`, as ``token_identity_auth`` does for a request: for callers
    outside Ninja, such as WebSocket consumers. Raises Ninja's ``AuthenticationError``."""
    return token_identity_auth.identity(token)


def require_account_session(request: HttpRequest) -> None:
    """Stop a signed-in request whose session watches as a kids profile (403 ``kids_profile``)."""
    from .services.profiles import KidsProfileLocked
    from .viewer import current_viewer

    profile = current_viewer(request).profile
    if profile is not None and profile.is_kids:
        raise KidsProfileLocked("A kids profile cannot manage the account.")


def require_staff(request: HttpRequest) -> None:
    """Stop a request that is not from a signed-in staff user (401 / 403)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise AuthenticationError()
    if not user.is_staff:
        raise NotPermitted("Only staff can do this.")
