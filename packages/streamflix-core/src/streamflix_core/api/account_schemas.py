"""Schemas of the account, auth and profile endpoints."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, StrictBool, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..maturity import Maturity

PIN_PATTERN = r"^\d{4}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
EMAIL_PATTERN = (
    r"^\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\s*$"
)
"""The addresses the API accepts, published in the OpenAPI so a client (and schemathesis)
knows them: a subset of what Django's ``validate_email`` accepts (ASCII, no quoted or IP
literal parts; surrounding spaces are stripped), checked together with it."""
_EMAIL = re.compile(EMAIL_PATTERN)


def _not_a_bool(value: Any) -> Any:
    # JSON true/false would pass as 1/0 (a maturity of "all ages"); refuse them as the
    # schema does (an integer)
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


MaturityIn = Annotated[Maturity, BeforeValidator(_not_a_bool)]
"""A maturity level in a request body: one of the integer levels, never a boolean."""


def _email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError("Enter a valid email address.") from exc
    if not _EMAIL.match(value):
        raise ValueError("Enter a valid email address.")
    return value


def clean_email(value: str) -> str:
    """``value`` stripped, if it is an address the API accepts (:data:`EMAIL_PATTERN` and
    Django's ``validate_email``); ``ValueError`` otherwise. For plugins' email fields."""
    return _email(value)


def EmailField(**kwargs: Any) -> Any:
    """A required email field documented with :data:`EMAIL_PATTERN` (validate with _email)."""
    return Field(..., max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN}, **kwargs)


class EmailIn(Schema):
    email: str = EmailField()

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        return _email(value)


class RegisterIn(EmailIn):
    password: str = Field(..., min_length=1, max_length=128)
    password_confirm: str = Field(..., max_length=128)
    display_name: str = Field("", max_length=150)

    @model_validator(mode="after")
    def _passwords_match(self) -> RegisterIn:
        if self.password != self.password_confirm:
            raise ValueError("The two passwords differ.")
        return self


class LoginIn(Schema):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=128)
    cookies: StrictBool = Field(
        False, description="Set HTTP-only access/refresh cookies instead of returning tokens."
    )


class RefreshIn(Schema):
    refresh: str | None = Field(None, description="Omit to use the refresh cookie.")


class TokensOut(Schema):
    """``access``/``refresh`` are ``null`` in cookie mode (the tokens are in the cookies)."""

    access: str | None
    refresh: str | None
    token_type: str = "Bearer"  # noqa: S105  a scheme name, not a secret
    profile_id: int | None
    cookies: bool = False


class LinkIn(Schema):
    uid: str = Field(..., min_length=1, max_length=64)
    token: str = Field(..., min_length=1, max_length=128)


class ResetConfirmIn(LinkIn):
    new_password: str = Field(..., min_length=1, max_length=128)


class MessageOut(Schema):
    detail: str


class RegisteredOut(Schema):
    """The same for a new address and one that already has an account (whose owner is
    emailed instead), so the answer does not reveal which addresses have accounts."""

    email: str
    is_active: bool
    email_verification_required: bool


class MeOut(Schema):
    id: Any
    email: str
    display_name: str
    avatar_url: str | None
    email_verified: bool
    date_joined: datetime | None
    is_staff: bool


EMAIL_MOVED = (
    "The email cannot be changed here: POST /api/me/email with new_email and your password; "
    "the change applies once the new address confirms it."
)


class MeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, max_length=150)

    @model_validator(mode="before")
    @classmethod
    def _no_email(cls, data: Any) -> Any:
        # An email change needs the password and the new address's confirmation.
        if isinstance(data, dict) and "email" in data:
            raise PydanticCustomError("email_change_moved", EMAIL_MOVED)
        return data


class EmailChangeIn(Schema):
    new_email: str = EmailField()
    password: str = Field(..., max_length=128, description="The account's current password.")

    @field_validator("new_email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        return _email(value)


class EmailConfirmIn(Schema):
    token: str = Field(..., min_length=1, max_length=1024)


class PasswordIn(Schema):
    password: str = Field(..., max_length=128)


class PasswordChangeIn(Schema):
    old_password: str = Field(..., max_length=128)
    new_password: str = Field(..., min_length=1, max_length=128)


class ProfileOut(Schema):
    id: int
    name: str
    avatar: str
    is_kids: bool
    maturity_limit: Maturity
    language: str
    has_pin: bool
    is_default: bool
    created_at: datetime


class ProfileIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    avatar: str = Field("", max_length=200)
    is_kids: StrictBool = False
    maturity_limit: MaturityIn | None = None
    language: str = Field("en", pattern=LANGUAGE_PATTERN, max_length=16)
    pin: str | None = Field(None, pattern=PIN_PATTERN, description="An optional 4-digit PIN.")

    @field_validator("name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("The name may not be blank.")
        return value


class ProfilePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    avatar: str | None = Field(None, max_length=200)
    is_kids: StrictBool | None = None
    maturity_limit: MaturityIn | None = None
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN, max_length=16)
    pin: str | None = Field(
        None, pattern=r"^(\d{4})?$", description='A 4-digit PIN; "" or null removes it.'
    )
    is_default: StrictBool | None = None
    current_pin: str | None = Field(
        None, max_length=4, description="The profile's current PIN, to change or remove it."
    )
    password: str | None = Field(
        None, max_length=4096, description="The account password (instead of current_pin)."
    )

    @field_validator("name")
    @classmethod
    def _stripped(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            raise ValueError("The name may not be blank.")
        return value


class SwitchIn(Schema):
    pin: str | None = Field(None, max_length=4)
