"""``/api/auth/*``: registration, activation, login, token refresh, logout, password reset."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from ninja import Router, Status
from ninja_jwt.settings import api_settings

from ..auth import enforce_csrf
from ..errors import DomainError
from ..services import accounts
from ..services.tokens import InvalidRefreshToken, TokenPair, tokens_refresh, tokens_revoke
from ..throttles import (
    activation_throttle,
    login_throttle,
    password_reset_throttle,
    register_throttle,
)
from .account_schemas import (
    EmailIn,
    LinkIn,
    LoginIn,
    MessageOut,
    RefreshIn,
    RegisteredOut,
    RegisterIn,
    ResetConfirmIn,
    TokensOut,
)
from .errors import ErrorOut

router = Router()

RESET_SENT = "If an account uses this address, a password reset link is on its way."
ACTIVATION_SENT = "If this address has an account waiting for activation, a new link is on its way."


def set_auth_cookies(request: HttpRequest, response: HttpResponse, pair: TokenPair) -> None:
    """Put the pair into HTTP-only cookies (and make sure the CSRF cookie is set)."""
    from ..conf import settings

    config = settings()
    common = {
        "secure": config.AUTH_COOKIE_SECURE,
        "samesite": config.AUTH_COOKIE_SAMESITE,
        "domain": config.AUTH_COOKIE_DOMAIN,
        "path": config.AUTH_COOKIE_PATH,
        "httponly": True,
    }
    response.set_cookie(
        config.AUTH_COOKIE_ACCESS_NAME,
        pair.access,
        max_age=int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
        **common,  # type: ignore[arg-type]
    )
    response.set_cookie(
        config.AUTH_COOKIE_REFRESH_NAME,
        pair.refresh,
        max_age=int(api_settings.REFRESH_TOKEN_LIFETIME.total_seconds()),
        **common,  # type: ignore[arg-type]
    )
    get_token(request)


def clear_auth_cookies(response: HttpResponse) -> None:
    from ..conf import settings

    config = settings()
    for name in (config.AUTH_COOKIE_ACCESS_NAME, config.AUTH_COOKIE_REFRESH_NAME):
        response.delete_cookie(
            name,
            path=config.AUTH_COOKIE_PATH,
            domain=config.AUTH_COOKIE_DOMAIN,
            samesite=config.AUTH_COOKIE_SAMESITE,  # type: ignore[arg-type]
        )


def tokens_out(
    request: HttpRequest, response: HttpResponse, pair: TokenPair, *, cookies: bool
) -> TokensOut:
    """The response body for a new pair; in cookie mode the tokens go into cookies only."""
    from ..conf import settings

    if cookies:
        if not settings().AUTH_COOKIES:
            raise DomainError("Cookie mode is turned off on this site.", code="cookies_disabled")
        set_auth_cookies(request, response, pair)
        return TokensOut(access=None, refresh=None, profile_id=pair.profile_id, cookies=True)
    return TokensOut(access=pair.access, refresh=pair.refresh, profile_id=pair.profile_id)


def _refresh_from_cookie(request: HttpRequest) -> str | None:
    from ..conf import settings

    config = settings()
    if not config.AUTH_COOKIES:
        return None
    raw = request.COOKIES.get(config.AUTH_COOKIE_REFRESH_NAME)
    if raw:
        enforce_csrf(request)
    return raw or None


@router.post(
    "/auth/register",
    response={201: RegisteredOut, 422: ErrorOut},
    throttle=[register_throttle()],
    summary="Create an account",
)
def auth_register(request: HttpRequest, payload: RegisterIn) -> Status:
    """Creates the account and its first profile, and emails a link to verify the address.
    When email verification is required the account stays inactive until that link is
    posted to ``/api/auth/activate``. An address that already has an account gets the same
    answer (its owner is emailed instead), so the answer does not reveal which do."""
    registration = accounts.account_register(
        email=payload.email, password=payload.password, display_name=payload.display_name
    )
    return Status(
        201,
        RegisteredOut(
            email=registration.email,
            is_active=registration.is_active,
            email_verification_required=registration.email_verification_required,
        ),
    )


@router.post(
    "/auth/activate",
    response={200: MessageOut, 400: ErrorOut},
    throttle=[activation_throttle()],
    summary="Activate an account from the emailed link",
)
def auth_activate(request: HttpRequest, payload: LinkIn) -> MessageOut:
    accounts.account_activate(uid=payload.uid, token=payload.token)
    return MessageOut(detail="Your account is active; you can sign in.")


@router.post(
    "/auth/activation/resend",
    response={202: MessageOut},
    throttle=[activation_throttle()],
    summary="Send the activation email again",
)
def auth_activation_resend(request: HttpRequest, payload: EmailIn) -> Status:
    """Answers the same whether or not the address has an account."""
    accounts.account_resend_activation(email=payload.email)
    return Status(202, MessageOut(detail=ACTIVATION_SENT))


@router.post(
    "/auth/login",
    response={200: TokensOut, 401: ErrorOut, 403: ErrorOut},
    throttle=[login_throttle()],
    summary="Sign in: an access + refresh token pair",
)
def auth_login(request: HttpRequest, payload: LoginIn, response: HttpResponse) -> TokensOut:
    """The tokens are for the user's default profile; when that profile has a PIN they carry
    no profile (``profile_id: null``) until the client switches to one with
    ``POST /api/profiles/{id}/switch`` ("Who's watching?"). With ``cookies: true`` they are set
    as HTTP-only cookies instead of being returned (unsafe requests then need the CSRF
    token)."""
    pair = accounts.account_login(email=payload.email, password=payload.password)
    return tokens_out(request, response, pair, cookies=payload.cookies)


@router.post(
    "/auth/refresh",
    response={200: TokensOut, 401: ErrorOut, 403: ErrorOut},
    summary="Trade a refresh token for a new pair",
)
def auth_refresh(request: HttpRequest, payload: RefreshIn, response: HttpResponse) -> TokensOut:
    """The refresh token comes from the body, else from the refresh cookie (then the new
    pair goes back into the cookies). A used (rotated) or logged-out token is refused."""
    raw, from_cookie = payload.refresh, False
    if not raw:
        raw = _refresh_from_cookie(request)
        from_cookie = raw is not None
    if not raw:
        raise InvalidRefreshToken("No refresh token was sent.", code="token_missing")
    pair = tokens_refresh(refresh=raw)
    return tokens_out(request, response, pair, cookies=from_cookie)


@router.post(
    "/auth/logout",
    response={204: None, 401: ErrorOut, 403: ErrorOut},
    summary="Sign out: blacklist the refresh token",
)
def auth_logout(request: HttpRequest, payload: RefreshIn, response: HttpResponse) -> Status:
    """Blacklists the refresh token from the body or the cookie and clears the cookies."""
    raw = payload.refresh or _refresh_from_cookie(request)
    if not raw:
        raise InvalidRefreshToken("No refresh token was sent.", code="token_missing")
    tokens_revoke(refresh=raw)
    clear_auth_cookies(response)
    return Status(204, None)


@router.post(
    "/auth/password/reset",
    response={202: MessageOut},
    throttle=[password_reset_throttle()],
    summary="Email a password reset link",
)
def password_reset(request: HttpRequest, payload: EmailIn) -> Status:
    """Answers the same, after the same work, whether or not the address has an account:
    the queued task looks it up and emails a link only to an active account whose address
    is verified."""
    accounts.account_request_password_reset(email=payload.email)
    return Status(202, MessageOut(detail=RESET_SENT))


@router.post(
    "/auth/password/reset/confirm",
    response={200: MessageOut, 400: ErrorOut, 422: ErrorOut},
    throttle=[password_reset_throttle()],
    summary="Set a new password from the emailed link",
)
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> MessageOut:
    """Every refresh token of the account is blacklisted; sign in again."""
    accounts.account_reset_password(
        uid=payload.uid, token=payload.token, new_password=payload.new_password
    )
    return MessageOut(detail="Your password is changed; sign in with it.")
