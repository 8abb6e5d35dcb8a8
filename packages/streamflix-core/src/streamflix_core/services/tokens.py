"""JWT pairs (django-ninja-jwt): issue, rotate on refresh, blacklist on logout and password
change. A token made for a profile carries its id in the ``profile_id`` claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from ninja_jwt.exceptions import TokenError
from ninja_jwt.settings import api_settings
from ninja_jwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ninja_jwt.tokens import RefreshToken

from streamflix_core.errors import NotAuthenticated

from ..users import user_model

PROFILE_CLAIM = "profile_id"


class InvalidRefreshToken(NotAuthenticated):
    code = "token_invalid"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    profile_id: int | None


def tokens_issue(*, user: Any, profile_id: int | None = None) -> TokenPair:
    """A new refresh + access pair for ``user`` (recorded as an outstanding token)."""
    refresh: Any = RefreshToken.for_user(user)  # type: ignore[misc]
    if profile_id is not None:
        refresh[PROFILE_CLAIM] = profile_id
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), profile_id=profile_id)


def _load_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidRefreshToken(f"The refresh token is invalid: {exc}.") from exc


def _user_of(token: RefreshToken) -> Any:
    user_id = token.get(api_settings.USER_ID_CLAIM)
    user = user_model()._default_manager.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
    if user is None or not user.is_active:
        raise InvalidRefreshToken("The account of this token is inactive or gone.")
    return user


@transaction.atomic
def tokens_refresh(*, refresh: str) -> TokenPair:
    """Trade a refresh token for a new pair.

    With ``NINJA_JWT["ROTATE_REFRESH_TOKENS"]`` the refresh token is replaced too, and with
    ``BLACKLIST_AFTER_ROTATION`` the old one is blacklisted, so a reused one is refused.
    """
    token = _load_refresh(refresh)
    user = _user_of(token)
    profile_id = token.get(PROFILE_CLAIM)
    if profile_id is not None and not user.streamflix_profiles.filter(pk=profile_id).exists():
        # Never fall back to another (maybe adult) profile: the client must switch again.
        raise InvalidRefreshToken("The profile of this token no longer exists.")
    if not api_settings.ROTATE_REFRESH_TOKENS:
        access = token.access_token
        if profile_id is None:
            access.payload.pop(PROFILE_CLAIM, None)
        return TokenPair(access=str(access), refresh=refresh, profile_id=profile_id)
    if api_settings.BLACKLIST_AFTER_ROTATION:
        created: bool = token.blacklist()[1]  # type: ignore[index]  # get_or_create's pair
        if not created:
            raise InvalidRefreshToken("The refresh token was already used.")
    return tokens_issue(user=user, profile_id=profile_id)


def tokens_revoke(*, refresh: str, user: Any | None = None) -> None:
    """Blacklist one refresh token (logout). ``user``, when given, must own it."""
    token = _load_refresh(refresh)
    if user is not None and str(token.get(api_settings.USER_ID_CLAIM)) != str(
        getattr(user, api_settings.USER_ID_FIELD)
    ):
        raise InvalidRefreshToken("The refresh token belongs to another account.")
    token.blacklist()


def tokens_revoke_all(*, user: Any) -> int:
    """Blacklist every outstanding refresh token of ``user``; returns how many."""
    pending = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=token) for token in pending]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
