"""``/api/me*``: the signed-in account."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Router, Status

from ..auth import account_auth, jwt_auth
from ..errors import DomainError, UnsupportedType
from ..services import accounts, avatars
from ..throttles import activation_throttle
from ..users import display_name_of, email_of, is_verified
from ..viewer import current_viewer
from .account_schemas import (
    EmailChangeIn,
    EmailConfirmIn,
    MeIn,
    MeOut,
    MessageOut,
    PasswordChangeIn,
    PasswordIn,
    TokensOut,
)
from .auth import tokens_out
from .errors import ErrorOut

# Reading the account is open to any session of it; every change is account-level
# (``account_auth``): a session watching as a kids profile gets 403 ``kids_profile``.
router = Router(auth=jwt_auth)

EMAIL_CHANGE_SENT = (
    "A confirmation link is on its way to the new address; the change applies once it is "
    "opened. Your current address has been told."
)


def me_out(request: HttpRequest, user: Any) -> MeOut:
    avatar = getattr(user, "avatar", None)
    return MeOut(
        id=user.pk,
        email=email_of(user),
        display_name=display_name_of(user),
        avatar_url=request.build_absolute_uri(avatar.url) if avatar else None,
        email_verified=is_verified(user),
        date_joined=getattr(user, "date_joined", None),
        is_staff=bool(getattr(user, "is_staff", False)),
    )


def _from_cookie(request: HttpRequest) -> bool:
    return not request.headers.get("Authorization")


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The signed-in account")
def me_detail(request: HttpRequest) -> MeOut:
    return me_out(request, request.user)


@router.patch(
    "/me",
    auth=account_auth,
    response={200: MeOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Change the display name",
)
def me_update(request: HttpRequest, payload: MeIn) -> MeOut:
    """An ``email`` field is refused (422): the email changes through ``POST /api/me/email``."""
    user = accounts.account_update(user=request.user, display_name=payload.display_name)
    return me_out(request, user)


@router.post(
    "/me/email",
    auth=account_auth,
    response={202: MessageOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Ask to change the email (password required; the new address confirms)",
)
def me_email_change(request: HttpRequest, payload: EmailChangeIn) -> Status:
    """Nothing changes until the link emailed to ``new_email`` is posted to
    ``/api/me/email/confirm``; the current address is warned. The answer is the same when
    another account already uses ``new_email`` (its owner gets a notice instead of a link)."""
    accounts.account_email_change_request(
        user=request.user, new_email=payload.new_email, password=payload.password
    )
    return Status(202, MessageOut(detail=EMAIL_CHANGE_SENT))


@router.post(
    "/me/email/confirm",
    auth=None,
    response={200: MessageOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    throttle=[activation_throttle()],
    summary="Confirm an email change from the emailed link",
)
def me_email_confirm(request: HttpRequest, payload: EmailConfirmIn) -> MessageOut:
    """No session needed: the signed link (sent to the new address, once the password was
    given) is the proof, so it may be opened on any device. The old address gets a notice."""
    user = accounts.account_email_change_confirm(token=payload.token)
    return MessageOut(detail=f"Your account's email address is now {email_of(user)}.")


@router.delete(
    "/me",
    auth=account_auth,
    response={204: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Delete the account (password required)",
)
def me_delete(request: HttpRequest, payload: PasswordIn) -> Status:
    """Erases the account; plugins are told through the ``account_deleted`` signal."""
    accounts.account_delete(user=request.user, password=payload.password)
    return Status(204, None)


AVATAR_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["avatar"],
                    "properties": {"avatar": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def _avatar_upload(request: HttpRequest) -> Any:
    # Django parses multipart bodies for POST only; parse this PUT the same way here so a
    # site needs no extra middleware.
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise UnsupportedType(
            "Send the avatar as multipart/form-data in the field `avatar`.",
            code="unsupported_media_type",
        )
    method = request.method
    request.method = "POST"
    try:
        request._load_post_and_files()  # type: ignore[attr-defined]
    except (MultiPartParserError, TooManyFilesSent, TooManyFieldsSent) as exc:
        raise DomainError(
            "The multipart/form-data body could not be read.", code="invalid_multipart"
        ) from exc
    finally:
        request.method = method
    upload = request.FILES.get("avatar")
    if upload is None:
        raise DomainError("The multipart field `avatar` is missing.", code="avatar_missing")
    return upload


@router.put(
    "/me/avatar",
    auth=account_auth,
    response={
        200: MeOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
    },
    summary="Upload an avatar (multipart field `avatar`)",
    openapi_extra=AVATAR_BODY,
)
def me_avatar_set(request: HttpRequest) -> MeOut:
    """The image is checked, stripped of metadata and stored as a square thumbnail."""
    user = avatars.avatar_set(user=request.user, upload=_avatar_upload(request))
    return me_out(request, user)


@router.delete(
    "/me/avatar",
    auth=account_auth,
    response={200: MeOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Remove the avatar",
)
def me_avatar_clear(request: HttpRequest) -> MeOut:
    user = avatars.avatar_clear(user=request.user)
    return me_out(request, user)


@router.post(
    "/me/password",
    auth=account_auth,
    response={200: TokensOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Change the password",
)
def me_password_change(
    request: HttpRequest, payload: PasswordChangeIn, response: HttpResponse
) -> TokensOut:
    """Every refresh token of the account is blacklisted (other devices are signed out);
    the answer is a fresh pair for this one."""
    pair = accounts.account_change_password(
        user=request.user,
        old_password=payload.old_password,
        new_password=payload.new_password,
        profile_id=current_viewer(request).profile_id,
    )
    return tokens_out(request, response, pair, cookies=_from_cookie(request))
