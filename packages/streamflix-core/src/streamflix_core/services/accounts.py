"""Account writes: registration, activation, login, password flows, email change, deletion."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from streamflix_core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidLink,
    NotAuthenticated,
    NotPermitted,
    WrongCredentials,
)

from .. import emails, signals
from ..users import (
    email_field,
    email_of,
    find_by_email,
    has_field,
    is_verified,
    normalize_email,
    set_email,
    user_model,
)
from .profiles import profile_create_default
from .tokens import TokenPair, tokens_issue, tokens_revoke_all

logger = logging.getLogger(__name__)


def _check_password_rules(password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages),
            code="password_invalid",
            fields={"password": list(exc.messages)},
        ) from exc


def _send_activation(user: Any) -> None:
    emails.queue_account_email(user=user, kind=emails.ACTIVATION)


@dataclass(frozen=True)
class Registration:
    """What a registration tells the caller: the same for a new and a taken address."""

    email: str
    is_active: bool
    email_verification_required: bool


def account_register(*, email: str, password: str, display_name: str = "") -> Registration:
    """Create an account and its first profile; send ``user_registered``.

    With ``REQUIRE_EMAIL_VERIFICATION`` the account stays inactive until the emailed
    activation link is used; otherwise it is active at once, and the same link verifies its
    email (which a password reset needs).

    A taken address gets the same answer, after the same password work, and one queued email
    too: the task tells the address's owner (or sends a fresh activation link when that
    account was never activated); the existing account is left as it is.
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
    answer = Registration(email=email, is_active=not require, email_verification_required=require)
    if find_by_email(email) is not None:
        _registration_taken(candidate, password, email)
        return answer
    try:
        with transaction.atomic():
            user = model._default_manager.create_user(
                password=password, is_active=not require, **fields
            )
            profile_create_default(user=user, name=display_name or email.split("@")[0])
            _send_activation(user)
            transaction.on_commit(
                lambda: signals.user_registered.send_robust(sender=model, user=user)
            )
    except IntegrityError:
        # Taken between the lookup and the insert; the password is already hashed.
        emails.queue_address_email(kind=emails.ACCOUNT_EXISTS, address=email)
    return answer


def _registration_taken(candidate: Any, password: str, email: str) -> None:
    # Hash anyway, so the answer time does not reveal which addresses have accounts.
    candidate.set_password(password)
    emails.queue_address_email(kind=emails.ACCOUNT_EXISTS, address=email)


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


class LoginFailed(NotAuthenticated):
    code = "invalid_credentials"


def account_login(*, email: str, password: str) -> TokenPair:
    """Check the credentials and issue tokens for the user's default profile, or with no
    profile when the default one has a PIN (the client then switches with the PIN)."""
    from ..selectors import open_default_profile_id

    user = find_by_email(email)
    if user is None:
        # Hash anyway, so the answer time does not reveal which addresses have accounts.
        user_model()().set_password(password)
        raise LoginFailed("The email or password is wrong.")
    if not user.check_password(password):
        raise LoginFailed("The email or password is wrong.")
    if not user.is_active:
        raise NotPermitted(
            "This account is not active yet; open the activation link we emailed you.",
            code="account_inactive",
        )
    user_model()._default_manager.filter(pk=user.pk).update(last_login=_now())
    return tokens_issue(user=user, profile_id=open_default_profile_id(user))


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


@transaction.atomic
def account_change_password(
    *, user: Any, old_password: str, new_password: str, profile_id: int | None = None
) -> TokenPair:
    """Change the password (the old one is required), blacklist every refresh token of the
    account (signing other devices out) and return a fresh pair for ``profile_id`` (else
    the default profile, unless it has a PIN)."""
    from ..selectors import open_default_profile_id

    if not user.check_password(old_password):
        raise WrongCredentials("The current password is wrong.", code="wrong_password")
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    tokens_revoke_all(user=user)
    return tokens_issue(user=user, profile_id=profile_id or open_default_profile_id(user))


def account_request_password_reset(*, email: str) -> None:
    """Queue a reset email for ``email``. The task looks the address up and sends a link
    only to an active account whose email is verified; the caller does the same work
    whether or not the address has an account."""
    emails.queue_address_email(kind=emails.PASSWORD_RESET, address=normalize_email(email))


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
def account_update(*, user: Any, display_name: str | None = None) -> Any:
    """Change the display name. (The email changes through
    :func:`account_email_change_request` and :func:`account_email_change_confirm`.)"""
    if display_name is not None:
        if not has_field("display_name"):
            raise DomainError(
                "This site's user model has no display name.", code="unsupported_field"
            )
        user.display_name = display_name
        user.save(update_fields=["display_name"])
    return user


def _check_current_password(user: Any, password: str) -> None:
    if not user.check_password(password):
        raise WrongCredentials("The current password is wrong.", code="wrong_password")


def account_email_change_request(*, user: Any, new_email: str, password: str) -> None:
    """Start moving the account to ``new_email`` (the current password is required).

    Nothing changes yet: a task emails ``new_email`` a confirmation link (or, when another
    account already uses it, a notice to that account's owner instead, so the answer does
    not reveal it) and warns the current address. The link works for
    ``EMAIL_CHANGE_LINK_MAX_AGE_SECONDS``, once, and only while the account's email and
    password stay as they are."""
    _check_current_password(user, password)
    new_email = normalize_email(new_email)
    if new_email == email_of(user).lower():
        raise DomainError("This is already the account's email address.", code="email_unchanged")
    with transaction.atomic():
        emails.queue_account_email(user=user, kind=emails.EMAIL_CHANGE, address=new_email)
        emails.queue_account_email(user=user, kind=emails.EMAIL_CHANGE_REQUESTED, address=new_email)


class EmailChangeLinkExpired(InvalidLink):
    code = "link_expired"


@transaction.atomic
def account_email_change_confirm(*, token: str) -> Any:
    """Apply an email change from its emailed link: the new address becomes the account's
    (verified, as opening the link proved it), and the old address gets a notice.

    400 ``invalid_link`` for a forged, used or stale link, ``link_expired`` past its age;
    409 ``email_taken`` when another account took the address meanwhile."""
    from ..conf import settings

    try:
        # The row is locked, so two confirmations cannot both apply.
        user, new_email = emails.email_change_read(
            token, max_age=settings().EMAIL_CHANGE_LINK_MAX_AGE_SECONDS, lock=True
        )
    except emails.EmailChangeLinkExpired as exc:
        raise EmailChangeLinkExpired(
            "This email change link has expired; ask for the change again."
        ) from exc
    except emails.EmailChangeLinkInvalid as exc:
        raise InvalidLink("This email change link is invalid or has already been used.") from exc
    old_email = email_of(user)
    other = find_by_email(new_email)
    if other is not None and other.pk != user.pk:
        raise Conflict("An account with this email already exists.", code="email_taken")
    update = set_email(user, new_email)
    if has_field("email_verified"):
        user.email_verified = True
        update.append("email_verified")
    try:
        with transaction.atomic():
            user.save(update_fields=update)
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists.", code="email_taken") from exc
    emails.queue_account_email(user=user, kind=emails.EMAIL_CHANGED, address=old_email)
    return user


def account_delete(*, user: Any, password: str) -> None:
    """Erase the account (password required), then send ``account_deleted`` so plugins
    erase what they keep for it (rows keyed by user or profile cascade with the user)."""
    if not user.check_password(password):
        raise WrongCredentials("The password is wrong.", code="wrong_password")
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
