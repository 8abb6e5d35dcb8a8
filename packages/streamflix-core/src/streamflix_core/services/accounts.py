"""Account writes: registration, activation, login, password flows, email change, deletion."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from .. import emails, signals
from ..api.errors import ApiError, Conflict
from ..users import (
    email_field,
    email_of,
    find_by_email,
    has_field,
    is_verified,
    normalize_email,
    user_model,
)
from .profiles import profile_create_default
from .tokens import TokenPair, tokens_issue, tokens_revoke_all

logger = logging.getLogger(__name__)


class InvalidLink(ApiError):
    status = 400
    code = "invalid_link"


def _check_password_rules(password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ApiError(
            " ".join(exc.messages),
            code="password_invalid",
            status=422,
            errors=[
                {"loc": ["body", "payload", "password"], "msg": message, "type": "password"}
                for message in exc.messages
            ],
        ) from exc


def _send_activation(user: Any) -> None:
    emails.queue_account_email(user=user, kind=emails.ACTIVATION)


def account_register(*, email: str, password: str, display_name: str = "") -> Any:
    """Create an account and its first profile; send ``user_registered``.

    With ``REQUIRE_EMAIL_VERIFICATION`` the account stays inactive and an activation email
    goes out; otherwise it is active at once (its email still unverified).
    """
    from ..conf import settings

    email = normalize_email(email)
    model = user_model()
    fields: dict[str, Any] = {email_field(): email}
    if email_field() != model.USERNAME_FIELD:
        fields[model.USERNAME_FIELD] = email
    if display_name and has_field("display_name"):
        fields["display_name"] = display_name
    candidate = model(**fields)
    _check_password_rules(password, candidate)
    require = settings().REQUIRE_EMAIL_VERIFICATION
    if find_by_email(email) is not None:
        raise Conflict("An account with this email already exists.", code="email_taken")
    try:
        with transaction.atomic():
            user = model._default_manager.create_user(
                password=password, is_active=not require, **fields
            )
            profile_create_default(user=user, name=display_name or email.split("@")[0])
            if require:
                _send_activation(user)
            transaction.on_commit(
                lambda: signals.user_registered.send_robust(sender=model, user=user)
            )
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists.", code="email_taken") from exc
    return user


def _user_from_uid(uid: str) -> Any:
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        return user_model()._default_manager.filter(pk=pk).first()
    except (ValueError, TypeError, OverflowError, DjangoValidationError):
        return None


@transaction.atomic
def account_activate(*, uid: str, token: str) -> Any:
    """Activate the account (and mark its email verified) from an emailed link."""
    user = _user_from_uid(uid)
    if user is None or not emails.activation_tokens.check_token(user, token):
        raise InvalidLink("This activation link is invalid or has already been used.")
    user.is_active = True
    update = ["is_active"]
    if has_field("email_verified"):
        user.email_verified = True
        update.append("email_verified")
    user.save(update_fields=update)
    return user


def account_resend_activation(*, email: str) -> None:
    """Send the activation email again; silent when there is nothing to activate (so the
    answer does not reveal which addresses have accounts)."""
    user = find_by_email(email)
    if user is None or (is_verified(user) and user.is_active):
        return
    with transaction.atomic():
        _send_activation(user)


class LoginFailed(ApiError):
    status = 401
    code = "invalid_credentials"


def account_login(*, email: str, password: str) -> TokenPair:
    """Check the credentials and issue tokens for the user's default profile."""
    from ..selectors import default_profile_id

    user = find_by_email(email)
    if user is None:
        # Hash anyway, so the answer time does not reveal which addresses have accounts.
        user_model()().set_password(password)
        raise LoginFailed("The email or password is wrong.")
    if not user.check_password(password):
        raise LoginFailed("The email or password is wrong.")
    if not user.is_active:
        raise ApiError(
            "This account is not active yet; open the activation link we emailed you.",
            code="account_inactive",
            status=403,
        )
    user_model()._default_manager.filter(pk=user.pk).update(last_login=_now())
    return tokens_issue(user=user, profile_id=default_profile_id(user))


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


@transaction.atomic
def account_change_password(
    *, user: Any, old_password: str, new_password: str, profile_id: int | None = None
) -> TokenPair:
    """Change the password (the old one is required), blacklist every refresh token of the
    account (signing other devices out) and return a fresh pair for ``profile_id`` (else
    the default profile)."""
    from ..selectors import default_profile_id

    if not user.check_password(old_password):
        raise ApiError("The current password is wrong.", code="wrong_password", status=400)
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    tokens_revoke_all(user=user)
    return tokens_issue(user=user, profile_id=profile_id or default_profile_id(user))


def account_request_password_reset(*, email: str) -> None:
    """Email a reset link when an active account has ``email``; nothing otherwise."""
    user = find_by_email(email)
    if user is None or not user.is_active or not user.has_usable_password():
        return
    with transaction.atomic():
        emails.queue_account_email(user=user, kind=emails.PASSWORD_RESET)


@transaction.atomic
def account_reset_password(*, uid: str, token: str, new_password: str) -> None:
    """Set a new password from an emailed link; the link then stops working and every
    refresh token of the account is blacklisted."""
    user = _user_from_uid(uid)
    if user is None or not emails.reset_tokens.check_token(user, token):
        raise InvalidLink("This password reset link is invalid or has already been used.")
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    tokens_revoke_all(user=user)


@transaction.atomic
def account_update(*, user: Any, display_name: str | None = None, email: str | None = None) -> Any:
    """Change the display name and/or the email. A new email must be verified again: the
    account stays usable, marked unverified, and an activation email goes to the new address."""
    update: list[str] = []
    if display_name is not None:
        if not has_field("display_name"):
            raise ApiError("This site's user model has no display name.", code="unsupported_field")
        user.display_name = display_name
        update.append("display_name")
    if email is not None:
        email = normalize_email(email)
        if email != email_of(user).lower():
            other = find_by_email(email)
            if other is not None and other.pk != user.pk:
                raise Conflict("An account with this email already exists.", code="email_taken")
            setattr(user, email_field(), email)
            update.append(email_field())
            if email_field() != user_model().USERNAME_FIELD:
                setattr(user, user_model().USERNAME_FIELD, email)
                update.append(user_model().USERNAME_FIELD)
            if has_field("email_verified"):
                user.email_verified = False
                update.append("email_verified")
    if update:
        try:
            with transaction.atomic():
                user.save(update_fields=update)
        except IntegrityError as exc:
            raise Conflict(
                "An account with this email already exists.", code="email_taken"
            ) from exc
        if email is not None and has_field("email_verified") and "email_verified" in update:
            emails.queue_account_email(user=user, kind=emails.EMAIL_CHANGE, address=email)
    return user


def account_delete(*, user: Any, password: str) -> None:
    """Erase the account (password required), then send ``account_deleted`` so plugins
    erase what they keep for it (rows keyed by user or profile cascade with the user)."""
    if not user.check_password(password):
        raise ApiError("The password is wrong.", code="wrong_password", status=400)
    from ..services.avatars import avatar_file_delete

    user_id, email = user.pk, email_of(user)
    avatar_name = getattr(getattr(user, "avatar", None), "name", "") or ""
    with transaction.atomic():
        tokens_revoke_all(user=user)
        user.delete()
        transaction.on_commit(
            lambda: signals.account_deleted.send_robust(
                sender=user_model(), user_id=user_id, email=email
            )
        )
        if avatar_name:
            transaction.on_commit(lambda: avatar_file_delete(name=avatar_name))
