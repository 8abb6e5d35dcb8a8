"""Model-agnostic access to the site's user model (``settings.AUTH_USER_MODEL``).

Core's own :class:`~streamflix_core.models.User` has every field the account API uses; a
site's own user model needs only an email field. Optional fields (``display_name``,
``avatar``, ``email_verified``) are used when the model has them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist


def user_model() -> Any:
    return get_user_model()


def email_field() -> str:
    return str(user_model().get_email_field_name())


def has_field(name: str) -> bool:
    try:
        user_model()._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def normalize_email(email: str) -> str:
    return user_model().objects.normalize_email(email.strip()).lower()


def find_by_email(email: str) -> Any:
    """The user with ``email`` (case-insensitive), or ``None``."""
    lookup = {f"{email_field()}__iexact": email.strip()}
    return user_model()._default_manager.filter(**lookup).first()


def email_of(user: Any) -> str:
    return str(getattr(user, email_field(), "") or "")


def set_email(user: Any, email: str) -> list[str]:
    """Put ``email`` on ``user`` (and on the username field when that is another field);
    returns the changed field names, for ``save(update_fields=...)``."""
    changed = [email_field()]
    setattr(user, email_field(), email)
    if email_field() != user_model().USERNAME_FIELD:
        setattr(user, user_model().USERNAME_FIELD, email)
        changed.append(user_model().USERNAME_FIELD)
    return changed


def display_name_of(user: Any) -> str:
    if has_field("display_name"):
        return str(user.display_name or "")
    full_name = getattr(user, "get_full_name", None)
    value = full_name() if callable(full_name) else ""
    return "" if value == email_of(user) else str(value or "")


def is_verified(user: Any) -> bool:
    if has_field("email_verified"):
        return bool(user.email_verified)
    return bool(user.is_active)
