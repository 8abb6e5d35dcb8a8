"""Domain errors: what a service, selector or engine refuses, in words a caller can act on.

Each error has a stable ``code`` (clients branch on it) and a ``message`` (people read it),
and no HTTP status: the API layer maps each class to one (``streamflix_core.api.errors``),
an admin shows the message, a task records the code. Raise the class that says what went
wrong, with a more specific ``code`` where a client needs to tell cases apart::

    raise Conflict("This title is already published.", code="already_published")

Extra keyword arguments travel to the error body unchanged (``retry_after=30``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """The base class: a request that cannot be done as asked."""

    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra

    @property
    def detail(self) -> str:
        """The message under the name of the error body's field."""
        return self.message


class InvalidInput(DomainError):
    """A value is well-formed but not acceptable (a weak password, an unknown field).

    ``fields`` maps an input field to what is wrong with it; the API reports one field error
    per message, as it does for a value that fails its schema."""

    code = "validation_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message, code=code, **extra)
        self.fields = fields or {}


class InvalidLink(DomainError):
    """A signed link (activation, reset, confirmation, upload) is wrong, used or expired."""

    code = "invalid_link"


class WrongCredentials(DomainError):
    """The password or PIN given to confirm a change is wrong."""

    code = "wrong_password"


class NotAuthenticated(DomainError):
    """The caller must sign in (or is signed in to an inactive account)."""

    code = "not_authenticated"


class NotPermitted(DomainError):
    """The caller is known but may not do this (a kids profile, a signature that is wrong)."""

    code = "permission_denied"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"


class Conflict(DomainError):
    """The thing is in a state that does not allow this (already done, in use, taken)."""

    code = "conflict"


class Gone(DomainError):
    """The thing existed but is over for good (an ended playback session)."""

    code = "gone"


class PaymentFailed(DomainError):
    """The payment provider refused the card."""

    code = "payment_failed"


class TooLarge(DomainError):
    """An upload or body is bigger than the configured limit."""

    code = "payload_too_large"


class UnsupportedType(DomainError):
    """An upload's type is not one that is accepted."""

    code = "unsupported_media_type"


class UpstreamFailed(DomainError):
    """A service we depend on (the payment provider, storage) failed or timed out."""

    code = "bad_gateway"


class Unavailable(DomainError):
    """A part of the site is not configured or not running."""

    code = "service_unavailable"
