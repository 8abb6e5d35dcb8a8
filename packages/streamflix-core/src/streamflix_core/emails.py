"""Emails sent through django-q2 after commit, with retries: account emails (activation,
password reset, email change, notices to an address's owner) and plain notifications of
any plugin (:func:`queue_email`).

Links point at the site's front end (``ACTIVATION_URL`` / ``PASSWORD_RESET_URL`` /
``EMAIL_CHANGE_URL``); tokens come from Django's token generators and signer, so each link
stops working once it is used. An account email's task carries only the kind, the user id
or an address: the lookup, the link and the body happen when the task runs, so no token is
stored in the task queue, the schedule table or the admin, and an API that only queues a
task answers alike (and in about the same time) whether or not an address has an account.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core import signing
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .users import email_of, find_by_email, is_verified, user_model

logger = logging.getLogger(__name__)

ACTIVATION = "activation"
PASSWORD_RESET = "password_reset"  # noqa: S105
EMAIL_CHANGE = "email_change"
EMAIL_CHANGE_REQUESTED = "email_change_requested"
EMAIL_CHANGED = "email_changed"
ACCOUNT_EXISTS = "account_exists"
PLAIN = "plain"
ACCOUNT_KINDS = (ACTIVATION, PASSWORD_RESET, EMAIL_CHANGE, EMAIL_CHANGE_REQUESTED, EMAIL_CHANGED)
ADDRESS_KINDS = (PASSWORD_RESET, ACCOUNT_EXISTS)
EMAIL_CHANGE_SALT = "streamflix_core.emails.email_change"
TASK = "streamflix_core.tasks.send_email"


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens that become invalid once the account is activated (or its email changes)."""

    key_salt = "streamflix_core.emails.ActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{timestamp}{user.is_active}{is_verified(user)}{email_of(user)}"


activation_tokens = ActivationTokenGenerator()
reset_tokens = default_token_generator


def uid_of(user: Any) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def activation_link(user: Any) -> str:
    from .conf import settings

    return settings().ACTIVATION_URL.format(
        uid=uid_of(user), token=activation_tokens.make_token(user)
    )


def reset_link(user: Any) -> str:
    from .conf import settings

    return settings().PASSWORD_RESET_URL.format(
        uid=uid_of(user), token=reset_tokens.make_token(user)
    )


def _password_fingerprint(user: Any) -> str:
    # Binds an email-change link to the current password: changing (or resetting) the
    # password cancels a pending change. A keyed digest, so the link shows nothing of it.
    return salted_hmac(EMAIL_CHANGE_SALT, user.password or "").hexdigest()[:20]


def email_change_token(user: Any, new_email: str) -> str:
    """A signed, expiring token that moves ``user`` from their current email to
    ``new_email``. It names the current address, so it cannot be replayed once the change is
    made (or after any other change of address or password)."""
    payload = {
        "user": str(user.pk),
        "old": email_of(user).lower(),
        "new": new_email.lower(),
        "pw": _password_fingerprint(user),
    }
    return signing.dumps(payload, salt=EMAIL_CHANGE_SALT, compress=True)


class EmailChangeLinkExpired(Exception):
    pass


class EmailChangeLinkInvalid(Exception):
    pass


def email_change_read(token: str, *, max_age: int, lock: bool = False) -> tuple[Any, str]:
    """``(user, new_email)`` from an email-change token that is still good for its user
    (with ``lock``, the user's row is locked for the rest of the transaction).

    Raises :class:`EmailChangeLinkExpired` past ``max_age`` seconds and
    :class:`EmailChangeLinkInvalid` when it is forged, malformed, for a gone or inactive
    account, or stale (the account's email or password changed since it was made)."""
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise EmailChangeLinkExpired from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise EmailChangeLinkInvalid from exc
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(key), str) for key in ("user", "old", "new", "pw")
    ):
        raise EmailChangeLinkInvalid
    users = user_model()._default_manager
    try:
        user = (users.select_for_update() if lock else users).filter(pk=payload["user"]).first()
    except (ValueError, TypeError) as exc:
        raise EmailChangeLinkInvalid from exc
    if (
        user is None
        or not user.is_active
        or email_of(user).lower() != payload["old"]
        or not constant_time_compare(_password_fingerprint(user), payload["pw"])
    ):
        raise EmailChangeLinkInvalid
    return user, payload["new"]


def email_change_link(user: Any, new_email: str) -> str:
    from .conf import settings

    return settings().EMAIL_CHANGE_URL.format(token=email_change_token(user, new_email))


def activation_message(user: Any) -> tuple[str, str]:
    return (
        "Confirm your Streamflix email address",
        "Welcome to Streamflix.\n\nConfirm your email address by opening this link:\n\n"
        f"{activation_link(user)}\n\nIf you did not sign up, ignore this email.\n",
    )


def reset_message(user: Any) -> tuple[str, str]:
    return (
        "Reset your Streamflix password",
        "Someone asked to reset the password of your Streamflix account.\n\n"
        f"Choose a new password here:\n\n{reset_link(user)}\n\n"
        "If it was not you, ignore this email; your password stays as it is.\n",
    )


def email_change_message(user: Any, new_email: str) -> tuple[str, str]:
    from .conf import settings

    hours = max(1, settings().EMAIL_CHANGE_LINK_MAX_AGE_SECONDS // 3600)
    return (
        "Confirm your new Streamflix email address",
        f"Someone asked to move the Streamflix account of {email_of(user)} to this address.\n\n"
        f"To confirm, open this link (it works for {hours} hour(s)):\n\n"
        f"{email_change_link(user, new_email)}\n\n"
        "If it was not you, ignore this email; nothing changes.\n",
    )


def email_taken_message(new_email: str) -> tuple[str, str]:
    return (
        "Your Streamflix email address",
        f"Someone asked to move another Streamflix account to {new_email}, which your account "
        "already uses, so nothing was changed.\n\n"
        "If it was not you, you need not do anything.\n",
    )


def email_change_requested_message(user: Any, new_email: str) -> tuple[str, str]:
    return (
        "A change of your Streamflix email address was requested",
        f"Someone signed in to your Streamflix account asked to change its email address to "
        f"{new_email}. The change applies only once that address confirms it.\n\n"
        "If it was not you, change your password now: that also cancels the change.\n",
    )


def email_changed_message(user: Any, old_email: str) -> tuple[str, str]:
    return (
        "Your Streamflix email address was changed",
        f"The Streamflix account that used {old_email} now uses {email_of(user)}.\n\n"
        "If it was not you, contact the site's support at once.\n",
    )


def account_exists_message(user: Any) -> tuple[str, str]:
    return (
        "You already have a Streamflix account",
        "Someone tried to sign up to Streamflix with this address, which already has an "
        "account, so no new account was made.\n\n"
        "If it was you, sign in; if you forgot your password, ask for a reset link on the "
        "sign-in page. If it was not you, ignore this email.\n",
    )


def _enqueue_on_commit(spec: dict[str, Any]) -> None:
    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task(TASK, spec, 1)

    transaction.on_commit(enqueue)


def account_email_spec(*, user: Any, kind: str, address: str = "") -> dict[str, Any]:
    """The task arguments of an account email (see :func:`queue_account_email`).

    An ``"email_change"`` spec also records the account's address and a keyed digest of
    its password hash at request time (neither grants anything), so a link is never built
    after the password or the address changed, even by a late retry."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"Unknown account email kind {kind!r}.")
    spec: dict[str, Any] = {"kind": kind, "user_id": user.pk}
    if kind in (EMAIL_CHANGE, EMAIL_CHANGE_REQUESTED, EMAIL_CHANGED):
        spec["address"] = address
    if kind == EMAIL_CHANGE:
        spec["from"] = email_of(user).lower()
        spec["pw"] = _password_fingerprint(user)
    return spec


def queue_account_email(*, user: Any, kind: str, address: str = "") -> None:
    """Queue an email about ``user``'s account once the current transaction commits.

    ``kind``: ``"activation"``; ``"password_reset"``; ``"email_change"`` (the confirmation
    link, to the new ``address``) and ``"email_change_requested"`` (a warning to the current
    address naming the new ``address``); ``"email_changed"`` (a notice to the old
    ``address`` once the change is made). The task gets the kind, the user id and the
    address, never a token (:func:`account_email_spec`)."""
    _enqueue_on_commit(account_email_spec(user=user, kind=kind, address=address))


def queue_address_email(*, kind: str, address: str) -> None:
    """Queue an email decided by whoever owns ``address``, once the current transaction
    commits. The task does the lookup, so the caller does the same work (and answers the
    same) whether or not ``address`` has an account.

    ``kind``: ``"password_reset"`` (a reset link when an active account with a verified
    email uses the address) or ``"account_exists"`` (after a registration with a taken
    address: a fresh activation link when that account was never activated, else a notice
    to its owner)."""
    if kind not in ADDRESS_KINDS:
        raise ValueError(f"Unknown address email kind {kind!r}.")
    _enqueue_on_commit({"kind": kind, "address": address})


def queue_email(*, to: str, subject: str, body: str) -> None:
    """Queue a plain notification email to ``to`` once the current transaction commits
    (at once outside a transaction).

    It goes through the same django-q2 task as account emails, so a failed send is retried
    after ``EMAIL_RETRY_DELAY_SECONDS`` (doubling) up to ``EMAIL_MAX_ATTEMPTS``. The subject
    and body are stored in the task queue and may be seen in the admin: put no secrets
    (tokens, passwords, sign-in links) in them.
    """
    _enqueue_on_commit({"kind": PLAIN, "to": to, "subject": subject, "body": body})


def _can_reset(user: Any) -> bool:
    # A reset link goes only to an address the account has proven it owns: otherwise whoever
    # put an unconfirmed address on an account could take the account over with it. An
    # account without a password gets one only when it signs in with a provider (created by
    # social login): that is how it sets its first password, which email change and account
    # deletion ask for.
    from .social_login.selectors import signs_in_with_a_provider

    if not (user.is_active and is_verified(user)):
        return False
    return bool(user.has_usable_password() or signs_in_with_a_provider(user))


def build_message(spec: dict[str, Any]) -> tuple[str, str, str] | None:
    """``(to, subject, body)`` for a queued email spec, or ``None`` when there is nothing
    to send (no such account, the account is gone or already verified, its address or
    password changed since, or the address is not verified for a reset)."""
    kind = spec.get("kind")
    if kind == PLAIN:
        return spec["to"], spec["subject"], spec["body"]
    if kind in ADDRESS_KINDS and "address" in spec:
        return _address_message(kind, spec["address"])
    user = user_model()._default_manager.filter(pk=spec.get("user_id")).first()
    if user is None:
        logger.info("Not sending a %s email: the account is gone", kind)
        return None
    address = str(spec.get("address") or "")
    current = email_of(user)
    if kind == PASSWORD_RESET:
        return (current, *reset_message(user)) if _can_reset(user) else None
    if kind == ACTIVATION:
        if is_verified(user) and user.is_active:
            return None
        return (current, *activation_message(user))
    if kind in (EMAIL_CHANGE, EMAIL_CHANGE_REQUESTED):
        if not user.is_active or not address or address.lower() == current.lower():
            return None
        if kind == EMAIL_CHANGE_REQUESTED:
            return (current, *email_change_requested_message(user, address))
        if spec.get("from") != current.lower() or not constant_time_compare(
            str(spec.get("pw", "")), _password_fingerprint(user)
        ):
            # The address or the password changed since the request: that cancels it.
            return None
        owner = find_by_email(address)
        if owner is not None and owner.pk != user.pk:
            return (email_of(owner), *email_taken_message(address))
        return (address, *email_change_message(user, address))
    if kind == EMAIL_CHANGED:
        return (address, *email_changed_message(user, address)) if address else None
    raise ValueError(f"Unknown email kind {kind!r}.")


def _address_message(kind: str, address: str) -> tuple[str, str, str] | None:
    user = find_by_email(address)
    if user is None:
        return None
    to = email_of(user)
    if kind == PASSWORD_RESET:
        return (to, *reset_message(user)) if _can_reset(user) else None
    if not is_verified(user):
        # Never activated: the owner most likely lost the first link.
        return (to, *activation_message(user))
    return (to, *account_exists_message(user))
