"""Authentication classes for every plugin's Ninja operations.

``jwt_auth``
    A valid access token is required (``Authorization: Bearer <token>``). Sets
    ``request.user`` and keeps the validated token on ``request.access_token`` (its claims,
    such as the profile id, are read by :func:`streamflix_core.viewer.current_viewer`).
``optional_auth``
    Like ``jwt_auth`` when a token is sent; an anonymous request passes with
    ``request.user`` set to ``AnonymousUser``. An invalid token is still a 401.

``require_staff(request)`` raises 401 for anonymous and 403 for non-staff users.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja_jwt.authentication import JWTAuth

from .api.errors import Forbidden


class AccessTokenAuth(JWTAuth):
    """Bearer access-token authentication that remembers the validated token."""

    def jwt_authenticate(self, request: HttpRequest, token: str) -> Any:
        request.user = AnonymousUser()
        validated = self.get_validated_token(token)
        user = self.get_user(validated)
        request.user = user
        request.access_token = validated  # type: ignore[attr-defined]
        return user


class OptionalAccessTokenAuth(AccessTokenAuth):
    """Token when present, anonymous otherwise."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            request.user = AnonymousUser()
            return AnonymousUser()
        return super().__call__(request)


jwt_auth = AccessTokenAuth()
optional_auth = OptionalAccessTokenAuth()


def require_staff(request: HttpRequest) -> None:
    """Stop a request that is not from a signed-in staff user (401 / 403)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise AuthenticationError()
    if not user.is_staff:
        raise Forbidden("Only staff can do this.")
