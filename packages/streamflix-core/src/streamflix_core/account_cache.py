"""The signed-in account of a read-only request from the shared cache, not two queries.

A catalog page served from the shared cache costs one cache read, but a signed-in request
paid a query for the token's user and one for its profile before that. Read endpoints that
authenticate with :data:`streamflix_core.auth.read_auth` take the account (the user's flags
and its profiles) from the shared cache instead: one key per account, kept
``STREAMFLIX_CORE["ACCOUNT_CACHE_SECONDS"]`` at most, and deleted whenever the user or one of
its profiles is saved or deleted (receivers connected by core), so a lowered maturity limit,
a removed profile or a deactivated account applies at the next request in every process.

Only what deciding the viewer needs is cached — never a password or PIN hash: the objects
built from it are read-only stand-ins (``has_pin`` instead of the hash), not rows to save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

from .conf import settings
from .models import Profile
from .users import has_field, user_model

KEY_PREFIX = "streamflix_core:account:"
USER_FIELDS = ("is_active", "is_staff", "is_superuser", "email_verified")
PROFILE_FIELDS = ("id", "name", "is_kids", "maturity_limit", "language", "is_default", "avatar")


@dataclass(frozen=True)
class CachedAccount:
    """A user (read-only stand-in) and its profiles, the default-profile rule's order."""

    user: Any
    profiles: tuple[Profile, ...]

    def profile(self, profile_id: Any) -> Profile | None:
        """As :func:`streamflix_core.selectors.viewer_profile`: ``profile_id`` when it is one
        of the account's, else (``None`` given) the default profile."""
        if profile_id is None:
            return self.profiles[0] if self.profiles else None
        try:
            wanted = int(profile_id)
        except (TypeError, ValueError):
            return None
        return next((p for p in self.profiles if p.pk == wanted), None)


def account_key(user_id: Any) -> str:
    return f"{KEY_PREFIX}{user_id}"


def cached_account(user_id: Any) -> CachedAccount | None:
    """The account of ``user_id`` (``None`` when there is no such user): from the shared
    cache, else read (two queries) and kept for ``ACCOUNT_CACHE_SECONDS``."""
    seconds = settings().ACCOUNT_CACHE_SECONDS
    key = account_key(user_id)
    stored = cache.get(key) if seconds else None
    if stored is None:
        stored = _read(user_id)
        if stored is None:
            return None
        if seconds:
            cache.set(key, stored, seconds)
    return _build(user_id, stored)


def account_forget(user_id: Any) -> None:
    """Drop the cached account now and again after the current transaction commits (so a
    request that read the old rows meanwhile cannot keep them cached)."""
    key = account_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _read(user_id: Any) -> dict[str, Any] | None:
    model = user_model()
    fields = [name for name in USER_FIELDS if has_field(name)]
    user = model._default_manager.filter(pk=user_id).values(*fields).first()
    if user is None:
        return None
    profiles = list(
        Profile.objects.filter(user_id=user_id)
        .order_by("-is_default", "created_at", "id")
        .values(*PROFILE_FIELDS, "pin_hash")
    )
    for profile in profiles:
        profile["has_pin"] = bool(profile.pop("pin_hash"))
    return {"user": user, "profiles": profiles}


def _build(user_id: Any, stored: dict[str, Any]) -> CachedAccount:
    model = user_model()
    user = model(pk=model._meta.pk.to_python(user_id), **stored["user"])
    user.set_unusable_password()
    user._state.adding = False
    profiles = []
    for fields in stored["profiles"]:
        values = dict(fields)
        has_pin = values.pop("has_pin")
        # A marker, not a hash: the viewer rules only ask whether there is a PIN.
        profile = Profile(user=user, pin_hash="cached" if has_pin else "", **values)
        profile._state.adding = False
        profiles.append(profile)
    return CachedAccount(user=user, profiles=tuple(profiles))
