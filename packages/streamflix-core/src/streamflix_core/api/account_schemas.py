"""Schemas of the account, auth and profile endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import field_validator, model_validator

from ..maturity import Maturity

PIN_PATTERN = r"^\d{4}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


def _email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError("Enter a valid email address.") from exc
    return value


class EmailIn(Schema):
    email: str = Field(..., max_length=254)

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
    cookies: bool = Field(
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
    uid: str = Field(..., max_length=64)
    token: str = Field(..., max_length=128)


class ResetConfirmIn(LinkIn):
    new_password: str = Field(..., min_length=1, max_length=128)


class MessageOut(Schema):
    detail: str


class RegisteredOut(Schema):
    id: Any
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


class MeIn(Schema):
    display_name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        return None if value is None else _email(value)


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
    is_kids: bool = False
    maturity_limit: Maturity | None = None
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
    is_kids: bool | None = None
    maturity_limit: Maturity | None = None
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN, max_length=16)
    pin: str | None = Field(
        None, pattern=r"^(\d{4})?$", description='A 4-digit PIN; "" or null removes it.'
    )
    is_default: bool | None = None
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
