"""``/api/auth/social/*`` and ``/api/me/social*``: sign in with a provider, and the providers
an account has linked. Mounted by core's router when the site enabled social login."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from streamflix_core.api.account_schemas import MessageOut, TokensOut
from streamflix_core.api.auth import tokens_out
from streamflix_core.api.errors import ErrorOut
from streamflix_core.auth import account_auth, jwt_auth
from streamflix_core.throttles import activation_throttle, login_throttle, password_reset_throttle

from . import services

router = Router()

KEY = Field(..., min_length=1, max_length=200)
COOKIES = Field(
    False, description="Set HTTP-only access/refresh cookies instead of returning tokens."
)
LINK_SENT = (
    "If the address can be confirmed, a link is on its way to it; open it to finish signing in."
)


class ProviderOut(Schema):
    id: str = Field(..., description="The value of the `provider` form field.")
    name: str
    kind: str = Field(..., description="allauth's provider type: google, apple, facebook, ...")


class ProviderStartOut(Schema):
    """How a browser starts a provider sign-in: an HTML form POST (not fetch: the browser
    must follow the redirect to the provider) to ``url`` with ``provider``,
    ``callback_url``, ``process`` and ``csrfmiddlewaretoken`` (``csrf_token``); the browser
    sends the ``csrftoken`` cookie this answer set."""

    url: str
    method: str = "POST"
    callback_url: str
    process: str = "login"
    csrf_token: str = Field(
        ..., description="The `csrfmiddlewaretoken` field's value (also the csrftoken cookie)."
    )


class ProvidersOut(Schema):
    providers: list[ProviderOut]
    start: ProviderStartOut


class NextQuery(Schema):
    next: str | None = Field(
        None, max_length=2000, description="The front-end page to return to (allow-listed)."
    )


class CodeIn(Schema):
    code: str = KEY
    cookies: StrictBool = COOKIES


class PendingPasswordIn(Schema):
    pending: str = KEY
    password: str = Field(..., max_length=128)
    cookies: StrictBool = COOKIES


class PendingIn(Schema):
    pending: str = KEY


class EmailTokenIn(Schema):
    token: str = KEY
    cookies: StrictBool = COOKIES


class SocialAccountOut(Schema):
    id: int
    provider: str
    provider_name: str
    uid: str
    email: str | None
    date_joined: datetime


class SocialAccountsOut(Schema):
    has_password: bool = Field(..., description="Whether the account can sign in with a password.")
    accounts: list[SocialAccountOut]


class LinkStartIn(Schema):
    provider: str = Field(..., min_length=1, max_length=200)
    next: str | None = Field(None, max_length=2000)
    password: str = Field("", max_length=128, description="Required when the account has one.")


class LinkStartOut(Schema):
    redirect_url: str = Field(..., description="Open it in the browser (works once, briefly).")


class UnlinkIn(Schema):
    password: str = Field("", max_length=128, description="Required when the account has one.")


@router.get(
    "/auth/social/providers",
    response={200: ProvidersOut, 422: ErrorOut},
    summary="The sign-in providers this site offers",
)
def social_provider_list(request: HttpRequest, query: Query[NextQuery]) -> ProvidersOut:
    """Configured in the environment or the admin. Also sets the CSRF cookie the start form
    needs. The flow ends at ``next`` (default: the first ``SOCIAL_LOGIN_REDIRECT_URLS``) with
    ``?code=...`` (exchange it), ``?link=...`` (an existing account: confirm), ``?email_sent=1``
    or ``?error=...``."""
    from allauth.socialaccount.adapter import get_adapter

    target = services.redirect_target(query.next)
    providers = [
        ProviderOut(id=provider.sub_id, name=str(provider.name), kind=provider.id)
        for provider in get_adapter().list_providers(request)
    ]
    csrf_token = get_token(request)
    return ProvidersOut(
        providers=sorted(providers, key=lambda p: p.id),
        start=ProviderStartOut(
            url=reverse("headless:browser:socialaccount:redirect_to_provider"),
            callback_url=services.complete_url(next_url=target),
            csrf_token=csrf_token,
        ),
    )


@router.post(
    "/auth/social/exchange",
    response={200: TokensOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    throttle=[login_throttle()],
    summary="Trade a finished provider sign-in's one-time code for tokens",
)
def social_code_exchange(
    request: HttpRequest, payload: CodeIn, response: HttpResponse
) -> TokensOut:
    """The same pair (or cookies) as a password login, with the same profile rules."""
    pair = services.login_code_exchange(code=payload.code)
    return tokens_out(request, response, pair, cookies=payload.cookies)


@router.post(
    "/auth/social/link/password",
    response={
        200: TokensOut,
        400: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    throttle=[login_throttle()],
    summary="Link a provider to the existing account of its email, with the password",
)
def social_link_password_confirm(
    request: HttpRequest, payload: PendingPasswordIn, response: HttpResponse
) -> TokensOut:
    """For ``?link=<pending>``: the provider verified an address that has an account. The
    provider is linked once its password is given; the answer signs in."""
    pair = services.pending_confirm_with_password(
        pending_id=payload.pending, password=payload.password
    )
    return tokens_out(request, response, pair, cookies=payload.cookies)


@router.post(
    "/auth/social/link/email",
    response={202: MessageOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    throttle=[password_reset_throttle()],
    summary="Link a provider by a link emailed to the account's address instead",
)
def social_link_email_send(request: HttpRequest, payload: PendingIn) -> Status:
    services.pending_email_send(pending_id=payload.pending)
    return Status(202, MessageOut(detail=LINK_SENT))


@router.post(
    "/auth/social/email/confirm",
    response={
        200: TokensOut,
        400: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    throttle=[activation_throttle()],
    summary="Finish a provider sign-in from the emailed link",
)
def social_email_confirm(
    request: HttpRequest, payload: EmailTokenIn, response: HttpResponse
) -> TokensOut:
    """Links the provider to the account of the address, or creates that account (and its
    first profile); the answer signs in."""
    pair = services.pending_confirm_by_email(token=payload.token)
    return tokens_out(request, response, pair, cookies=payload.cookies)


def _account_out(account: Any) -> SocialAccountOut:
    data = account.extra_data or {}
    info = data.get("userinfo") or data.get("id_token") or data
    email = info.get("email") if isinstance(info, dict) else None
    try:
        name = str(account.get_provider().name)
    except Exception:  # the provider's configuration was removed since
        name = account.provider
    return SocialAccountOut(
        id=account.pk,
        provider=account.provider,
        provider_name=name,
        uid=account.uid,
        email=str(email) if email else None,
        date_joined=account.date_joined,
    )


def _accounts_out(user: Any) -> SocialAccountsOut:
    return SocialAccountsOut(
        has_password=user.has_usable_password(),
        accounts=[_account_out(a) for a in services.social_accounts(user=user)],
    )


@router.get(
    "/me/social",
    auth=jwt_auth,
    response={200: SocialAccountsOut, 401: ErrorOut},
    summary="The providers linked to the account",
)
def social_account_list(request: HttpRequest) -> SocialAccountsOut:
    return _accounts_out(request.user)


@router.post(
    "/me/social/link",
    auth=account_auth,
    response={
        200: LinkStartOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Start linking a provider (password required when the account has one)",
)
def social_account_link(request: HttpRequest, payload: LinkStartIn) -> LinkStartOut:
    """Open ``redirect_url`` in the browser: it goes through the provider and back to
    ``next`` with ``?linked=1`` (or ``?error=...``, e.g. ``connected_other`` when that
    provider account belongs to another account)."""
    code = services.connect_start(
        request=request,
        user=request.user,
        provider_id=payload.provider,
        next_url=payload.next,
        password=payload.password,
    )
    url = reverse("streamflix_social_login_connect", kwargs={"code": code})
    return LinkStartOut(redirect_url=request.build_absolute_uri(url))


@router.delete(
    "/me/social/{account_id}",
    auth=account_auth,
    response={
        200: SocialAccountsOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Unlink a provider (password required; never the last way to sign in)",
)
def social_account_unlink(
    request: HttpRequest, account_id: int, payload: UnlinkIn
) -> SocialAccountsOut:
    """409 ``last_login_method`` when the account has no password and no other provider."""
    services.social_account_unlink(
        user=request.user, account_id=account_id, password=payload.password
    )
    return _accounts_out(request.user)
