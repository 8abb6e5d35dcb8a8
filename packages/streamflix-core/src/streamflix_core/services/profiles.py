"""Viewer profile writes ("Who's watching?")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction

from streamflix_core.errors import Conflict, InvalidInput, NotFound, NotPermitted

from ..hooks import max_profiles
from ..maturity import KIDS_LIMIT, Maturity
from ..models import Profile
from ..users import user_model
from .tokens import TokenPair, tokens_issue


class ProfileLimitReached(Conflict):
    code = "profile_limit_reached"


def _maturity_for(*, is_kids: bool, maturity_limit: int | None) -> int:
    if maturity_limit is None:
        return int(KIDS_LIMIT if is_kids else Maturity.AGE_18)
    if is_kids and maturity_limit > KIDS_LIMIT:
        raise InvalidInput(
            f"A kids profile's maturity limit may not exceed {int(KIDS_LIMIT)}.",
            code="kids_maturity_limit",
        )
    return int(maturity_limit)


class KidsProfileLocked(NotPermitted):
    code = "kids_profile"


def _refuse_kids(acting_profile: Profile | None, message: str) -> None:
    # A kids session must not be able to widen what it may watch by managing profiles.
    if acting_profile is not None and acting_profile.is_kids:
        raise KidsProfileLocked(message)


def _check_pin_change(
    *, user: Any, profile: Profile, current_pin: str | None, password: str | None
) -> None:
    """A PIN that is set may only be changed or removed by someone who knows it (or the
    account password); otherwise any session of the account could unlock any profile."""
    if not profile.pin_hash:
        return
    if not current_pin and not password:
        raise NotPermitted(
            "Changing this profile's PIN needs its current PIN or the account password.",
            code="pin_required",
        )
    if current_pin and check_password(current_pin, profile.pin_hash):
        return
    if password and user.check_password(password):
        return
    raise NotPermitted("The current PIN or password is wrong.", code="wrong_pin")


def _hash_pin(pin: str | None) -> str:
    return make_password(pin) if pin else ""


def _save(profile: Profile) -> Profile:
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        raise Conflict(
            "You already have a profile with this name.", code="profile_name_taken"
        ) from exc
    return profile


def profile_create_default(*, user: Any, name: str) -> Profile:
    """The first profile of a new account (adult, default)."""
    return Profile.objects.create(user=user, name=name[:50] or "Me", is_default=True)


@transaction.atomic
def profile_create(
    *,
    user: Any,
    name: str,
    avatar: str = "",
    is_kids: bool = False,
    maturity_limit: int | None = None,
    language: str = "en",
    pin: str | None = None,
    acting_profile: Profile | None = None,
) -> Profile:
    """Add a profile, up to :func:`streamflix_core.hooks.max_profiles` (409 beyond it).

    ``acting_profile`` is the profile of the session asking; a kids one gets 403
    ``kids_profile``."""
    _refuse_kids(acting_profile, "A kids profile cannot add profiles.")
    # Lock the account row so two concurrent creations cannot both pass the limit.
    user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
    existing = Profile.objects.filter(user=user)
    count = existing.count()
    limit = max_profiles(user)
    if count >= limit:
        raise ProfileLimitReached(f"This account may have at most {limit} profile(s).", limit=limit)
    profile = Profile(
        user=user,
        name=name,
        avatar=avatar,
        is_kids=is_kids,
        maturity_limit=_maturity_for(is_kids=is_kids, maturity_limit=maturity_limit),
        language=language,
        pin_hash=_hash_pin(pin),
        is_default=count == 0,
    )
    return _save(profile)


def _owned(user: Any, profile_id: int, *, lock: bool = False) -> Profile:
    queryset = Profile.objects.filter(user=user, pk=profile_id)
    if lock:
        queryset = queryset.select_for_update()
    profile = queryset.first()
    if profile is None:
        raise NotFound("No such profile.", code="profile_not_found")
    return profile


@transaction.atomic
def profile_update(
    *,
    user: Any,
    profile_id: int,
    changes: dict[str, Any],
    acting_profile: Profile | None = None,
    current_pin: str | None = None,
    password: str | None = None,
) -> Profile:
    """Change a profile. ``changes`` may hold name, avatar, is_kids, maturity_limit,
    language, pin (a 4-digit string; ``""`` or ``None`` removes it) and is_default.

    Changing or removing a PIN that is set needs ``current_pin`` or the account
    ``password`` (403 ``pin_required`` / ``wrong_pin``). A kids ``acting_profile`` (the
    session's profile) may change only itself, and may neither clear ``is_kids`` nor raise
    its maturity limit (403 ``kids_profile``)."""
    profile = _owned(user, profile_id, lock=True)
    if acting_profile is not None and acting_profile.is_kids:
        if acting_profile.pk != profile.pk:
            raise KidsProfileLocked("A kids profile cannot change other profiles.")
        if changes.get("is_kids") is False:
            raise KidsProfileLocked("A kids profile cannot stop being a kids profile.")
        limit = changes.get("maturity_limit")
        if limit is not None and limit > profile.maturity_limit:
            raise KidsProfileLocked("A kids profile cannot raise its own maturity limit.")
    if "pin" in changes:
        _check_pin_change(user=user, profile=profile, current_pin=current_pin, password=password)
    for field in ("name", "avatar", "language"):
        if field in changes and changes[field] is not None:
            setattr(profile, field, changes[field])
    if changes.get("is_kids") is not None:
        profile.is_kids = changes["is_kids"]
    if "maturity_limit" in changes and changes["maturity_limit"] is not None:
        profile.maturity_limit = _maturity_for(
            is_kids=profile.is_kids, maturity_limit=changes["maturity_limit"]
        )
    elif profile.is_kids and profile.maturity_limit > KIDS_LIMIT:
        profile.maturity_limit = int(KIDS_LIMIT)
    if "pin" in changes:
        profile.pin_hash = _hash_pin(changes["pin"])
    if changes.get("is_default") and not profile.is_default:
        Profile.objects.filter(user=user, is_default=True).update(is_default=False)
        profile.is_default = True
    return _save(profile)


@transaction.atomic
def profile_delete(*, user: Any, profile_id: int, acting_profile: Profile | None = None) -> None:
    """Delete a profile; the last one cannot go (409). When the default goes, the oldest
    remaining profile becomes the default. A kids ``acting_profile`` gets 403
    ``kids_profile``."""
    _refuse_kids(acting_profile, "A kids profile cannot delete profiles.")
    user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
    profile = _owned(user, profile_id)
    others = Profile.objects.filter(user=user).exclude(pk=profile.pk)
    if not others.exists():
        raise Conflict("An account keeps at least one profile.", code="last_profile")
    was_default = profile.is_default
    profile.delete()
    if was_default:
        successor = others.order_by("created_at", "id").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])


def profile_check_pin(*, user: Any, profile_id: int, pin: str | None) -> Profile:
    """The profile when ``pin`` opens it (or it has no PIN); 403 ``invalid_pin`` otherwise."""
    profile = _owned(user, profile_id)
    if profile.pin_hash and not (pin and check_password(pin, profile.pin_hash)):
        raise NotPermitted("The PIN is wrong.", code="invalid_pin")
    return profile


def profile_switch(*, user: Any, profile_id: int, pin: str | None) -> TokenPair:
    """A new token pair watching as the profile (its PIN checked when it has one)."""
    profile = profile_check_pin(user=user, profile_id=profile_id, pin=pin)
    return tokens_issue(user=user, profile_id=profile.pk)
