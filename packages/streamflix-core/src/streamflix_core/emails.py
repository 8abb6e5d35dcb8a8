"""Account emails (activation, password reset), sent through django-q2 after commit.

Links point at the site's front end (``ACTIVATION_URL`` / ``PASSWORD_RESET_URL``); tokens
come from Django's token generators, so each link stops working once it is used.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .users import email_of, is_verified


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


def send_on_commit(*, to: str, subject: str, body: str) -> None:
    """Queue the email as a django-q2 task once the current transaction commits."""

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("streamflix_core.tasks.send_account_email", to, subject, body, 1)

    transaction.on_commit(enqueue)
