"""The signed-in account of a read-only request from the shared cache, not two queries.

A catalog page served from the shared cache costs one cache read, but a signed-in request
paid a query for the token's user and one for its profile before that. Read endpoints that
authenticate with :data:`streamflix_core.auth.read_auth` take the account (the user's flags
and its profiles) from the shared cache instead, kept ``STREAMFLIX_CORE["ACCOUNT_CACHE_SECONDS"]``
at most, keyed by the token's user id (``NINJA_JWT["USER_ID_FIELD"]``). Each copy carries the
account's *version*, a second key that saving or deleting the user or one of its profiles
replaces (receivers connected by core) — at once and again after the change commits — and a
copy is used only while its version is current. So a request that read the rows just before
a change committed can never have its copy used, and a lowered maturity limit, a removed
profile or a deactivated account applies at the next request in every process. Both keys
are read in one ``get_many`` — or only the version, when this process already built the
account from a copy of it.

Only what deciding the viewer needs is cached — never a password or PIN hash: the objects
built from it are read-only stand-ins (``has_pin`` instead of the hash), not rows to save.
A process builds them once per account version and hands the same stand-ins to every
request while that version is current, so nothing may modify them.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.cache import cache
from django.db import transaction

from .conf import settings
from .kept import KeptCopies
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


def version_key(user_id: Any) -> str:
    return f"{KEY_PREFIX}{user_id}:version"


def cached_account(user_id: Any) -> CachedAccount | None:
    """The account whose token user id is ``user_id`` (``None`` when there is no such user):
    from the shared cache when its copy is of the current version, else read (two queries)
    and cached under the version seen before reading."""
    seconds = settings().ACCOUNT_CACHE_SECONDS
    if not seconds:
        stored = _read(user_id)
        return None if stored is None else _build(stored)
    key, versions = account_key(user_id), version_key(user_id)
    known = _BUILT.live(user_id)
    if known is not None and cache.get(versions) == known.version:
        # Built here from a copy of this version that has not expired: read only the version.
        return known.value
    found = cache.get_many([key, versions])
    version, stored = found.get(versions), found.get(key)
    if version is not None and isinstance(stored, dict) and stored.get("version") == version:
        return _built(user_id, version, stored)
    if version is None:
        cache.add(versions, uuid.uuid4().hex, seconds * 2)
        version = cache.get(versions)
    stored = _read(user_id)
    if stored is None:
        return None
    if version is not None:
        copy = {**stored, "version": version, "expires": time.time() + seconds}
        cache.set(key, copy, seconds)
    return _build(stored)


#: Accounts this process built, by user id, with the version of the copy they were built
#: from and when that copy expires: while the version is current and the copy lives, the
#: same read-only stand-in serves, so it is neither read nor built again.
_BUILT: KeptCopies[CachedAccount] = KeptCopies(max_entries=4096)


def _built(user_id: Any, version: str, stored: dict[str, Any]) -> CachedAccount:
    known = _BUILT.live(user_id)
    account = known.value if known is not None and known.version == version else _build(stored)
    return _BUILT.keep(user_id, account, expires=float(stored.get("expires", 0)), version=version)


def account_forget(user_id: Any) -> None:
    """Make every cached copy of the account stale: a new version now, and another once the
    current transaction commits (a copy read before the commit carries an older one)."""
    seconds = settings().ACCOUNT_CACHE_SECONDS
    if not seconds:
        return
    versions = version_key(user_id)
    cache.set(versions, uuid.uuid4().hex, seconds * 2)
    transaction.on_commit(lambda: cache.set(versions, uuid.uuid4().hex, seconds * 2))


def token_user_id(user: Any) -> Any:
    """The value a token carries for ``user`` (``NINJA_JWT["USER_ID_FIELD"]``)."""
    from ninja_jwt.settings import api_settings

    return getattr(user, api_settings.USER_ID_FIELD)


def _read(user_id: Any) -> dict[str, Any] | None:
    from ninja_jwt.settings import api_settings

    fields = ["pk", *(name for name in USER_FIELDS if has_field(name))]
    user = (
        user_model()
        ._default_manager.filter(**{api_settings.USER_ID_FIELD: user_id})
        .values(*fields)
        .first()
    )
    if user is None:
        return None
    profiles = list(
        Profile.objects.filter(user_id=user["pk"])
        .order_by("-is_default", "created_at", "id")
        .values(*PROFILE_FIELDS, "pin_hash")
    )
    for profile in profiles:
        profile["has_pin"] = bool(profile.pop("pin_hash"))
    return {"user": user, "profiles": profiles}


def _build(stored: dict[str, Any]) -> CachedAccount:
    user = user_model()(**stored["user"])
    # The copy never carries the hash; an unusable marker without set_unusable_password's
    # random suffix (40 calls to the system's random source on every request).
    user.password = UNUSABLE_PASSWORD_PREFIX
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
