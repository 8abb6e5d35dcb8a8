"""Core's signal receivers, connected in ``CoreConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from .account_cache import account_forget, token_user_id
from .models import Profile
from .users import user_model


def _user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    account_forget(token_user_id(instance))


def _profile_changed(sender: Any, instance: Profile, **kwargs: Any) -> None:
    from ninja_jwt.settings import api_settings

    if api_settings.USER_ID_FIELD in ("id", "pk"):
        account_forget(instance.user_id)
        return
    user = user_model()._default_manager.filter(pk=instance.user_id).first()
    if user is not None:
        account_forget(token_user_id(user))


def connect() -> None:
    """Drop an account's cached copy (:mod:`streamflix_core.account_cache`) whenever its
    user or one of its profiles is saved or deleted."""
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(_user_changed, sender=user_model(), dispatch_uid=f"core-user-{name}")
        signal.connect(_profile_changed, sender=Profile, dispatch_uid=f"core-profile-{name}")
