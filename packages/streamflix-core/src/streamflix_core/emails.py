"""Emails sent through django-q2 after commit, with retries: account emails (activation,
password reset, a changed address) and plain notifications of any plugin
(:func:`queue_email`).

Links point at the site's front end (``ACTIVATION_URL`` / ``PASSWORD_RESET_URL``); tokens
come from Django's token generators, so each link stops working once it is used. An account
email's task carries only the kind, the user id and (for a changed address) that address:
the link and body are built when the task runs, so no token is stored in the task queue,
the schedule table or the admin.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .users import email_of, is_verified, user_model

logger = logging.getLogger(__name__)

ACTIVATION = "activation"
PASSWORD_RESET = "password_reset"  # noqa: S105
EMAIL_CHANGE = "email_change"
PLAIN = "plain"
ACCOUNT_KINDS = (ACTIVATION, PASSWORD_RESET, EMAIL_CHANGE)
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


def _enqueue_on_commit(spec: dict[str, Any]) -> None:
    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task(TASK, spec, 1)

    transaction.on_commit(enqueue)


def queue_account_email(*, user: Any, kind: str, address: str = "") -> None:
    """Queue an account email (``kind``: ``"activation"``, ``"password_reset"`` or
    ``"email_change"``, the last with the new ``address``) once the current transaction
    commits. Only the kind, the user id and the address go into the task."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"Unknown account email kind {kind!r}.")
    spec: dict[str, Any] = {"kind": kind, "user_id": user.pk}
    if kind == EMAIL_CHANGE:
        spec["address"] = address
    _enqueue_on_commit(spec)


def queue_email(*, to: str, subject: str, body: str) -> None:
    """Queue a plain notification email to ``to`` once the current transaction commits
    (at once outside a transaction).

    It goes through the same django-q2 task as account emails, so a failed send is retried
    after ``EMAIL_RETRY_DELAY_SECONDS`` (doubling) up to ``EMAIL_MAX_ATTEMPTS``. The subject
    and body are stored in the task queue and may be seen in the admin: put no secrets
    (tokens, passwords, sign-in links) in them.
    """
    _enqueue_on_commit({"kind": PLAIN, "to": to, "subject": subject, "body": body})


def build_message(spec: dict[str, Any]) -> tuple[str, str, str] | None:
    """``(to, subject, body)`` for a queued email spec, or ``None`` when there is nothing
    to send any more (the account is gone, already verified, or its address changed again)."""
    kind = spec.get("kind")
    if kind == PLAIN:
        return spec["to"], spec["subject"], spec["body"]
    user = user_model()._default_manager.filter(pk=spec.get("user_id")).first()
    if user is None:
        logger.info("Not sending a %s email: the account is gone", kind)
        return None
    if kind == PASSWORD_RESET:
        if not user.is_active or not user.has_usable_password():
            return None
        return (email_of(user), *reset_message(user))
    if kind in (ACTIVATION, EMAIL_CHANGE):
        if is_verified(user) and user.is_active:
            return None
        to = email_of(user)
        if kind == EMAIL_CHANGE and spec.get("address", "").lower() != to.lower():
            # The address changed again; its link would not work (the token covers the email).
            return None
        return (to, *activation_message(user))
    raise ValueError(f"Unknown email kind {kind!r}.")
